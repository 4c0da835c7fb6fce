"""Static checks of what a client sends: order bodies, date, time and text fields, the
``orders`` lists of print forms and prealerts, and query parameters. Each check reports
CDEK's own error codes; nothing here looks at the sandbox's state."""

from __future__ import annotations

import re
import urllib.parse
import uuid as uuid_module
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime
from typing import Any, TypeGuard

from .config import _as_utc
from .exceptions import _ApiError, _error, _field_empty, _invalid_format, _wrong_type
from .places import city_of

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True


def _is_digits(value: Any) -> bool:
    return (_is_int(value) and value >= 0) or (isinstance(value, str) and value.isdigit())


def _is_http_url(value: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _require_uuid(value: str, name: str, request_type: str) -> None:
    """Raise CDEK's 400 v2_invalid_format for a uuid that does not parse, before any lookup."""
    if not _is_uuid(value):
        raise _ApiError(400, [_invalid_format(name, value)], request_type)


#: CDEK's errors for an order location that names no city it knows (here: no reference city,
#: or an office code that is not a reference office).
_LOCATION_NOT_RECOGNIZED = {
    "from_location": _error(
        "v2_sender_location_not_recognized", "Sender location is not recognized"
    ),
    "to_location": _error(
        "v2_recipient_location_not_recognized", "Recipient location is not recognized"
    ),
}


def _validate_order(body: dict[str, Any]) -> list[dict[str, str]]:
    """CDEK's static (synchronous) checks of a new order: one error per problem."""
    errors: list[dict[str, str]] = []

    def empty(name: str) -> None:  # worded as CDEK's error table words it
        errors.append(_error("v2_field_is_empty", f"[{name}] is empty"))

    def wrong_type(name: str) -> None:
        errors.append(_error("v2_invalid_value_type", f"Invalid value type in [{name}] field"))

    def objects(value: Any, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The objects of the required list ``name``, each with its path (``name[i]``).
        Errors are recorded as iteration reaches them, so they keep the body's order."""
        if _is_empty(value):
            empty(name)
        elif not isinstance(value, list):
            wrong_type(name)
        else:
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield f"{name}[{index}]", item
                else:
                    wrong_type(f"{name}[{index}]")

    order_type = body.get("type")
    if order_type is not None and (not _is_int(order_type) or order_type not in (1, 2)):
        message = f"Invalid value [{order_type}] in [type] parameter"
        errors.append(_error("v2_invalid_format", message))

    tariff = body.get("tariff_code")
    if _is_empty(tariff):
        empty("tariff_code")
    elif not (_is_int(tariff) or (isinstance(tariff, str) and tariff.isdigit())):
        wrong_type("tariff_code")

    number = body.get("number")
    if number is not None and not (isinstance(number, str) or _is_int(number)):
        wrong_type("number")

    recipient = body.get("recipient")
    if _is_empty(recipient):
        empty("recipient")
    elif not isinstance(recipient, dict):
        wrong_type("recipient")
    else:
        if _is_empty(recipient.get("name")):
            empty("recipient.name")
        for path, phone in objects(recipient.get("phones"), "recipient.phones"):
            if _is_empty(phone.get("number")):
                empty(f"{path}.number")

    for path, package in objects(body.get("packages"), "packages"):
        if _is_empty(package.get("number")):
            empty(f"{path}.number")
        weight = package.get("weight")
        if _is_empty(weight):
            empty(f"{path}.weight")
        elif not _is_number(weight):
            wrong_type(f"{path}.weight")

    for location, point in (("from_location", "shipment_point"), ("to_location", "delivery_point")):
        location_value, point_value = body.get(location), body.get(point)
        if _is_empty(location_value) and _is_empty(point_value):
            empty(f"{location} or {point}")
            continue
        if not _is_empty(location_value) and not isinstance(location_value, dict):
            wrong_type(location)
        elif not _is_empty(point_value) and not isinstance(point_value, str):
            wrong_type(point)
        elif city_of(location_value, point_value) is None:
            errors.append(_LOCATION_NOT_RECOGNIZED[location])
    return errors


# --- body fields ------------------------------------------------------------------------


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_datetime(value: Any) -> datetime | None:
    """CDEK's ``2026-08-01T14:34:18+0000`` (also ``+00:00``, ``Z`` or no zone: UTC)."""
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"):
        try:
            return _as_utc(datetime.strptime(value, pattern))
        except ValueError:
            continue
    return None


def _given(body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]) -> Any:
    """The body field ``name``, or None when it is empty (an error too if ``required``):
    the first step of every date and time field check."""
    value = body.get(name)
    if _is_empty(value):
        if required:
            errors.append(_field_empty(name))
        return None
    return value


def _check_date_field(
    body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]
) -> date | None:
    value = _given(body, name, required, errors)
    if value is None:
        return None
    parsed = _parse_date(value)
    if parsed is None:
        errors.append(_invalid_format(name, value))
    return parsed


