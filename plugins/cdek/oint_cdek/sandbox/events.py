"""The webhook events a sandbox sends: CDEK's envelope ``{type, date_time, uuid, attributes}``
with, for each of the event types, the attributes its table lists (the section on the
structure of webhooks in the ``common`` tag of CDEK's specification), built from an entity's
state. ``EventTracker.changes`` finds the events that happened since it last looked (new
statuses, a print form READY...); ``build`` makes one on demand for the control plane.

Which event comes from what:

- ORDER_STATUS: each status an order takes once it has a CDEK number (CREATED onwards; the
  table makes ``cdek_number`` required, so ACCEPTED and INVALID, which come before one, are
  not sent). ``status_code`` is the number of the order status appendix,
  ``status_reason_code`` the reason (of the reason appendix: 11 after a refusal).
- COURIER_INFO: an order TAKEN_BY_COURIER (task DELIVERY), an intake APPOINTED_COURIER
  (task DEMAND).
- PRINT_FORM: a print form READY; its ``url`` is the sandbox's own PDF link.
- PREALERT_CLOSED: a prealert once every order it lists was received at the warehouse.
- DELIV_AGREEMENT: a delivery agreement registered (PROCESSING).
- DOWNLOAD_PHOTO: a photo archive made, one event per order in it.
- ORDER_MODIFIED: an UPDATE of an order processed (the new delivery sum; the new delivery
  mode too when the tariff changed).
- DELIV_PROBLEM, OFFICE_AVAILABILITY, ACCOMPANYING_WAYBILL, RECEIPT: nothing in the sandbox
  produces them; the control plane triggers them. CDEK's document lists RECEIPT as a type
  but gives it no attribute table: the sandbox sends the order's ``cdek_number`` (and
  ``number``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import reference
from .config import format_datetime
from .models import (
    SUCCESSFUL,
    _DeliveryAppointment,
    _Intake,
    _Order,
    _PhotoArchive,
    _Prealert,
    _PrintForm,
    _WaybillForm,
    order_view,
)
from .models.orders import STATUS_CODES

if TYPE_CHECKING:
    from .backend import SandboxState

#: The appendix's code of statuses it numbers 1000, and of codes it does not list.
_OTHER_STATUS_CODE = "1000"
#: Statuses before an order has a CDEK number: no ORDER_STATUS is sent for them.
_UNNUMBERED = frozenset({"ACCEPTED", "INVALID"})
#: Statuses at or after which an order has been received at the sender's warehouse.
_NOT_RECEIVED = frozenset({"ACCEPTED", "CREATED", "INVALID", "REMOVED"})
#: The courier the sandbox names (COURIER_INFO): made up, the same every time.
_COURIER = {
    "name": "Sandbox Courier",
    "car_model": "Lada Largus",
    "registration_mark": "A000AA00",
    "phone": "+79990000000",
}
#: Where a delivery agreement made through the API comes from (DELIV_AGREEMENT's sources).
_AGREEMENT_SOURCE = "EK5_INTEGRATION"
_CITY_CODES = {str(facts["city"]): str(code) for code, facts in reference.CITIES.items()}


class EventError(ValueError):
    """An event cannot be built for that entity (a one-line reason)."""


class NoEntity(LookupError):
    """No entity of the kind the event type is about has that uuid."""


@dataclass
class Event:
    """One webhook event; ``owner`` is the account whose subscriptions get it (None: every
    account's, for an office)."""

    type: str
    uuid: str
    at: datetime
    attributes: dict[str, Any]
    owner: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "date_time": format_datetime(self.at),
            "uuid": self.uuid,
            "attributes": self.attributes,
        }


# --- one event each ---------------------------------------------------------------------------


