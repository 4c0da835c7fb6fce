"""CDEK's webhook events, typed: ``parse(body)`` for your own views, and what ``oint listen
cdek`` runs on.

::

    from oint_cdek.webhooks import OrderStatus, WebhookError, parse

    def cdek_events(request):              # a Django or FastAPI view, say
        try:
            event = parse(request.body)    # bytes, str or an already parsed mapping
        except WebhookError as exc:        # not a CDEK event: one line saying why
            return 400, str(exc)
        if isinstance(event.attributes, OrderStatus):
            print(event.uuid, event.attributes.code)
        return 200

A CDEK event is ``{"type", "date_time", "uuid", "attributes"}``; ``attributes`` depends on
``type``, as CDEK's tables describe it (``tests/cdek/spec`` keeps their facts and the tests
hold these classes to them). An event of a type oint does not know parses too, with
``known`` false and its attributes as the mapping that came. Values are checked, not
converted: date-times stay the text CDEK sent (``2023-11-28T07:44:45+0000``); a number where
CDEK's tables say string is taken as its text. Fields CDEK adds later are ignored here and
kept in ``event.raw``.

CDEK signs no event. Check who sent it the way ``oint listen`` does (a secret in the URL you
subscribe) and read the entity back (``GetOrder``) before acting on anything that matters.
``event.key`` identifies the change an event reports, so a redelivery can be recognised.
"""

from __future__ import annotations

import json
import re
import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from oint_core import UsageError

from .vocabulary import WEBHOOK_LIMIT, WEBHOOK_TYPES

if TYPE_CHECKING:
    from oint_core.webhooks import Call, Webhooks

__all__ = [
    "AccompanyingWaybill",
    "Attributes",
    "Courier",
    "CourierInfo",
    "DelivAgreement",
    "DelivProblem",
    "DownloadPhoto",
    "NewValue",
    "OfficeAvailability",
    "OrderModified",
    "OrderStatus",
    "PrealertClosed",
    "PrintForm",
    "RelatedEntity",
    "WebhookError",
    "WebhookEvent",
    "lenient",
    "parse",
]

_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"\d\d:\d\d(:\d\d(\.\d+)?)?")


class WebhookError(UsageError, ValueError):
    """A body that is not a CDEK event; the message is one line saying what is wrong.

    A ``UsageError`` (oint's errors) and a ``ValueError`` (for code that knows neither)."""


# -- the attributes of each event type ------------------------------------------------------


@dataclass(frozen=True)
class RelatedEntity:
    type: str
    cdek_number: str
    uuid: str


@dataclass(frozen=True)
class OrderStatus:
    """ORDER_STATUS: an order reached a status (``code``) at ``status_date_time``."""

    is_return: bool
    cdek_number: str
    status_code: str
    status_date_time: str
    code: str
    is_reverse: bool
    is_client_return: bool
    number: str | None = None
    status_reason_code: str | None = None
    city_name: str | None = None
    city_code: str | None = None
    related_entities: tuple[RelatedEntity, ...] = ()
    deleted: bool | None = None


@dataclass(frozen=True)
class PrintForm:
    """PRINT_FORM: a waybill (``WAYBILL``) or barcode (``BARCODE``) PDF is ready at ``url``."""

    type: str
    url: str


@dataclass(frozen=True)
class PrealertClosed:
    prealert_number: str
    closed_date: str
    fact_shipment_point: str


@dataclass(frozen=True)
class AccompanyingWaybill:
    cdek_number: str
    client_name: str
    planned_departure_date_time: str
    flight_number: str | None = None
    air_waybill_numbers: tuple[str, ...] = ()
    vehicle_numbers: tuple[str, ...] = ()
    vehicle_driver: str | None = None


@dataclass(frozen=True)
class OfficeAvailability:
    """OFFICE_AVAILABILITY: office ``code`` became ``AVAILABLE_OFFICE`` or
    ``UNAVAILABLE_OFFICE`` (``type``)."""

    type: str
    code: str


@dataclass(frozen=True)
class NewValue:
    type: str
    value: str


@dataclass(frozen=True)
class OrderModified:
    modification_type: str
    new_value: NewValue


