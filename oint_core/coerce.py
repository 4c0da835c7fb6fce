"""Turning what a caller gave (CLI strings or Python values) into each kind's value.

One function per kind; all of them raise ``UsageError`` naming the parameter the way the
caller spelled it (``--uuid`` on the CLI, ``uuid`` in Python) and never echo a secret.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid as uuidlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import UsageError
from .metadata import Kind, Param

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "off"})


class _Invalid(ValueError):
    """Raised by a reader with the reason a value does not fit its kind."""


def _show(param: Param, value: Any) -> str:
    if param.secret:
        return "the given value"
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


def _uuid(param: Param, value: Any) -> str:
    if isinstance(value, uuidlib.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            uuidlib.UUID(value.strip())
        except ValueError:
            raise _Invalid(
                "is not a UUID (expected like f1799065-01de-448c-91cf-8afe7d4c0cfc)"
            ) from None
        return value.strip()
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
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Invalid("is not an integer")


def _number(param: Param, value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Invalid("is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            pass
        else:
            if number == number and number not in (float("inf"), float("-inf")):
                return int(number) if number.is_integer() and "." not in value else number
    raise _Invalid("is not a number")


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
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
    raise _Invalid("is not a date-time (expected ISO 8601, like 2026-03-07T14:55:51)")


def _choice(param: Param, value: Any) -> str:
    if isinstance(value, str):
        for choice in param.choices:
            if value.strip().lower() == choice.lower():
                return choice
    raise _Invalid(f"is not one of: {', '.join(param.choices)}")


def parse_json_text(text: str) -> Any:
    """Strict JSON first; then OPI's pseudo-JSON (single quotes), which JSON5 covers.

    Raises ``_Invalid`` saying where the text broke.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        strict_error = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    import json5  # only for the rare non-JSON value; keeps start-up light

    try:
        return json5.loads(text)
    except ValueError:
        raise _Invalid(f"is not valid JSON ({strict_error})") from None


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
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        parsed = parse_json_text(_read_source(value))
        if isinstance(parsed, dict):
            return parsed
    raise _Invalid("is not a JSON object")


def _list(param: Param, value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return [text]  # one plain value, as OPI accepts
        parsed = parse_json_text(text)
        if isinstance(parsed, list):
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
