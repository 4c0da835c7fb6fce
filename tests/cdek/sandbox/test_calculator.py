"""Calculators, delivery estimates, reverse availability: the documented formula, shapes, errors."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient
from .conftest import FRIDAY_NOON, Client, city, error_code, errors_of, shipment

SHIPMENT = {
    "tariff_code": 136,
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"weight": 1000}],
}


def test_calculator_errors_are_bare_and_name_the_location(
    sandbox: RunningSandbox, http: requests.Session
) -> None:
    client = SandboxClient.login(sandbox, http)
    for path in ("/calculator/tariff", "/calculator/tarifflist", "/calculator/tariffAndService"):
        answer = client.post(path, json={**SHIPMENT, "to_location": {"code": 999999}})
        assert answer.status_code == 400
        assert answer.json() == {
            "errors": [
                {
                    "code": "v2_recipient_location_not_recognized",
                    "message": "Recipient location is not recognized",
                }
            ]
        }
    sender = client.post("/calculator/tariff", json={**SHIPMENT, "from_location": {"city": "?"}})
    assert [e["code"] for e in sender.json()["errors"]] == ["v2_sender_location_not_recognized"]


def test_calculator_shapes(sandbox: RunningSandbox, http: requests.Session) -> None:
    client = SandboxClient.login(sandbox, http)
    body = {**SHIPMENT, "services": [{"code": "SMS"}]}
    tariff = client.post("/calculator/tariff", json=body).json()
    assert set(tariff["services"][0]) == {
        "code",
        "sum",
        "total_sum",
        "discount_percent",
        "discount_sum",
        "vat_rate",
        "vat_sum",
    }
    assert set(tariff["delivery_date_range"]) == {"min", "max"}
    listed = client.post("/calculator/tarifflist", json=body).json()["tariff_codes"]
    codes = [item["tariff_code"] for item in listed]
    assert {136, 137, 138, 139, 233, 234, 366, 368, 480, 483} <= set(codes)
    assert all("delivery_date_range" in item for item in listed)
    both = client.post("/calculator/tariffAndService", json=body).json()
    assert list(both) == ["tariff_codes"]
    first = both["tariff_codes"][0]
    assert set(first) == {"tariff_code", "status", "result"}
    assert first["result"]["services"][0]["code"] == "SMS"


# --- independent re-statement of the documented formula ------------------------------------------


# The calculator's documented constants, restated: code -> (mode, base, per_kg, per_100km,
# extra_days).
TARIFFS = {
    136: (4, 250, 40, 10, 0),
    137: (3, 320, 45, 12, 0),
    138: (2, 330, 45, 12, 0),
    139: (1, 400, 50, 14, 0),
    233: (3, 200, 30, 8, 2),
    234: (4, 150, 25, 6, 2),
    366: (6, 310, 45, 12, 0),
    368: (7, 240, 40, 10, 0),
    378: (7, 160, 25, 6, 2),
    480: (1, 520, 70, 18, 0),
    481: (2, 450, 65, 16, 0),
    482: (3, 440, 65, 16, 0),
    483: (4, 380, 60, 14, 0),
    485: (6, 430, 65, 16, 0),
    486: (7, 370, 60, 14, 0),
    62: (4, 600, 20, 5, 1),
}


def priced(code: str, amount: float) -> dict[str, Any]:
    """A calculator service as CDEK prices it (the sandbox gives no discount and no VAT)."""
    return {
        "code": code,
        "sum": amount,
        "total_sum": amount,
        "discount_percent": 0.0,
        "discount_sum": 0.0,
        "vat_rate": 0.0,
        "vat_sum": 0.0,
    }


def haversine(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Distance in whole km (rounded half up) between two city objects."""
    la1, lo1, la2, lo2 = (
        math.radians(v) for v in (a["latitude"], a["longitude"], b["latitude"], b["longitude"])
    )
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return math.floor(2 * 6371.0 * math.asin(math.sqrt(h)) + 0.5)