@dataclass(frozen=True)
class DelivAgreement:
    delivery_uuid: str
    date_time: str
    cdek_number: str
    source: str
    type: str
    date: str | None = None
    time_from: str | None = None
    time_to: str | None = None
    comment: str | None = None
    delivery_point: str | None = None


@dataclass(frozen=True)
class DelivProblem:
    cdek_number: str
    code: str
    create_date: str
    number: str | None = None


@dataclass(frozen=True)
class Courier:
    name: str | None = None
    car_model: str | None = None
    registration_mark: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CourierInfo:
    task_type: str
    intake_number: str | None = None
    cdek_number: str | None = None
    courier: Courier | None = None


@dataclass(frozen=True)
class DownloadPhoto:
    cdek_number: str
    link: str
    create_date: str | None = None


Attributes = (
    OrderStatus
    | PrintForm
    | PrealertClosed
    | AccompanyingWaybill
    | OfficeAvailability
    | OrderModified
    | DelivAgreement
    | DelivProblem
    | CourierInfo
    | DownloadPhoto
    | Mapping[str, Any]
)
A = TypeVar("A")


# How each class reads its fields: (name, kind, required, nested class). Kinds: str, bool,
# date-time, date, time, uuid, strings (a list of text), object, objects (a list of objects).
_Spec = tuple[tuple[str, str, bool, "type | None"], ...]
SPECS: dict[type, _Spec] = {
    RelatedEntity: (
        ("type", "str", True, None),
        ("cdek_number", "str", True, None),
        ("uuid", "uuid", True, None),
    ),
    OrderStatus: (
        ("is_return", "bool", True, None),
        ("cdek_number", "str", True, None),
        ("number", "str", False, None),
        ("status_code", "str", True, None),
        ("status_reason_code", "str", False, None),
        ("status_date_time", "date-time", True, None),
        ("city_name", "str", False, None),
        ("city_code", "str", False, None),
        ("code", "str", True, None),
        ("is_reverse", "bool", True, None),
        ("is_client_return", "bool", True, None),
        ("related_entities", "objects", False, RelatedEntity),
        ("deleted", "bool", False, None),
    ),
    PrintForm: (("type", "str", True, None), ("url", "str", True, None)),
    PrealertClosed: (
        ("prealert_number", "str", True, None),
        ("closed_date", "date-time", True, None),
        ("fact_shipment_point", "str", True, None),
    ),
    AccompanyingWaybill: (
        ("cdek_number", "str", True, None),
        ("client_name", "str", True, None),
        ("flight_number", "str", False, None),
        ("air_waybill_numbers", "strings", False, None),
        ("vehicle_numbers", "strings", False, None),
        ("vehicle_driver", "str", False, None),
        ("planned_departure_date_time", "date-time", True, None),
    ),
    OfficeAvailability: (("type", "str", True, None), ("code", "str", True, None)),
    NewValue: (("type", "str", True, None), ("value", "str", True, None)),
    OrderModified: (
        ("modification_type", "str", True, None),
        ("new_value", "object", True, NewValue),
    ),
    DelivAgreement: (
        ("delivery_uuid", "uuid", True, None),
        ("date_time", "date-time", True, None),
        ("cdek_number", "str", True, None),
        ("date", "date", False, None),
        ("time_from", "time", False, None),
        ("time_to", "time", False, None),
        ("comment", "str", False, None),
        ("source", "str", True, None),
        ("type", "str", True, None),
        ("delivery_point", "str", False, None),
    ),
    DelivProblem: (
        ("cdek_number", "str", True, None),
        ("number", "str", False, None),
        ("code", "str", True, None),
        ("create_date", "date-time", True, None),
    ),
    Courier: (
        ("name", "str", False, None),
        ("car_model", "str", False, None),
        ("registration_mark", "str", False, None),
        ("phone", "str", False, None),
    ),
    CourierInfo: (
        ("task_type", "str", True, None),
        ("intake_number", "str", False, None),
        ("cdek_number", "str", False, None),
        ("courier", "object", False, Courier),
    ),
    DownloadPhoto: (
        ("cdek_number", "str", True, None),
        ("link", "str", True, None),
        ("create_date", "date-time", False, None),
    ),
}

