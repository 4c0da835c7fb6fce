"""City lookups of the CDEK sandbox: suggestions, filters, nearest city, distances.

Pure functions over ``reference.CITIES`` (no state, no werkzeug). Problems with a client's
input are raised as ``InputError`` carrying CDEK-style ``{"code", "message"}`` errors; the
app renders them in its usual error envelope.

Distances are great-circle distances (haversine) on a sphere of radius ``EARTH_RADIUS_KM``
between the cities' reference coordinates; ``distance_km`` rounds them half up to whole
kilometres, which is what the calculator uses.
"""

from __future__ import annotations

import math
from typing import Any

from . import reference

__all__ = [
    "EARTH_RADIUS_KM",
    "InputError",
    "distance_km",
    "find_cities",
    "haversine_km",
    "nearest_city",
    "resolve_location",
    "suggest",
]

EARTH_RADIUS_KM = 6371.0


class InputError(Exception):
    """A 4xx answer about the client's input: CDEK-style errors and an HTTP status."""

    def __init__(self, errors: list[dict[str, str]], status: int = 400) -> None:
        super().__init__(errors[0]["message"] if errors else str(status))
        self.errors = errors
        self.status = status


def error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def field_empty(name: str) -> dict[str, str]:
    return error("v2_field_is_empty", f"[{name}] is empty")


def wrong_type(name: str) -> dict[str, str]:
    return error("v2_invalid_value_type", f"Invalid value type in [{name}] field")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_km(city_a: dict[str, Any], city_b: dict[str, Any]) -> int:
    """Haversine distance between two reference cities, rounded half up to whole km."""
    exact = haversine_km(
        city_a["latitude"], city_a["longitude"], city_b["latitude"], city_b["longitude"]
    )
    return math.floor(exact + 0.5)


def _names(facts: dict[str, Any]) -> tuple[str, str]:
    return facts["city"].casefold(), facts["city_en"].casefold()


def suggest(name: str, country_code: str | None = None) -> list[dict[str, Any]]:
    """Cities whose Russian or English name starts with ``name`` (case-insensitive):
    ``[{"city_uuid", "code", "full_name"}]``, ``full_name`` being "city, region, country" in
    Russian (the region is left out when it is the city itself, as for Moscow)."""
    prefix = name.strip().casefold()
    country = (country_code or "").strip().upper()
    found = []
    for facts in reference.CITIES.values():
        if country and facts["country_code"] != country:
            continue
        if not any(known.startswith(prefix) for known in _names(facts)):
            continue
        shown = reference.city_object(facts, "rus")
        parts = [shown["city"]]
        if shown["region"] != shown["city"]:
            parts.append(shown["region"])
        parts.append(shown["country"])
        found.append(
            {
                "city_uuid": facts["city_uuid"],
                "code": facts["code"],
                "full_name": ", ".join(parts),
                "country_code": facts["country_code"],
            }
        )
    return found


def find_cities(
    *,
    countries: set[str] | None = None,
    region_code: int | None = None,
    fias_guid: str | None = None,
    postal_code: str | None = None,
    code: int | None = None,
    city: str | None = None,
    lang: str = "rus",
) -> list[dict[str, Any]]:
    """Cities (CDEK's ``/location/cities`` shape) matching every filter given."""
    wanted_name = city.strip().casefold() if city else None
    wanted_fias = fias_guid.strip().lower() if fias_guid else None
    found = []
    for facts in reference.CITIES.values():
        checks = [
            not countries or facts["country_code"] in countries,
            region_code is None or facts["region_code"] == region_code,
            wanted_fias is None or facts["fias_guid"] == wanted_fias,
            not postal_code or postal_code in facts["postal_codes"],
            code is None or facts["code"] == code,
            wanted_name is None or wanted_name in _names(facts),
        ]
        if all(checks):
            found.append(reference.city_object(facts, lang))
    return found


def nearest_city(latitude: float, longitude: float) -> dict[str, Any]:
    """The reference city's facts nearest to a point (the first listed wins a tie)."""
    return min(
        reference.CITIES.values(),
        key=lambda facts: haversine_km(latitude, longitude, facts["latitude"], facts["longitude"]),
    )


def city_by_code(code: int) -> dict[str, Any] | None:
    return reference.CITIES.get(code)


def resolve_location(location: Any, name: str) -> dict[str, Any]:
    """The reference city a calculator-style location (``{"code"}``, else
    ``{"postal_code"}``, else ``{"city"}``) names; raise ``InputError`` when it names none.

    Errors: ``v2_field_is_empty`` (no location, or none of the three keys),
    ``v2_invalid_value_type`` (not an object; a code that is not an integer),
    ``v2_entity_not_found`` (no such city; chosen by the sandbox, CDEK's own code for an
    unknown calculator location is not documented)."""
    if location is None or location == {} or location == "":
        raise InputError([field_empty(name)])
    if not isinstance(location, dict):
        raise InputError([wrong_type(name)])
    code, postal, city = location.get("code"), location.get("postal_code"), location.get("city")
    if code is not None and code != "":
        if isinstance(code, bool) or not (
            isinstance(code, int) or (isinstance(code, str) and code.strip().isdigit())
        ):
            raise InputError([wrong_type(f"{name}.code")])
        facts = reference.CITIES.get(int(code))
        what = f"code {int(code)}"
    elif postal is not None and postal != "":
        if not isinstance(postal, (str, int)) or isinstance(postal, bool):
            raise InputError([wrong_type(f"{name}.postal_code")])
        wanted = str(postal).strip()
        facts = next(
            (f for f in reference.CITIES.values() if wanted in f["postal_codes"]),
            None,
        )
        what = f"postal_code {wanted}"
    elif city is not None and city != "":
        if not isinstance(city, str):
            raise InputError([wrong_type(f"{name}.city")])
        wanted = city.strip().casefold()
        facts = next((f for f in reference.CITIES.values() if wanted in _names(f)), None)
        what = f"city {city.strip()}"
    else:
        raise InputError([field_empty(f"{name}.code")])
    if facts is None:
        message = f"Location is not found by {what} [{name}]"
        raise InputError([error("v2_entity_not_found", message)])
    return facts
