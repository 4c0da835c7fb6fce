"""An order's way from registration to the recipient, as CDEK reports it: the sequence of
statuses (from the order status appendix of CDEK's specification) for a parcel delivered to
a pick-up point and for one delivered to the door. The control plane moves an order along
it, so that a test can reach a state (at the pick-up point, with the courier) that only
CDEK's warehouses can produce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import reference
from .orders import _Order

#: In the sender's city: registered, received, consolidated, handed to the carrier.
_OUTBOUND = (
    "CREATED",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
    "SENT_TO_RECIPIENT_CITY",
)
#: Then in the recipient's city, to a pick-up point or to the door.
TO_PICK_UP_POINT = (
    *_OUTBOUND,
    "ACCEPTED_IN_RECIPIENT_CITY",
    "ACCEPTED_AT_PICK_UP_POINT",
    "DELIVERED",
)
TO_DOOR = (
    *_OUTBOUND,
    "ACCEPTED_IN_RECIPIENT_CITY",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
    "TAKEN_BY_COURIER",
    "DELIVERED",
)


class JourneyError(ValueError):
    """The order cannot be moved to that status (a one-line reason)."""


def journey_of(order: _Order) -> tuple[str, ...]:
    """The status sequence of ``order``: to a pick-up point when it names one."""
    return TO_PICK_UP_POINT if order.body.get("delivery_point") else TO_DOOR


def move_along(order: _Order, target: str, now: datetime) -> list[str]:
    """Push every status of the order's journey after its latest one, up to ``target``
    (inclusive), spread evenly in time between the latest status and ``now``; the codes
    pushed. Raises ``JourneyError`` when ``target`` is not ahead on the journey."""
    sequence = journey_of(order)
    if target not in sequence:
        other = TO_DOOR if sequence is TO_PICK_UP_POINT else TO_PICK_UP_POINT
        where = "a pick-up point" if sequence is TO_PICK_UP_POINT else "the door"
        if target in other:
            raise JourneyError(f"{target} is not on the way of an order to {where}")
        raise JourneyError(f"{target} is not a status of the journey: {', '.join(sequence)}")
    latest = order.latest_status
    if latest not in sequence:
        raise JourneyError(f"the order is {latest}: it travels no further")
    start, end = sequence.index(latest), sequence.index(target)
    if end <= start:
        raise JourneyError(f"the order is already {latest}, which comes at or after {target}")
    steps = sequence[start + 1 : end + 1]
    since = order.statuses[-1]["date_time"]
    for number, code in enumerate(steps, start=1):
        at = since + (now - since) * number / len(steps)
        order.push_status(code, at, _city_of(order, "from" if code in _OUTBOUND else "to"))
    return list(steps)


def _city_of(order: _Order, side: str) -> str:
    """The city of the sender's (``side`` "from") or the recipient's end of ``order``: its
    office (shipment or delivery point), else its location's city code, else what the order
    says."""
    point = order.body.get("shipment_point" if side == "from" else "delivery_point")
    if isinstance(point, str):
        for office in reference.offices(extended=True):
            if office["code"] == point:
                return str(office["location"]["city"])
    location: Any = order.body.get(f"{side}_location")
    code = location.get("code") if isinstance(location, dict) else None
    if isinstance(code, int) and not isinstance(code, bool) and code in reference.CITIES:
        return str(reference.CITIES[code]["city"])
    return order.city(f"{side}_location")
