"""The sandbox's error family: the exceptions a handler raises to answer a CDEK error, and
the builders of CDEK's ``{"code", "message"}`` error dicts.

``InputError`` lives in ``locations.py`` (the calculator and the city lookups raise it
without importing the rest of the sandbox); it is re-exported here so the whole family is in
one place.
"""

from __future__ import annotations

from typing import Any

from .locations import InputError

__all__ = [
    "InputError",
    "_ApiError",
    "_AuthFailure",
    "_error",
    "_field_empty",
    "_invalid_format",
    "_number_not_found",
    "_parameters_empty",
    "_uuid_not_found",
    "_wrong_type",
]


class _ApiError(Exception):
    """A CDEK error answer raised from deep inside a handler; the app's router renders it."""

    def __init__(
        self, status: int, errors: list[dict[str, str]], request_type: str | None = None
    ) -> None:
        super().__init__(errors[0]["message"] if errors else str(status))
        self.status = status
        self.errors = errors
        self.request_type = request_type


class _AuthFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _uuid_not_found(value: Any) -> dict[str, str]:
    """CDEK's error for a uuid that names no entity (of this kind)."""
    return _error("v2_entity_not_found", f"Entity is not found by uuid {value}")


def _number_not_found(value: Any) -> dict[str, str]:
    """CDEK's documented error for a ``cdek_number`` that names no order."""
    return _error("v2_order_not_found", f"Order not found by cdek_number {value}")


def _parameters_empty(wanted: str) -> dict[str, str]:
    """The error for a GET given none of the query parameters it needs (``wanted``)."""
    return _error("v2_parameters_empty", f"All parameters are empty (give {wanted})")


def _field_empty(name: str) -> dict[str, str]:
    return _error("v2_field_is_empty", f"[{name}] is empty")


def _wrong_type(name: str) -> dict[str, str]:
    return _error("v2_invalid_value_type", f"Invalid value type in [{name}] field")


def _invalid_format(name: str, value: Any) -> dict[str, str]:
    return _error("v2_invalid_format", f"Invalid value [{value}] in [{name}] parameter")