#: The attributes' class of each event type CDEK describes. RECEIPT is a type CDEK lists
#: without describing its attributes: they stay a mapping.
ATTRIBUTES: dict[str, type] = {
    "ORDER_STATUS": OrderStatus,
    "PRINT_FORM": PrintForm,
    "PREALERT_CLOSED": PrealertClosed,
    "ACCOMPANYING_WAYBILL": AccompanyingWaybill,
    "OFFICE_AVAILABILITY": OfficeAvailability,
    "ORDER_MODIFIED": OrderModified,
    "DELIV_AGREEMENT": DelivAgreement,
    "DELIV_PROBLEM": DelivProblem,
    "COURIER_INFO": CourierInfo,
    "DOWNLOAD_PHOTO": DownloadPhoto,
}

#: What, besides type, uuid and date_time, tells one change from another: a redelivery
#: repeats these, another change differs in them. Types not listed use all attributes.
KEY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "ORDER_STATUS": ("code", "status_date_time", "status_reason_code", "deleted"),
    "PRINT_FORM": ("type", "url"),
    "PREALERT_CLOSED": ("prealert_number", "closed_date"),
    "ACCOMPANYING_WAYBILL": ("cdek_number", "planned_departure_date_time"),
    "OFFICE_AVAILABILITY": ("type", "code"),
    "ORDER_MODIFIED": ("modification_type", "new_value"),
    "DELIV_AGREEMENT": ("delivery_uuid", "date_time"),
    "DELIV_PROBLEM": ("code", "create_date"),
    # One archive of several orders: an event per order, the same link in each.
    "DOWNLOAD_PHOTO": ("cdek_number", "link"),
}


@dataclass(frozen=True)
class WebhookEvent(Generic[A]):
    """One CDEK event: its envelope, its typed ``attributes``, and the object as it came."""

    type: str
    date_time: str
    uuid: str
    attributes: A
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    #: With ``parse(..., strict=False)``: why the attributes are not as CDEK describes them
    #: (they are then the mapping that came); None when they are.
    warning: str | None = field(default=None, compare=False)

    @property
    def known(self) -> bool:
        """Whether oint knows this event type (an unknown one keeps its attributes raw)."""
        return self.type in WEBHOOK_TYPES

    @property
    def key(self) -> str:
        """The change this event reports, as text: the same for a redelivery of it."""
        attributes = self.raw.get("attributes")
        attributes = attributes if isinstance(attributes, Mapping) else {}
        names = KEY_ATTRIBUTES.get(self.type)
        picked: Any = [attributes.get(name) for name in names] if names is not None else attributes
        return json.dumps(
            [self.type, self.uuid.lower(), self.date_time, picked],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )


def parse(body: bytes | str | Mapping[str, Any], *, strict: bool = True) -> WebhookEvent[Any]:
    """The event in ``body`` (the request's bytes or text, or a mapping already parsed),
    checked against CDEK's description of its type. Raises ``WebhookError``.

    ``strict=False`` refuses only a body that is not an event at all (not JSON, or an
    envelope field missing or wrong): attributes that are not as CDEK's tables describe
    them are kept as the mapping that came, and ``warning`` says what differs. That is what
    ``oint listen cdek`` uses: an event CDEK sent is never refused for a detail of its
    attributes (CDEK would retry it, then drop the subscription)."""
    data = _load(body)
    kind = data.get("type")
    if not isinstance(kind, str) or not kind.strip():
        raise WebhookError(_missing_or_wrong("type", kind, "the event type as text"))
    date_time = data.get("date_time")
    if not isinstance(date_time, str) or not _DATE_TIME.fullmatch(date_time):
        raise WebhookError(_missing_or_wrong("date_time", date_time, "an ISO 8601 date-time"))
    entity = data.get("uuid")
    if not isinstance(entity, str) or not _is_uuid(entity):
        raise WebhookError(_missing_or_wrong("uuid", entity, "a UUID"))
    attributes = data.get("attributes")
    if not isinstance(attributes, Mapping):
        raise WebhookError(_missing_or_wrong("attributes", attributes, "an object"))
    cls = ATTRIBUTES.get(kind)
    if cls is None:
        return WebhookEvent(kind, date_time, entity, dict(attributes), data)
    try:
        typed = _build(cls, attributes, "attributes")
    except WebhookError as exc:
        if strict:
            raise
        return WebhookEvent(kind, date_time, entity, dict(attributes), data, str(exc))
    return WebhookEvent(kind, date_time, entity, typed, data)