def expected_terms(tariff: int, km: int, grams: int) -> dict[str, Any]:
    _, base, per_kg, per_100km, extra = TARIFFS[tariff]
    kg = math.ceil(grams / 1000)
    period_min = 1 + km // 1000 + extra
    return {
        "delivery_sum": float(base + per_kg * kg + math.floor((km * per_100km + 50) / 100)),
        "period_min": period_min,
        "period_max": period_min + 2,
        "calendar_min": period_min + 1,
        "calendar_max": period_min + 3,
        "delivery_date_range": {
            "min": (FRIDAY_NOON.date() + timedelta(days=period_min)).isoformat(),
            "max": (FRIDAY_NOON.date() + timedelta(days=period_min + 2)).isoformat(),
        },
    }


# --- calculator ----------------------------------------------------------------------------------


def test_calculator_tariff_follows_the_formula(api: Client) -> None:
    km = haversine(city(api, 44), city(api, 270))
    assert 2800 < km < 2850  # Moscow - Novosibirsk, roughly
    services = [
        {"code": "INSURANCE", "parameter": "12345.67"},
        {"code": "PACKAGE_1", "parameter": 2},
        {"code": "SMS"},
    ]
    answer = api.ok("POST", "/calculator/tariff", json=shipment(services=services))
    terms = expected_terms(139, km, 2400)
    insurance = float(
        (Decimal("12345.67") * Decimal("0.0075")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    )
    assert insurance == 92.59
    assert answer == {
        **terms,
        "weight_calc": 2400,
        "services": [
            priced("INSURANCE", insurance),
            priced("PACKAGE_1", 90.0),
            priced("SMS", 12.0),
        ],
        "total_sum": round(terms["delivery_sum"] + insurance + 90.0 + 12.0, 2),
        "currency": "RUB",
    }
    assert answer["delivery_sum"] == 400 + 50 * 3 + math.floor((km * 14 + 50) / 100)
    assert (answer["period_min"], answer["period_max"]) == (3, 5)

    # The same cities by postal code or by name (either language) give the same answer.
    by_postal = shipment(
        from_location={"postal_code": "101000"}, to_location={"city": "novosibirsk"}
    )
    by_name = shipment(from_location={"city": "Москва"}, to_location={"postal_code": 630099})
    plain = api.ok("POST", "/calculator/tariff", json=shipment())
    assert api.ok("POST", "/calculator/tariff", json=by_postal) == plain
    assert api.ok("POST", "/calculator/tariff", json=by_name) == plain
    assert plain["services"] == [] and plain["total_sum"] == plain["delivery_sum"]

    # Within one city the distance is 0: base price, 1 to 3 days.
    local = api.ok(
        "POST",
        "/calculator/tariff",
        json=shipment(tariff_code="136", to_location={"code": 44}, packages=[{"weight": 1}]),
    )
    assert (local["delivery_sum"], local["period_min"], local["weight_calc"]) == (290.0, 1, 1)


def test_calculator_far_and_heavy(api: Client) -> None:
    km = haversine(city(api, 152), city(api, 288))  # Kaliningrad - Vladivostok
    assert km > 7000
    body = shipment(
        tariff_code=234,
        from_location={"code": 152},
        to_location={"code": 288},
        packages=[{"weight": 10500.5}, {"weight": 4999}],
    )
    answer = api.ok("POST", "/calculator/tariff", json=body)
    assert answer["weight_calc"] == 15500  # ceil(15499.5)
    assert {k: answer[k] for k in expected_terms(234, km, 15500)} == expected_terms(234, km, 15500)
    assert answer["period_min"] == 1 + km // 1000 + 2


def test_tarifflist_tariff_and_service_and_alltariffs(api: Client) -> None:
    km = haversine(city(api, 137), city(api, 250))
    body = shipment(from_location={"code": 137}, to_location={"code": 250})
    listed = api.ok("POST", "/calculator/tarifflist", json=body)["tariff_codes"]
    assert [t["tariff_code"] for t in listed] == list(TARIFFS)
    for item in listed:
        code = item["tariff_code"]
        assert item["delivery_mode"] == TARIFFS[code][0]
        assert item["tariff_name"] and item["tariff_description"]
        rest = {
            k: v
            for k, v in item.items()
            if k not in ("tariff_code", "tariff_name", "tariff_description", "delivery_mode")
        }
        assert rest == expected_terms(code, km, 2400)
    english = api.ok("POST", "/calculator/tarifflist", json={**body, "lang": "eng"})
    assert english["tariff_codes"][0]["tariff_name"] == "Parcel office-office"

    services = [{"code": "INSURANCE", "parameter": 10000}, {"code": "trying_on"}]
    both = api.ok("POST", "/calculator/tariffAndService", json={**body, "services": services})
    assert [t["tariff_code"] for t in both["tariff_codes"]] == list(TARIFFS)
    for item, plain in zip(both["tariff_codes"], listed, strict=True):
        assert item["status"] == "success"
        result = item["result"]
        assert result["services"] == [priced("INSURANCE", 75.0), priced("TRYING_ON", 30.0)]
        assert result == {
            **expected_terms(item["tariff_code"], km, 2400),
            "weight_calc": 2400,
            "services": result["services"],
            "total_sum": round(plain["delivery_sum"] + 105.0, 2),
            "currency": "RUB",
        }

    everything = api.read("/calculator/alltariffs")["tariff_codes"]
    assert [t["tariff_code"] for t in everything] == list(TARIFFS)
    assert everything[3]["tariff_name"] == "Посылка дверь-дверь"
    assert everything[3]["delivery_modes"] == [
        {"delivery_mode": 1, "delivery_mode_name": "дверь-дверь"}
    ]
    # The language comes from the X-User-Lang header here; a lang query is not read.
    english = {"Authorization": f"Bearer {api.token}", "X-User-Lang": "eng"}
    eng = api.read("/calculator/alltariffs", headers=english)
    assert eng["tariff_codes"][0]["delivery_modes"][0]["delivery_mode_name"] == "office-office"
    queried = api.read("/calculator/alltariffs", params={"lang": "eng"})["tariff_codes"]
    assert queried[0]["delivery_modes"][0]["delivery_mode_name"] != "office-office"


def test_calculator_errors(api: Client) -> None:
    def errors(body: Any, path: str = "/calculator/tariff") -> list[dict[str, str]]:
        answer = api.post(path, json=body)
        assert list(answer.json()) == ["errors"]  # CDEK's calculators: no requests envelope
        return errors_of(answer, 400)

    assert errors(shipment(tariff_code=999)) == [
        {"code": "v2_invalid_value", "message": "Invalid value [999] in [tariff_code] field"}
    ]
    assert [e["code"] for e in errors(shipment(tariff_code=None))] == ["v2_field_is_empty"]
    assert [e["code"] for e in errors(shipment(tariff_code="abc"))] == ["v2_invalid_value_type"]
    unknown_service = errors(shipment(services=[{"code": "TELEPORT"}]))
    assert unknown_service == [
        {
            "code": "v2_invalid_value",
            "message": "Invalid value [TELEPORT] in [services[0].code] field",
        }
    ]
    assert [e["code"] for e in errors(shipment(services=[{"code": "INSURANCE"}]))] == [
        "v2_field_is_empty"
    ]
    bad_box = shipment(services=[{"code": "PACKAGE_1", "parameter": "1.5"}])
    assert [e["code"] for e in errors(bad_box)] == ["v2_invalid_value"]
    unknown_city = errors(shipment(to_location={"code": 999999}))
    assert unknown_city == [
        {
            "code": "v2_recipient_location_not_recognized",
            "message": "Recipient location is not recognized",
        }
    ]
    assert [e["code"] for e in errors(shipment(from_location={"city": "Atlantis"}))] == [
        "v2_sender_location_not_recognized"
    ]
    assert [e["code"] for e in errors(shipment(from_location={"address": "somewhere"}))] == [
        "v2_field_is_empty"
    ]
    everything_wrong = errors(
        {
            "tariff_code": 1,
            "from_location": "Moscow",
            "packages": [{"weight": "heavy"}, {"weight": 0}],
        }
    )
    assert [e["code"] for e in everything_wrong] == [
        "v2_invalid_value",
        "v2_invalid_value_type",
        "v2_field_is_empty",
        "v2_invalid_value_type",
        "v2_invalid_format",
    ]
    assert errors({**shipment(), "packages": []}, "/calculator/tarifflist") == [
        {"code": "v2_field_is_empty", "message": "[packages] is empty"}
    ]
    not_json = api.post(
        "/calculator/tariff", data="nope", headers={"Authorization": f"Bearer {api.token}"}
    )
    assert error_code(not_json, 400) == "v2_bad_request"


# --- estimated intervals, reverse availability ---------------------------------------------------


def test_estimated_intervals_start_period_min_days_after_the_clock(api: Client) -> None:
    km = haversine(city(api, 44), city(api, 288))  # Moscow - Vladivostok
    body = {
        "date_time": "2026-08-07T12:00:00+0000",
        "tariff_code": 139,
        "from_location": {"code": 44, "address": "ул. Тверская, 7"},
        "to_location": {"code": 288, "address": "ул. Светланская, 1"},
    }
    answer = api.ok("POST", "/delivery/estimatedIntervals", json=body)
    days = 1 + km // 1000
    assert days == 7
    assert [d["date"] for d in answer["date_intervals"]] == [
        "2026-08-14",
        "2026-08-15",
        "2026-08-16",
    ]
    assert answer["date_intervals"][0]["time_intervals"] == [
        {"start_time": "09:00:00", "end_time": "18:00:00"},
        {"start_time": "09:00:00", "end_time": "14:00:00"},
        {"start_time": "14:00:00", "end_time": "18:00:00"},
        {"start_time": "18:00:00", "end_time": "22:00:00"},
    ]
    economy = api.ok("POST", "/delivery/estimatedIntervals", json={**body, "tariff_code": 233})
    assert economy["date_intervals"][0]["date"] == "2026-08-16"  # two extra days
    api.advance(86400)
    later = api.ok("POST", "/delivery/estimatedIntervals", json=body)
    assert later["date_intervals"][0]["date"] == "2026-08-15"
    bad = api.post("/delivery/estimatedIntervals", json={"from_location": {"code": 44}})
    assert errors_of(bad, 400) == [
        {"code": "v2_field_is_empty", "message": f"[{name}] is empty"}
        for name in ("date_time", "tariff_code", "to_location")
    ]


def test_reverse_availability(api: Client) -> None:
    domestic = {
        "from_location": {"code": 270},
        "to_location": {"city": "Kazan"},
        "tariff_code": 136,
    }
    answer = api.post("/reverse/availability", json=domestic)
    assert (answer.status_code, answer.json()) == (200, {})
    abroad = api.post(
        "/reverse/availability", json={"from_location": {"code": 44}, "to_location": {"code": 4756}}
    )
    assert errors_of(abroad, 400) == [
        {
            "code": "v2_reverse_not_available",
            "message": "Reverse shipment is not available between countries RU and KZ",
        }
    ]
    unknown = api.post(
        "/reverse/availability",
        json={"from_location": {"code": 44}, "to_location": {"postal_code": "000000"}},
    )
    assert error_code(unknown, 400) == "v2_recipient_location_not_recognized"
    assert (
        error_code(api.post("/reverse/availability", json={**domestic, "tariff_code": 5}), 400)
        == "v2_invalid_value"
    )