def order_status(order: _Order, status: dict[str, Any]) -> Event | None:
    """ORDER_STATUS for one of the order's statuses; None before it has a CDEK number."""
    code = str(status["code"])
    if code in _UNNUMBERED or order.cdek_number is None:
        return None
    at: datetime = status["date_time"]
    attributes: dict[str, Any] = {
        "is_return": False,
        "is_reverse": False,
        "is_client_return": bool(order.body.get("is_client_return", False)),
        "cdek_number": str(order.cdek_number),
    }
    if order.number is not None:
        attributes["number"] = order.number
    attributes["related_entities"] = []
    attributes["code"] = code
    attributes["status_code"] = STATUS_CODES.get(code, _OTHER_STATUS_CODE)
    if status.get("reason_code") is not None:
        attributes["status_reason_code"] = str(status["reason_code"])
    attributes["status_date_time"] = format_datetime(at)
    city = status.get("city")
    if isinstance(city, str) and city:
        attributes["city_name"] = city
        if code != "CREATED" and city in _CITY_CODES:  # the table: not given for CREATED
            attributes["city_code"] = _CITY_CODES[city]
    attributes["deleted"] = False
    return Event("ORDER_STATUS", order.uuid, at, attributes, order.owner)


def courier_delivery(order: _Order, at: datetime) -> Event:
    attributes = {
        "task_type": "DELIVERY",
        "cdek_number": str(order.cdek_number),
        "courier": dict(_COURIER),
    }
    return Event("COURIER_INFO", order.uuid, at, attributes, order.owner)


def courier_demand(intake: _Intake, at: datetime) -> Event:
    attributes: dict[str, Any] = {"task_type": "DEMAND"}
    if intake.fields.get("intake_number") is not None:
        attributes["intake_number"] = str(intake.fields["intake_number"])
    attributes["courier"] = dict(_COURIER)
    return Event("COURIER_INFO", intake.uuid, at, attributes, intake.owner)


def print_form(form: _PrintForm, root_url: str) -> Event:
    if form.latest_status != "READY":
        raise EventError(f"print form {form.uuid} is {form.latest_status}, not READY")
    at = form.statuses[-1]["date_time"]
    attributes = {
        "type": "WAYBILL" if isinstance(form, _WaybillForm) else "BARCODE",
        "url": root_url + form.pdf_path(),
    }
    return Event("PRINT_FORM", form.uuid, at, attributes, form.owner)


def prealert_closed(prealert: _Prealert, at: datetime) -> Event:
    digits = int(prealert.uuid.replace("-", "")[:8], 16)
    attributes = {
        "prealert_number": f"PA/{digits % 97 + 1}/{digits % 1000}",
        "closed_date": format_datetime(at),
        "fact_shipment_point": str(prealert.fields.get("shipment_point")),
    }
    return Event("PREALERT_CLOSED", prealert.uuid, at, attributes, prealert.owner)


def agreement(record: _DeliveryAppointment, at: datetime) -> Event:
    fields = record.fields
    attributes: dict[str, Any] = {
        "delivery_uuid": record.uuid,
        "date_time": format_datetime(at),
        "cdek_number": str(fields.get("cdek_number")),
    }
    if isinstance(fields.get("date"), str):
        attributes["date"] = fields["date"]
    for key in ("time_from", "time_to"):
        if isinstance(fields.get(key), str):
            attributes[key] = f"{fields[key][:5]}:00"
    if isinstance(fields.get("comment"), str):
        attributes["comment"] = fields["comment"]
    attributes["source"] = _AGREEMENT_SOURCE
    point = fields.get("delivery_point")
    attributes["type"] = "WAREHOUSE" if isinstance(point, str) and point else "DOOR"
    if attributes["type"] == "WAREHOUSE":
        attributes["delivery_point"] = point
    owner_order = str(fields.get("order_uuid"))
    return Event("DELIV_AGREEMENT", owner_order, at, attributes, record.owner)


def photos(
    archive: _PhotoArchive, at: datetime, root_url: str, orders: dict[str, _Order]
) -> list[Event]:
    link = f"{root_url}/v2/photoDocument/{archive.uuid}"
    events = []
    for ref in archive.orders:
        attributes: dict[str, Any] = {"cdek_number": str(ref["cdek_number"]), "link": link}
        order = orders.get(ref["order_uuid"])
        if order is not None:
            attributes["create_date"] = format_datetime(order.created_at)
        events.append(Event("DOWNLOAD_PHOTO", archive.uuid, at, attributes, archive.owner))
    return events


