"""Turning what a caller gave (CLI strings or Python values) into each kind's value.

One function per kind; all of them raise ``UsageError`` naming the parameter the way the
caller spelled it (``--uuid`` on the CLI, ``uuid`` in Python) and never echo a secret.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import sys
import uuid as uuidlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import UsageError
from .metadata import Kind, Param

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "on"})
#: The deepest nesting an object or list option may have: CDEK's bodies go about 5 deep.
MAX_DEPTH = 64
#: CDEK's integers are int32/int64.
INT64 = 2**63
_ASCII_SPACE = " \t\r\n"
# What CDEK accepts (its spec: format uuid), in either letter case; sent in lower case.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Plain ASCII digits: no "_", no "0x", no Arabic-Indic or full-width digits.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Date-times are sent as CDEK's YYYY-MM-DDTHH:MM:SS+0000: four digits of year, in UTC.
MIN_YEAR, MAX_YEAR = 1000, 9999
FALSE_WORDS = frozenset({"false", "0", "no", "n", "off"})


class _Invalid(ValueError):
    """Raised by a reader with the reason a value does not fit its kind."""


def _show(param: Param, value: Any) -> str:
    if param.secret:
        return "the given value"
    if isinstance(value, (dict, list, tuple)):  # may nest 100,000 deep, or be a cycle
        import reprlib

        shorter = reprlib.Repr()
        shorter.maxlevel = 2
        return shorter.repr(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def coerce(param: Param, value: Any, *, label: str) -> Any:
    """Check ``value`` against ``param`` and return it in the kind's Python form."""
    try:
        result = _READERS[param.kind](param, value)
    except _Invalid as exc:
        raise UsageError(f"{label}: {_show(param, value)} {exc}", option=param.option) from None
    if param.items is not None:
        item = param.replace(kind=param.items, items=None)
        result = [coerce(item, element, label=f"{label}[{i}]") for i, element in enumerate(result)]
    return result


def _string(param: Param, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Invalid("is not a string")


def canonical_uuid(value: Any) -> str | None:
    """``value`` in the canonical 8-4-4-4-12 spelling (lower case) if it is exactly a UUID
    so spelled, else None. For a UUID chosen by a server before it goes into a URL path:
    ``"../../x"``, a full URL or anything padded is refused, not cleaned up."""
    if isinstance(value, str) and _UUID.fullmatch(value):
        return value.lower()
    return None


def _uuid(param: Param, value: Any) -> str:
    if isinstance(value, uuidlib.UUID):
        return str(value)
    if isinstance(value, str):
        text = value.strip(_ASCII_SPACE)
        if _UUID.fullmatch(text):
            return text.lower()
        raise _Invalid(
            "is not a UUID (expected 8-4-4-4-12 hex digits,"
            " like f1799065-01de-448c-91cf-8afe7d4c0cfc)"
        )
    raise _Invalid("is not a UUID")


def _boolean(param: Param, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _Invalid("is not a boolean (use true/false, 1/0 or yes/no)")


def _integer(param: Param, value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid("is not an integer")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip(_ASCII_SPACE)
        if _INTEGER.fullmatch(text) and len(text) <= 20:
            number = int(text)
    if number is None:
        raise _Invalid("is not an integer (plain digits, like 42)")
    if not -INT64 <= number < INT64:
        raise _Invalid("is out of range (a 64-bit integer)")
    return number


def _number(param: Param, value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Invalid("is not a number")
    number: float | int | None = None
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        text = value.strip(_ASCII_SPACE)
        if _DECIMAL.fullmatch(text) and len(text) <= 64:
            parsed = float(text)
            number = int(parsed) if parsed.is_integer() and "." not in text else parsed
    if number is None or not math.isfinite(number):
        raise _Invalid("is not a finite number (like 42 or 0.5)")
    return number


def _date(param: Param, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:  # a date-time is accepted too; only its date is used
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise _Invalid("is not a date (expected ISO 8601, like 2026-03-07)")


def _datetime(param: Param, value: Any) -> dt.datetime:
    result: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            result = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if result is None:
        raise _Invalid("is not a date-time (expected ISO 8601, like 2026-03-07T14:55:51)")
    try:  # it is sent in UTC: the conversion must stay within four-digit years
        utc = result.astimezone(dt.timezone.utc) if result.utcoffset() is not None else result
    except OverflowError:
        utc = None
    if utc is None or not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise _Invalid(f"is out of range (years {MIN_YEAR} to {MAX_YEAR}, in UTC)")
    return result


def _choice(param: Param, value: Any) -> str:
    if isinstance(value, str):
        for choice in param.choices:
            if value.strip().lower() == choice.lower():
                return choice
    raise _Invalid(f"is not one of: {', '.join(param.choices)}")


def parse_json_text(text: str) -> Any:
    """Strict JSON first; then OPI's pseudo-JSON (single quotes), which JSON5 covers.

    Raises ``_Invalid`` saying where the text broke, or that it nests too deeply.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        strict_error = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except RecursionError:
        raise _Invalid(f"is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        strict_error = str(exc)
    import json5  # only for the rare non-JSON value; keeps start-up light

    try:
        return json5.loads(text)
    except RecursionError:
        raise _Invalid(f"is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:
        raise _Invalid(f"is not valid JSON ({strict_error})") from None


def check_json_value(value: Any) -> None:
    """Raise ``_Invalid`` unless ``value`` can be sent as JSON as it is: nested at most
    ``MAX_DEPTH`` deep (so a cycle ends too), and no NaN or infinite number (JSON has none)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            raise _Invalid(f"contains {node!r}, which JSON cannot carry")
        if isinstance(node, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise _Invalid(f"is nested more than {MAX_DEPTH} levels deep")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)


def _read_source(value: str) -> str:
    """``-`` means standard input; text that is not inline JSON may name a file."""
    if value == "-":
        return sys.stdin.read()
    text = value.strip()
    if text[:1] in "{[":
        return text
    path = Path(text).expanduser()
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte, …
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _Invalid(f"names a file that cannot be read ({exc})") from None
    raise _Invalid("is neither inline JSON nor the path of a JSON file")


def _object(param: Param, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = parse_json_text(_read_source(value))
    if isinstance(value, dict):
        check_json_value(value)
        return value
    raise _Invalid("is not a JSON object")


def _list(param: Param, value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        check_json_value(value)
        return list(value)
    if isinstance(value, str):
        text = value.strip(_ASCII_SPACE)
        if not text.startswith("["):
            return [text]  # one plain value, as OPI accepts
        parsed = parse_json_text(text)
        if isinstance(parsed, list):
            check_json_value(parsed)
            return parsed
    raise _Invalid("is not a list (give a JSON array or one value)")


_READERS: dict[Kind, Callable[[Param, Any], Any]] = {
    Kind.STRING: _string,
    Kind.UUID: _uuid,
    Kind.BOOLEAN: _boolean,
    Kind.INTEGER: _integer,
    Kind.NUMBER: _number,
    Kind.DATE: _date,
    Kind.DATETIME: _datetime,
    Kind.CHOICE: _choice,
    Kind.OBJECT: _object,
    Kind.LIST: _list,
}