def _check_time_field(
    body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]
) -> str | None:
    """A ``HH:MM`` (or ``HH:MM:SS``) field, returned as ``HH:MM:SS`` for comparisons."""
    value = _given(body, name, required, errors)
    if value is None:
        return None
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        errors.append(_invalid_format(name, value))
        return None
    return value if len(value) == 8 else value + ":00"


def _check_text(
    value: Any,
    name: str,
    errors: list[dict[str, str]],
    valid: Callable[[str], Any] | None = None,
) -> None:
    """A required text field: empty, not a string, or (when ``valid`` rejects it)
    malformed, each with CDEK's own error code."""
    if _is_empty(value):
        errors.append(_field_empty(name))
    elif not isinstance(value, str):
        errors.append(_wrong_type(name))
    elif valid is not None and not valid(value):
        errors.append(_invalid_format(name, value))


def _check_time_order(
    start: str | None, end: str | None, names: tuple[str, str], errors: list[dict[str, str]]
) -> None:
    """A time window must open before it closes (intakes, delivery appointments)."""
    if start is not None and end is not None and start >= end:
        message = f"{names[0]} must be earlier than {names[1]}"
        errors.append(_error("v2_invalid_format", message))


def _choice(
    body: dict[str, Any],
    name: str,
    allowed: Collection[str],
    default: str,
    errors: list[dict[str, str]],
    normalise: Callable[[str], str],
) -> str:
    value = body.get(name)
    if _is_empty(value):
        return default
    if not isinstance(value, str):
        errors.append(_wrong_type(name))
        return default
    if normalise(value) not in allowed:
        errors.append(_invalid_format(name, value))
        return default
    return normalise(value)


def _order_refs(value: Any, limit: int | None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The ``orders`` list of a print form or prealert: normalised refs, and static errors."""
    errors: list[dict[str, str]] = []
    refs: list[dict[str, str]] = []
    if _is_empty(value):
        return refs, [_field_empty("orders")]
    if not isinstance(value, list):
        return refs, [_wrong_type("orders")]
    if limit is not None and len(value) > limit:
        message = f"Too many orders in one request: {len(value)}, at most {limit}"
        return refs, [_error("v2_exceeded_size", message)]
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(_wrong_type(f"orders[{index}]"))
            continue
        order_uuid, cdek_number = item.get("order_uuid"), item.get("cdek_number")
        if not _is_empty(order_uuid):
            try:
                refs.append({"order_uuid": str(uuid_module.UUID(str(order_uuid)))})
            except ValueError:
                errors.append(_invalid_format(f"orders[{index}].order_uuid", order_uuid))
        elif not _is_empty(cdek_number):
            if _is_digits(cdek_number):
                refs.append({"cdek_number": str(cdek_number)})
            else:
                errors.append(_wrong_type(f"orders[{index}].cdek_number"))
        else:
            errors.append(_field_empty(f"orders[{index}].order_uuid"))
    return refs, errors


# --- query parameters (``args`` is werkzeug's MultiDict, or a plain dict for ``lang``) ---


def _query_lang(args: Any) -> str:
    """``lang`` of a reference GET: ``eng`` when asked for, else Russian (anything else too)."""
    return "eng" if args.get("lang", "").strip().lower() == "eng" else "rus"


def _query_list(args: Any, name: str) -> list[str]:
    """A list query parameter: repeated (``a=1&a=2``), comma-separated (``a=1,2``), or as
    OPI sends lists (``a=[1,2]``, possibly quoted)."""
    values: list[str] = []
    for raw in args.getlist(name):
        for part in raw.strip().strip("[]").split(","):
            part = part.strip().strip("'\"").strip()
            if part:
                values.append(part)
    return values


def _query_int(args: Any, name: str, minimum: int | None = None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET") from None
    if minimum is not None and value < minimum:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET")
    return value


def _query_bool(args: Any, name: str) -> bool | None:
    """``true``/``false`` (or 1/0); anything else is ignored, as CDEK ignores it."""
    raw = args.get(name, "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(raw)


def _query_date(args: Any, name: str) -> date:
    raw = args.get(name, "").strip()
    if not raw:
        raise _ApiError(400, [_field_empty(name)], "GET")
    parsed = _parse_date(raw)
    if parsed is None:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET")
    return parsed


def _paging(args: Any, max_page_size: int, hard_limit: int | None = None) -> slice:
    """The slice of a paged list that ``page`` (from 0) and ``size`` ask for: ``size``
    defaults to, and is capped at, ``max_page_size``; above ``hard_limit`` it is a 400
    v2_invalid_format."""
    page = _query_int(args, "page", minimum=0) or 0
    size = _query_int(args, "size", minimum=1)
    if size is not None and hard_limit is not None and size > hard_limit:
        raise _ApiError(400, [_invalid_format("size", size)], "GET")
    size = max_page_size if size is None else min(size, max_page_size)
    return slice(page * size, (page + 1) * size)
