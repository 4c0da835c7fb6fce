"""Webhook subscriptions and the event types CDEK lists. What a sandbox sends to them, and
how, is ``events`` (the payloads) and ``delivery`` (the worker and CDEK's delivery rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ... import vocabulary
from ..config import format_datetime
from .common import _ApiRequest

# CDEK's webhook event types, and how many subscriptions an account may hold.
WEBHOOK_TYPES = frozenset(vocabulary.WEBHOOK_TYPES)
_WEBHOOK_LIMIT = vocabulary.WEBHOOK_LIMIT


@dataclass
class _Webhook:
    """One webhook subscription of an account. Active while it is in the state's
    ``webhooks``; a disabled one (CDEK's delivery rules) moves to ``disabled_webhooks`` with
    when and why, and CDEK's endpoints no longer see it."""

    uuid: str
    owner: str
    url: str
    type: str
    requests: list[_ApiRequest] = field(default_factory=list)
    #: When delivery rules disabled it (sandbox time), and why.
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "url": self.url, "type": self.type}

    def control_json(self, redacted_url: str) -> dict[str, Any]:
        """How the control plane shows it: the URL's query values masked, and its state."""
        shown: dict[str, Any] = {
            "uuid": self.uuid,
            "account": self.owner,
            "url": redacted_url,
            "type": self.type,
            "state": "active" if self.disabled_at is None else "disabled",
        }
        if self.disabled_at is not None:
            shown["disabled_at"] = format_datetime(self.disabled_at)
            shown["disabled_reason"] = self.disabled_reason
        return shown
