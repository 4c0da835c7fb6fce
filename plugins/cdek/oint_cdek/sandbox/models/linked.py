"""What CDEK shows of a courier intake or a delivery appointment besides its request: the
locations resolved (from the body, else from the order it names), the intake's packages
and sender, the appointment's time window. Computed once, when the entity is created."""

from __future__ import annotations

import copy
import uuid as uuid_module
from typing import Any

from ..places import shown_location
from . import order_view
from .orders import _Order

#: An appointment's window when the body gives none: the span of the delivery slots the
#: sandbox offers (``GET /v2/delivery/intervals``: 10:00-14:00 ... 18:00-22:00).
DEFAULT_TIME_FROM, DEFAULT_TIME_TO = "09:00", "22:00"
_CARGO = ("weight", "length", "width", "height")


def contragent_uuid(owner: str) -> str:
    """The account's own (client's) uuid at CDEK: stable per account."""
    return str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"cdek-sandbox:contragent:{owner}"))


def _order_details(order: _Order | None) -> dict[str, Any]:
    return order_view.details(order.uuid, order.body, order.tariff_code) if order else {}


def intake_fields(body: dict[str, Any], order: _Order | None, owner: str) -> dict[str, Any]:
    """An intake's derived fields: ``sender``, ``from_location`` (the body's, else the
    order's), ``to_location`` (the order's), ``packages`` (one of the body's ``weight`` and
    sides when it gives a weight, else the order's) and ``contragent_uuid``."""
    details = _order_details(order)
    fields: dict[str, Any] = {}
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else details.get("sender")
    if sender:
        fields["sender"] = copy.deepcopy(sender)
    given = shown_location(body.get("from_location"))
    fields["from_location"] = given or details.get("from_location")
    if details.get("to_location"):
        fields["to_location"] = details["to_location"]
    if body.get("weight") not in (None, ""):
        package_id = str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"cdek-sandbox:{body}"))
        cargo = {key: body[key] for key in _CARGO if key in body}
        fields["packages"] = [{"package_id": package_id, **cargo}]
    elif details.get("packages"):
        fields["packages"] = [
            {key: package[key] for key in ("package_id", *_CARGO) if key in package}
            for package in details["packages"]
        ]
    fields["contragent_uuid"] = contragent_uuid(owner)
    return fields


def appointment_fields(body: dict[str, Any], order: _Order | None) -> dict[str, Any]:
    """An appointment's window (``time_from`` / ``time_to``, the defaults above when the
    body gives none, as ``HH:MM``) and ``to_location``: the body's, else its office's, else
    the order's."""
    fields: dict[str, Any] = {
        "time_from": str(body.get("time_from") or DEFAULT_TIME_FROM)[:5],
        "time_to": str(body.get("time_to") or DEFAULT_TIME_TO)[:5],
    }
    location = shown_location(body.get("to_location"), body.get("delivery_point"))
    location = location or _order_details(order).get("to_location")
    if location:
        fields["to_location"] = location
    return fields
