"""Webhook subscriptions (no event is ever sent) and the event types CDEK lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .common import _ApiRequest

#: CDEK's webhook event types; an account may hold at most ``_WEBHOOK_LIMIT`` subscriptions.
WEBHOOK_TYPES = frozenset(
    {
        "ORDER_STATUS",
        "ORDER_MODIFIED",
        "PRINT_FORM",
        "RECEIPT",
        "DOWNLOAD_PHOTO",
        "PREALERT_CLOSED",
        "ACCOMPANYING_WAYBILL",
        "OFFICE_AVAILABILITY",
        "DELIV_PROBLEM",
        "DELIV_AGREEMENT",
        "COURIER_INFO",
    }
)
_WEBHOOK_LIMIT = 2


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
