"""Where an order, intake or delivery appointment goes, as CDEK shows it: a location a
client named (``{"code"}``, ``{"postal_code"}`` or ``{"city"}`` of a reference city, or an
office code) resolved to the city's facts, in the shape of CDEK's ``from_location`` /
``to_location`` answers."""

from __future__ import annotations

from typing import Any

from . import reference
from .locations import InputError, resolve_location

#: KLADR codes of the cities whose FIAS ids are CDEK's too (the others have none).
_KLADR_CODES = {
    44: "7700000000000",
    137: "7800000000000",
    270: "5400000100000",
    250: "6600000100000",
    424: "1600000100000",
}

_OFFICES = {office["code"]: office for office in reference.offices(extended=True)}


def office(code: Any) -> dict[str, Any] | None:
    """The reference office (pickup point) with that code, if any."""
    return _OFFICES.get(code) if isinstance(code, str) else None


def city_of(location: Any, point: Any = None) -> dict[str, Any] | None:
    """The reference city's facts a location names, else the city of the office ``point``;
    None when neither names one (the caller decides whether that is an error)."""
    if isinstance(location, dict) and location:
        try:
            return resolve_location(location, "location")
        except InputError:
            return None
    found = office(point)
    return reference.CITIES.get(found["location"]["city_code"]) if found else None


def shown_location(location: Any, point: Any = None) -> dict[str, Any] | None:
    """A location as CDEK's answers show it: the city's facts (code, uuid, names, FIAS and
    KLADR ids where known, region, coordinates), then the address and postal code the
    client gave (an office's own for an office), else the city's first postal code."""
    facts = city_of(location, point)
    if facts is None:
        return None
    shown = reference.city_object(facts)
    for key in ("time_zone", "payment_limit"):
        shown.pop(key)
    if facts["code"] in _KLADR_CODES:
        shown["kladr_code"] = _KLADR_CODES[facts["code"]]
    given = location if isinstance(location, dict) and location else None
    if given is None and office(point) is not None:
        given = office(point)["location"]  # type: ignore[index]
    given = given or {}
    if isinstance(given.get("address"), str) and given["address"]:
        shown["address"] = given["address"]
    postal = given.get("postal_code")
    shown["postal_code"] = str(postal) if postal not in (None, "") else facts["postal_codes"][0]
    return shown