def order_modified(order: _Order, at: datetime, kind: str = "DELIVERY_SUM_CHANGED") -> Event:
    if kind == "DELIVERY_MODE_CHANGED":
        value = {
            "type": "INTEGER",
            "value": str(order_view.delivery_mode(order.body, order.tariff_code)),
        }
    elif kind == "PLANED_DELIVERY_DATE_CHANGED":
        value = {"type": "DATE", "value": (at + timedelta(days=3)).date().isoformat()}
    else:
        total = order_view.delivery_sum(order.body, order.tariff_code)
        value = {"type": "FLOAT", "value": f"{float(total):.2f}"}
    attributes = {"modification_type": kind, "new_value": value}
    return Event("ORDER_MODIFIED", order.uuid, at, attributes, order.owner)


def _numbered(order: _Order, at: datetime) -> dict[str, Any]:
    attributes: dict[str, Any] = {"cdek_number": str(order.cdek_number)}
    if order.number is not None:
        attributes["number"] = order.number
    return attributes


def delivery_problem(order: _Order, at: datetime) -> Event:
    attributes = _numbered(order, at)
    attributes.update({"code": "1", "create_date": format_datetime(at)})  # wrong phone
    return Event("DELIV_PROBLEM", order.uuid, at, attributes, order.owner)


def accompanying_waybill(order: _Order, at: datetime) -> Event:
    sender = order.body.get("sender")
    company = sender.get("company") if isinstance(sender, dict) else None
    attributes = {
        "cdek_number": str(order.cdek_number),
        "client_name": str(company or "Sandbox Client LLC"),
        "vehicle_numbers": ["A000AA00"],
        "planned_departure_date_time": format_datetime(at + timedelta(days=1)),
    }
    return Event("ACCOMPANYING_WAYBILL", order.uuid, at, attributes, order.owner)


def receipt(order: _Order, at: datetime) -> Event:
    return Event("RECEIPT", order.uuid, at, _numbered(order, at), order.owner)


def office_availability(office: dict[str, Any], at: datetime) -> Event:
    attributes = {"type": "UNAVAILABLE_OFFICE", "code": str(office["code"])}
    return Event("OFFICE_AVAILABILITY", str(office["uuid"]), at, attributes, None)


# --- what happened since last time -------------------------------------------------------------


