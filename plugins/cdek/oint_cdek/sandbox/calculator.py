"""The CDEK sandbox's delivery calculator: deterministic prices and terms from a formula.

CDEK's real prices depend on contracts, zones and the day; the sandbox's depend only on the
tariff, the weight and the distance, so a test can compute every number itself.

Inputs
------
- ``from_location`` / ``to_location``: a reference city, by ``code``, else ``postal_code``,
  else ``city`` (its Russian or English name, case-insensitive); see ``locations``.
- ``distance_km``: the haversine distance between the two cities' reference coordinates on a
  sphere of radius 6371.0 km, rounded half up to whole km (0 within one city).
- ``packages[]``: ``weight`` in grams (required, > 0); ``length``, ``width``, ``height`` in cm
  (optional; a package's volume counts only when all three are given).
- ``weight_calc`` = ceil(max(sum of weights, sum of length x width x height / 5)) grams
  (CDEK's volumetric divisor 5000 cm3/kg); ``kg`` = ceil(weight_calc / 1000).

Formula
-------
::

    delivery_sum = base + per_kg * kg + floor((distance_km * per_100km + 50) / 100)
    period_min   = 1 + distance_km // 1000 + extra_days
    period_max   = period_min + 2
    calendar_min = period_min + 1
    calendar_max = period_max + 1
    total_sum    = delivery_sum + sum of the services' sums
    delivery_date_range = today + period_min days .. today + period_max days

(the distance term is ``distance_km * per_100km / 100`` roubles rounded half up). Sums are
JSON numbers in roubles (``delivery_sum`` is whole roubles, shown as e.g. ``1234.0``).

The tariffs and their parameters (``base``, ``per_kg``, ``per_100km``, ``extra_days``) are
in ``tariffs.py``: CDEK's common tariff codes and names with the sandbox's own prices.

Delivery modes (CDEK's): 1 door-door, 2 door-office, 3 office-door, 4 office-office,
6 door-parcel locker, 7 office-parcel locker.

Services (``services[]: {"code", "parameter"}``; any other code is 400 ``v2_invalid_value``):

- ``INSURANCE``: 0.75% of ``parameter`` (the declared value, required, >= 0), rounded half
  up to kopecks;
- ``SMS``: 12.0; ``TRYING_ON``: 30.0; ``PART_DELIV``: 50.0 (flat, ``parameter`` ignored);
- ``PACKAGE_1``: 45.0 x ``parameter`` (a count of boxes, default 1).

International restrictions are in ``restrictions.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeGuard

from .locations import (
    InputError,
    distance_km,
    error,
    field_empty,
    resolve_location,
    wrong_type,
)
from .tariffs import DELIVERY_MODES, TARIFFS, Tariff

__all__ = [
    "DELIVERY_MODES",
    "SERVICES",
    "TARIFFS",
    "Shipment",
    "Tariff",
    "all_tariffs",
    "parse_shipment",
    "price_services",
    "quote",
]


#: Flat service prices; INSURANCE and PACKAGE_1 are priced from their parameter.
_FLAT_SERVICES = {
    "SMS": Decimal("12.00"),
    "TRYING_ON": Decimal("30.00"),
    "PART_DELIV": Decimal("50.00"),
}
_INSURANCE_RATE = Decimal("0.0075")
_PACKAGE_PRICE = Decimal("45.00")
SERVICES = frozenset({"INSURANCE", "PACKAGE_1", *_FLAT_SERVICES})

_VOLUMETRIC_DIVISOR = 5  # cm3 per gram: CDEK's 5000 cm3 per kg
_SIDES = ("length", "width", "height")


@dataclass
class Shipment:
    """A validated calculator body."""

    tariff: Tariff | None
    from_city: dict[str, Any]
    to_city: dict[str, Any]
    weight_calc: int
    services: list[tuple[str, Any]]
    lang: str
    #: The day the shipment is handed over (the sandbox's today): delivery dates count from it.
    today: date

    @property
    def distance_km(self) -> int:
        return distance_km(self.from_city, self.to_city)

    @property
    def international(self) -> bool:
        return bool(self.from_city["country_code"] != self.to_city["country_code"])


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _invalid_value(name: str, value: Any) -> dict[str, str]:
    return error("v2_invalid_value", f"Invalid value [{value}] in [{name}] field")


def _tariff(body: dict[str, Any], required: bool, errors: list[dict[str, str]]) -> Tariff | None:
    value = body.get("tariff_code")
    if value is None or value == "":
        if required:
            errors.append(field_empty("tariff_code"))
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        errors.append(wrong_type("tariff_code"))
        return None
    tariff = TARIFFS.get(int(value))
    if tariff is None:
        errors.append(_invalid_value("tariff_code", value))
    return tariff


def _weight_calc(packages: Any, required: bool, errors: list[dict[str, str]]) -> int:
    """``weight_calc`` in grams (0 when packages are optional and absent)."""
    if packages is None or packages == []:
        if required:
            errors.append(field_empty("packages"))
        return 0
    if not isinstance(packages, list):
        errors.append(wrong_type("packages"))
        return 0
    weight = Decimal(0)
    volume = Decimal(0)
    for index, package in enumerate(packages):
        name = f"packages[{index}]"
        if not isinstance(package, dict):
            errors.append(wrong_type(name))
            continue
        grams = package.get("weight")
        if grams is None or grams == "":
            errors.append(field_empty(f"{name}.weight"))
        elif not _is_number(grams):
            errors.append(wrong_type(f"{name}.weight"))
        elif grams <= 0:
            errors.append(error("v2_invalid_format", f"Invalid value [{grams}] in [{name}.weight]"))
        else:
            weight += Decimal(str(grams))
        sides = [package.get(side) for side in _SIDES]
        for side, value in zip(_SIDES, sides, strict=True):
            if value is not None and (not _is_number(value) or value < 0):
                errors.append(wrong_type(f"{name}.{side}"))
        if all(_is_number(value) and value >= 0 for value in sides):
            volume += Decimal(str(sides[0])) * Decimal(str(sides[1])) * Decimal(str(sides[2]))
    return math.ceil(max(weight, volume / _VOLUMETRIC_DIVISOR))


def _services(value: Any, errors: list[dict[str, str]]) -> list[tuple[str, Any]]:
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        errors.append(wrong_type("services"))
        return []
    found: list[tuple[str, Any]] = []
    for index, service in enumerate(value):
        name = f"services[{index}]"
        if not isinstance(service, dict):
            errors.append(wrong_type(name))
            continue
        code, parameter = service.get("code"), service.get("parameter")
        if code is None or code == "":
            errors.append(field_empty(f"{name}.code"))
        elif not isinstance(code, str):
            errors.append(wrong_type(f"{name}.code"))
        elif code.upper() not in SERVICES:
            errors.append(_invalid_value(f"{name}.code", code))
        else:
            code = code.upper()
            amount = _parameter(parameter)
            if code == "INSURANCE" and (parameter is None or parameter == ""):
                errors.append(field_empty(f"{name}.parameter"))
                continue
            if code in ("INSURANCE", "PACKAGE_1") and parameter not in (None, ""):
                minimum = 1 if code == "PACKAGE_1" else 0
                if amount is None or amount < minimum or (code == "PACKAGE_1" and amount % 1):
                    errors.append(_invalid_value(f"{name}.parameter", parameter))
                    continue
            found.append((code, amount))
    return found


def _parameter(value: Any) -> Decimal | None:
    """A service parameter as a number (CDEK sends it as a string), or None."""
    if _is_number(value):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return None
        return number if number.is_finite() else None
    return None


def parse_shipment(
    body: dict[str, Any],
    *,
    tariff_required: bool,
    packages_required: bool,
    today: date,
) -> Shipment:
    """Validate a calculator body (every error at once), or raise ``InputError``."""
    errors: list[dict[str, str]] = []
    tariff = _tariff(body, tariff_required, errors)
    cities = {}
    for name in ("from_location", "to_location"):
        try:
            cities[name] = resolve_location(body.get(name), name)
        except InputError as problem:
            errors.extend(_not_recognized(name, e) for e in problem.errors)
    weight = _weight_calc(body.get("packages"), packages_required, errors)
    services = _services(body.get("services"), errors)
    if errors:
        raise InputError(errors)
    lang = "eng" if str(body.get("lang") or "").lower() == "eng" else "rus"
    return Shipment(
        tariff, cities["from_location"], cities["to_location"], weight, services, lang, today
    )


#: CDEK's codes for a calculator location that names no city it knows.
_NOT_RECOGNIZED = {
    "from_location": ("v2_sender_location_not_recognized", "Sender location is not recognized"),
    "to_location": (
        "v2_recipient_location_not_recognized",
        "Recipient location is not recognized",
    ),
}


def _not_recognized(name: str, problem: dict[str, str]) -> dict[str, str]:
    """An unknown city is CDEK's ``v2_*_location_not_recognized``; other problems stay."""
    if problem["code"] != "v2_entity_not_found":
        return problem
    code, message = _NOT_RECOGNIZED[name]
    return error(code, message)


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def price_services(services: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """``[{"code", "sum"}]`` for the services of a shipment, in the order given."""
    priced = []
    for code, parameter in services:
        if code == "INSURANCE":
            amount = parameter * _INSURANCE_RATE
        elif code == "PACKAGE_1":
            amount = _PACKAGE_PRICE * (parameter if parameter is not None else 1)
        else:
            amount = _FLAT_SERVICES[code]
        money = _money(amount)
        priced.append(
            {
                "code": code,
                "sum": money,
                "total_sum": money,
                "discount_percent": 0.0,
                "discount_sum": 0.0,
                "vat_rate": 0.0,
                "vat_sum": 0.0,
            }
        )
    return priced


def quote(tariff: Tariff, shipment: Shipment) -> dict[str, Any]:
    """Price and terms of one tariff for a shipment (see the module's formula)."""
    distance = shipment.distance_km
    kg = -(-shipment.weight_calc // 1000)
    delivery_sum = tariff.base + tariff.per_kg * kg + (distance * tariff.per_100km + 50) // 100
    period_min = 1 + distance // 1000 + tariff.extra_days
    period_max = period_min + 2
    return {
        "delivery_sum": float(delivery_sum),
        "period_min": period_min,
        "period_max": period_max,
        "calendar_min": period_min + 1,
        "calendar_max": period_max + 1,
        "weight_calc": shipment.weight_calc,
        "delivery_date_range": {
            "min": (shipment.today + timedelta(days=period_min)).isoformat(),
            "max": (shipment.today + timedelta(days=period_max)).isoformat(),
        },
    }


def tariff_answer(shipment: Shipment) -> dict[str, Any]:
    """``POST /v2/calculator/tariff``."""
    assert shipment.tariff is not None
    answer = quote(shipment.tariff, shipment)
    services = price_services(shipment.services)
    total = Decimal(str(answer["delivery_sum"])) + sum(
        (Decimal(str(s["sum"])) for s in services), Decimal(0)
    )
    answer.update({"services": services, "total_sum": _money(total), "currency": "RUB"})
    return answer


def tariff_and_services(shipment: Shipment) -> dict[str, Any]:
    """``POST /v2/calculator/tariffAndService``: every tariff priced with the services."""
    codes = []
    for tariff in TARIFFS.values():
        answer = tariff_answer(Shipment(**{**shipment.__dict__, "tariff": tariff}))
        codes.append({"tariff_code": tariff.code, "status": "success", "result": answer})
    return {"tariff_codes": codes}


def list_item(tariff: Tariff, shipment: Shipment) -> dict[str, Any]:
    """One tariff of ``/calculator/tarifflist``."""
    terms = quote(tariff, shipment)
    return {
        "tariff_code": tariff.code,
        "tariff_name": tariff.name(shipment.lang),
        "tariff_description": tariff.description(shipment.lang),
        "delivery_mode": tariff.delivery_mode,
        "delivery_sum": terms["delivery_sum"],
        "period_min": terms["period_min"],
        "period_max": terms["period_max"],
        "calendar_min": terms["calendar_min"],
        "calendar_max": terms["calendar_max"],
        "delivery_date_range": terms["delivery_date_range"],
    }


def all_tariffs(lang: str) -> dict[str, Any]:
    """``GET /v2/calculator/alltariffs``: every tariff with its delivery mode."""
    english = lang == "eng"
    return {
        "tariff_codes": [
            {
                "tariff_code": tariff.code,
                "tariff_name": tariff.name(lang),
                "delivery_modes": [
                    {
                        "delivery_mode": tariff.delivery_mode,
                        "delivery_mode_name": DELIVERY_MODES[tariff.delivery_mode][
                            1 if english else 0
                        ],
                    }
                ],
            }
            for tariff in TARIFFS.values()
        ]
    }