def lenient(body: bytes) -> WebhookEvent[Any]:
    """``parse(body, strict=False)``: what ``oint listen cdek`` reads deliveries with."""
    return parse(body, strict=False)


def _load(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        data: Any = body
    else:
        if isinstance(body, (bytes, bytearray, memoryview)):
            try:
                text = bytes(body).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise WebhookError(f"the body is not UTF-8 text (byte {exc.start})") from None
        elif isinstance(body, str):
            text = body
        else:
            raise WebhookError(f"cannot read an event from {type(body).__name__}")
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise WebhookError(f"the body is not JSON: {reason}") from None
    if not isinstance(data, Mapping):
        raise WebhookError(f"an event is a JSON object, not {_json_kind(data)}")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _build(cls: type, value: Mapping[str, Any], where: str) -> Any:
    found: dict[str, Any] = {}
    for name, kind, required, nested in SPECS[cls]:
        item = value.get(name)
        path = f"{where}.{name}"
        if item is None:
            if required:
                raise WebhookError(f"{path} is missing")
            continue
        found[name] = _value(item, kind, nested, path)
    return cls(**found)


def _value(item: Any, kind: str, nested: type | None, path: str) -> Any:
    if kind == "bool":
        if not isinstance(item, bool):
            raise WebhookError(_missing_or_wrong(path, item, "true or false"))
        return item
    if kind == "object":
        if not isinstance(item, Mapping):
            raise WebhookError(_missing_or_wrong(path, item, "an object"))
        assert nested is not None
        return _build(nested, item, path)
    if kind in ("objects", "strings"):
        if not isinstance(item, list):
            raise WebhookError(_missing_or_wrong(path, item, "a list"))
        inner = "object" if kind == "objects" else "str"
        return tuple(_value(x, inner, nested, f"{path}[{i}]") for i, x in enumerate(item))
    if isinstance(item, (int, float)) and not isinstance(item, bool) and kind == "str":
        return str(item)  # CDEK's tables say string; a number is read as its text
    if not isinstance(item, str):
        raise WebhookError(_missing_or_wrong(path, item, "text"))
    pattern = {"date-time": _DATE_TIME, "date": _DATE, "time": _TIME}.get(kind)
    if pattern is not None and not pattern.fullmatch(item):
        raise WebhookError(_missing_or_wrong(path, item, f"a {kind.replace('-', ' ')}"))
    if kind == "uuid" and not _is_uuid(item):
        raise WebhookError(_missing_or_wrong(path, item, "a UUID"))
    return item


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid_module.UUID(text)) == text.lower()
    except ValueError:
        return False


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _missing_or_wrong(path: str, value: Any, wanted: str) -> str:
    if value is None:
        return f"{path} is missing"
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _json_kind(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{path} must be {wanted}, not {shown}"


# -- for oint listen cdek (through the oint_webhooks hook) -----------------------------------


def webhooks() -> Webhooks:
    """CDEK's ``oint_core.webhooks.Webhooks``: the types, ``parse``, and subscriptions
    through CreateWebhook, GetWebhookList and DeleteWebhook (at most ``WEBHOOK_LIMIT``)."""
    from oint_core.webhooks import Subscription, Subscriptions, Webhooks

    def listing(call: Call) -> list[Subscription]:
        found = call("GetWebhookList")
        items = found if isinstance(found, list) else []
        return [
            Subscription(str(s.get("uuid")), str(s.get("url")), str(s.get("type")))
            for s in items
            if isinstance(s, Mapping)
        ]

    def create(call: Call, url: str, kind: str) -> str:
        answer = call("CreateWebhook", url=url, type=kind)
        entity = answer.get("entity") if isinstance(answer, Mapping) else None
        made = entity.get("uuid") if isinstance(entity, Mapping) else None
        if not isinstance(made, str):
            raise WebhookError("CDEK's answer to CreateWebhook names no subscription uuid")
        return made

    def delete(call: Call, made: str) -> None:
        call("DeleteWebhook", uuid=made)

    return Webhooks(
        types=WEBHOOK_TYPES,
        parse=lenient,
        default_types=("ORDER_STATUS", "PRINT_FORM"),
        subscriptions=Subscriptions(
            list=listing, create=create, delete=delete, limit=WEBHOOK_LIMIT
        ),
    )