class EventTracker:
    """What a sandbox has already announced, so each change is sent once, whether or not
    anyone was subscribed when it happened."""

    def __init__(self) -> None:
        #: entity uuid -> how many of its statuses were looked at.
        self.seen_statuses: dict[str, int] = {}
        #: keys of one-off events already made ("PRINT_FORM:uuid", "UPDATE:request uuid"...).
        self.done: set[str] = set()

    def _new_statuses(self, uuid: str, statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = self.seen_statuses.get(uuid, 0)
        self.seen_statuses[uuid] = len(statuses)
        return statuses[seen:]

    def _first(self, key: str) -> bool:
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def changes(self, state: SandboxState, root_url: str) -> list[Event]:
        """The events of everything that changed since the last call (lock held), oldest
        first."""
        events: list[Event] = []
        for order in state.orders.values():
            for status in self._new_statuses(order.uuid, order.statuses):
                event = order_status(order, status)
                if event is not None:
                    events.append(event)
                    if status["code"] == "TAKEN_BY_COURIER":
                        events.append(courier_delivery(order, status["date_time"]))
            for request in order.requests:
                if (
                    request.type == "UPDATE"
                    and request.state == SUCCESSFUL
                    and self._first(f"UPDATE:{request.request_uuid}")
                ):
                    events.append(order_modified(order, request.date_time))
                    if "tariff_code" in (request.payload or {}):
                        kind = "DELIVERY_MODE_CHANGED"
                        events.append(order_modified(order, request.date_time, kind))
        for record in state.records.values():
            if isinstance(record, _PrintForm):
                if record.latest_status == "READY" and self._first(f"PRINT_FORM:{record.uuid}"):
                    events.append(print_form(record, root_url))
            elif isinstance(record, _Prealert):
                closed = self._prealert_closed_at(state, record)
                if closed is not None and self._first(f"PREALERT:{record.uuid}"):
                    events.append(prealert_closed(record, closed))
            elif isinstance(record, _DeliveryAppointment):
                for status in self._new_statuses(record.uuid, record.statuses):
                    if status["code"] == "PROCESSING":
                        events.append(agreement(record, status["date_time"]))
            elif isinstance(record, _Intake):
                for status in self._new_statuses(record.uuid, record.statuses):
                    if status["code"] == "APPOINTED_COURIER":
                        events.append(courier_demand(record, status["date_time"]))
        for archive in state.photo_archives.values():
            if self._first(f"PHOTO:{archive.uuid}"):
                events += photos(archive, archive.created_at, root_url, state.orders)
        events.sort(key=lambda event: event.at)  # stable: the same moment keeps its order
        return events

    @staticmethod
    def _prealert_closed_at(state: SandboxState, prealert: _Prealert) -> datetime | None:
        """When the last order of a successful prealert was received at the warehouse."""
        if prealert.create_state != SUCCESSFUL:
            return None
        moments: list[datetime] = []
        for ref in prealert.fields.get("orders", []):
            order = state.orders.get(str(ref.get("order_uuid")))
            received = [
                s["date_time"]
                for s in (order.statuses if order else [])
                if s["code"] not in _NOT_RECEIVED
            ]
            if not received:
                return None
            moments.append(received[0])
        return max(moments) if moments else None


# --- on demand ----------------------------------------------------------------------------------


def build(state: SandboxState, kind: str, uuid: str, now: datetime, root_url: str) -> list[Event]:
    """The event(s) of type ``kind`` about the entity ``uuid``, from its current state (lock
    held). ``NoEntity`` when there is no such entity, ``EventError`` when its state has no
    such event (a print form not READY, an order without a CDEK number)."""
    key = uuid.lower()
    if kind == "OFFICE_AVAILABILITY":
        for office in reference.offices(extended=True):
            if key in (str(office["uuid"]).lower(), str(office["code"]).lower()):
                return [office_availability(office, now)]
        raise NoEntity(f"no office {uuid} (give an office's uuid or code)")
    record = state.records.get(key)
    if kind == "PRINT_FORM":
        if not isinstance(record, _PrintForm):
            raise NoEntity(f"no print form {uuid}")
        return [print_form(record, root_url)]
    if kind == "PREALERT_CLOSED":
        if not isinstance(record, _Prealert):
            raise NoEntity(f"no prealert {uuid}")
        if record.create_state != SUCCESSFUL:
            raise EventError(f"prealert {uuid} is not created (CREATE {record.create_state})")
        return [prealert_closed(record, now)]
    if kind == "DOWNLOAD_PHOTO":
        archive = state.photo_archives.get(key)
        if archive is None:
            raise NoEntity(f"no photo archive {uuid}")
        return photos(archive, now, root_url, state.orders)
    if kind == "COURIER_INFO" and isinstance(record, _Intake):
        if record.create_state != SUCCESSFUL:
            raise EventError(f"intake {uuid} is not created (CREATE {record.create_state})")
        return [courier_demand(record, now)]
    if kind == "DELIV_AGREEMENT":
        if isinstance(record, _DeliveryAppointment):
            return [agreement(record, now)]
        mine = [
            r
            for r in state.records.values()
            if isinstance(r, _DeliveryAppointment) and r.fields.get("order_uuid") == key
        ]
        if not mine:
            raise NoEntity(f"no delivery agreement {uuid}, nor one of an order {uuid}")
        return [agreement(mine[-1], now)]
    order = state.orders.get(key)
    if order is None:
        raise NoEntity(f"no order {uuid}")
    if order.cdek_number is None:
        raise EventError(f"order {uuid} has no CDEK number yet (it is {order.latest_status})")
    if kind == "ORDER_STATUS":
        event = order_status(order, order.statuses[-1])
        assert event is not None  # numbered orders have a numbered latest status
        return [event]
    makers = {
        "COURIER_INFO": courier_delivery,
        "ORDER_MODIFIED": order_modified,
        "DELIV_PROBLEM": delivery_problem,
        "ACCOMPANYING_WAYBILL": accompanying_waybill,
        "RECEIPT": receipt,
    }
    return [makers[kind](order, now)]
