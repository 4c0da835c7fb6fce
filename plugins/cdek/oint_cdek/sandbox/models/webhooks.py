"""Webhook subscriptions (no event is ever sent) and the event types CDEK lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import vocabulary
from .common import _ApiRequest

# CDEK's webhook event types, and how many subscriptions an account may hold.
WEBHOOK_TYPES = frozenset(vocabulary.WEBHOOK_TYPES)
_WEBHOOK_LIMIT = vocabulary.WEBHOOK_LIMIT


@dataclass
class _Webhook:
    """One webhook subscription of an account (events are never actually sent)."""

    uuid: str
    owner: str
    url: str
    type: str
    requests: list[_ApiRequest] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "url": self.url, "type": self.type}
