"""The CDEK sandbox's second wave of endpoints, over real sockets.

Locations (cities, suggestions, postal codes, coordinates), the calculator (its numbers are
recomputed here from the formula documented in ``oint_cdek.sandbox.calculator``, with this
file's own haversine and constants), international restrictions, estimated intervals,
reverse availability, courier intakes of an order, intake status changes and available
days, document photos (a real ZIP), webhooks, paging with a small ``max_page_size`` and
determinism with a seed. The sandbox clock is fixed (Friday 2026-08-07, noon UTC) and only
/_sandbox/advance moves it.
"""

from __future__ import annotations

import io
import math
import uuid
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests

from oint_cdek.sandbox import reference
from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

from .conftest import (
    BOTH_ACCOUNTS,
    OTHER_ACCOUNT,
    OTHER_SECRET,
    SandboxClient,
    order_body,
)

DELAY = 30.0  # seconds on the sandbox clock; only /_sandbox/advance gets past it
FRIDAY_NOON = datetime(2026, 8, 7, 12, 0, tzinfo=timezone.utc)

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


def fixed_clock() -> datetime:
    return FRIDAY_NOON


class Api(SandboxClient):
    """The shared sandbox client, on this file's fixed clock with a long processing delay."""

    advance_by = DELAY

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def created_order(self, number: str) -> dict[str, Any]:
        to_location = {"code": 270, "address": "ул. Ленина, 1"}
        return self.settled_order(order_body(number=number, to_location=to_location))


def errors_of(answer: requests.Response, status: int) -> list[dict[str, str]]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    if "requests" not in body:  # calculators, locations: a bare {"errors": [...]}, as CDEK's
        assert set(body) == {"errors"}, body
        return [{"code": e["code"], "message": e["message"]} for e in body["errors"]]
    [record] = body["requests"]
    assert record["state"] == "INVALID"
    return [{"code": e["code"], "message": e["message"]} for e in record["errors"]]


def error_code(answer: requests.Response, status: int) -> str:
    [error] = errors_of(answer, status)
    return error["code"]


def config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "accounts": BOTH_ACCOUNTS,
        "processing_delay": DELAY,
        "clock": fixed_clock,
        "token_ttl": 30 * 86400,  # tests move the clock by days
    }
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
def running() -> Iterator[RunningSandbox]:
    with start_sandbox(config()) as sandbox:
        yield sandbox


@pytest.fixture
def api(running: RunningSandbox, http: requests.Session) -> Api:
    return Api.login(running, http)


@pytest.fixture
def other(running: RunningSandbox, http: requests.Session) -> Api:
    return Api.login(running, http, OTHER_ACCOUNT, OTHER_SECRET)


# --- independent re-statement of the documented formula -------------------------------------


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


def city(api: Api, code: int) -> dict[str, Any]:
    [found] = api.read("/location/cities", params={"code": code})
    return found


# --- locations ---------------------------------------------------------------------------------

CITY_KEYS = {
    "code",
    "city",
    "city_uuid",
    "fias_guid",
    "country_code",
    "country",
    "region",
    "region_code",
    "sub_region",
    "longitude",
    "latitude",
    "time_zone",
    "payment_limit",
}


def test_cities_reference_data(api: Api) -> None:
    everything = api.read("/location/cities")
    assert len(everything) == 30
    codes = [c["code"] for c in everything]
    assert len(set(codes)) == 30
    assert codes[:5] == [44, 137, 270, 250, 424]
    assert {c["country_code"] for c in everything} == {"RU", "KZ", "BY"}
    assert sum(c["country_code"] != "RU" for c in everything) >= 4
    regions = {(r["country_code"], r["region_code"]): r for r in api.read("/location/regions")}
    for found in everything:
        assert set(found) == (
            CITY_KEYS if found["country_code"] == "RU" else CITY_KEYS - {"fias_guid"}
        )
        region = regions[(found["country_code"], found["region_code"])]
        assert (found["region"], found["country"]) == (region["region"], region["country"])
        uuid.UUID(found["city_uuid"])
        assert -90 <= found["latitude"] <= 90 and -180 <= found["longitude"] <= 180
    moscow = everything[0]
    assert (moscow["city"], moscow["fias_guid"]) == (
        "Москва",
        "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
    )
    assert moscow["time_zone"] == "Europe/Moscow"
    english = api.read("/location/cities", params={"lang": "eng"})
    assert [c["code"] for c in english] == codes
    assert (english[0]["city"], english[0]["country"]) == ("Moscow", "Russia")
    assert english[2]["region"] == "Novosibirsk Oblast"


def test_cities_filters(api: Api) -> None:
    def codes(**params: Any) -> list[int]:
        return [c["code"] for c in api.read("/location/cities", params=params)]

    foreign = codes(country_codes="KZ,BY")
    assert len(foreign) == 8
    repeated = api.read(
        "/location/cities", params=[("country_codes", "KZ"), ("country_codes", "BY")]
    )
    assert [c["code"] for c in repeated] == foreign
    assert codes(country_codes="[KZ]") == [4756, 4961, 4791, 4800]
    assert codes(region_code=9) == [1121, 1165]  # Moscow Oblast: Khimki, Podolsk
    assert codes(fias_guid="8DEA00E3-9AAB-4D8E-887C-EF2AAA546456") == [270]
    assert codes(postal_code="630091") == [270]
    assert codes(code=424) == [424]
    assert codes(city="kazan") == codes(city="КАЗАНЬ") == [424]
    assert codes(city="Kaz") == []  # exact names only
    assert codes(country_codes="RU", region_code=7) == [435, 437]
    assert codes(code=424, payment_limit=5) == [424]  # ignored
    assert codes(code=44, country_codes="BY") == []
    assert codes(page=1, size=1000) == []
    assert (
        error_code(api.get("/location/cities", params={"size": 10001}), 400) == "v2_exceeded_size"
    )
    assert len(api.read("/location/cities", params={"size": 10000})) == 30
    assert error_code(api.get("/location/cities", params={"code": "x"}), 400) == "v2_invalid_format"


def test_paging_spans_pages_with_a_small_max_page_size(http: requests.Session) -> None:
    with start_sandbox(config(max_page_size=7)) as sandbox:
        api = Api.login(sandbox, http)
        for path, total in (
            ("/location/regions", 30),
            ("/location/cities", 30),
            ("/deliverypoints", 40),
        ):
            assert len(api.read(path)) == 7  # the default size is the cap
            pages = []
            for page in range(10):
                chunk = api.read(path, params={"size": 1000, "page": page})  # capped at 7
                if not chunk:
                    break
                pages.append(chunk)
            assert [len(chunk) for chunk in pages] == [7] * (total // 7) + [total % 7] * (
                total % 7 > 0
            )
            flat = [item for chunk in pages for item in chunk]
            assert len(flat) == total
            assert len({str(item) for item in flat}) == total
            assert len(api.read(path, params={"size": 3, "page": 1})) == 3  # below the cap
        regions = [
            r
            for page in range(5)
            for r in api.read("/location/regions", params={"page": page, "size": 7})
        ]
        assert regions == reference.regions()
    with pytest.raises(ValueError):
        SandboxConfig(max_page_size=0)


def test_suggest_cities(api: Api) -> None:
    def suggest(**params: Any) -> list[dict[str, Any]]:
        return api.read("/location/suggest/cities", params=params)

    [novosibirsk] = suggest(name="ново")
    assert set(novosibirsk) == {"city_uuid", "code", "full_name", "country_code"}
    assert novosibirsk["code"] == 270
    assert novosibirsk["full_name"] == "Новосибирск, Новосибирская область, Россия"
    assert novosibirsk["city_uuid"] == city(api, 270)["city_uuid"]
    assert [c["full_name"] for c in suggest(name="MOS")] == ["Москва, Россия"]
    k_codes = [c["code"] for c in suggest(name="k")]
    assert k_codes == [424, 435, 278, 152, 1121, 4791]  # Kazan ... Karaganda, listing order
    assert [c["code"] for c in suggest(name="k", country_code="kz")] == [4791]
    assert [c["code"] for c in suggest(name="Санкт")] == [137]
    assert suggest(name="Zzz") == []
    assert errors_of(api.get("/location/suggest/cities"), 400) == [
        {"code": "v2_field_is_empty", "message": "[name] is empty"}
    ]


def test_postal_codes(api: Api) -> None:
    answer = api.read("/location/postalcodes", params={"code": 270})
    assert answer == {
        "code": 270,
        "postal_codes": ["630004", "630005", "630007", "630090", "630091", "630099"],
    }
    for code in (44, 4756, 9282):
        postal = api.read("/location/postalcodes", params={"code": code})["postal_codes"]
        assert 2 <= len(postal) <= 6
        for one in postal:
            assert [
                c["code"] for c in api.read("/location/cities", params={"postal_code": one})
            ] == [code]
    office_codes = {
        o["location"]["postal_code"] for o in api.read("/deliverypoints", params={"city_code": 44})
    }
    moscow = api.read("/location/postalcodes", params={"code": 44})["postal_codes"]
    assert office_codes <= set(moscow)
    assert (
        error_code(api.get("/location/postalcodes", params={"code": 1}), 400)
        == "v2_entity_not_found"
    )
    assert (
        error_code(api.get("/location/postalcodes", params={"code": "Omsk"}), 400)
        == "v2_invalid_format"
    )
    assert error_code(api.get("/location/postalcodes"), 400) == "v2_field_is_empty"
    # CDEK's parameter is "code": the city_code other lists take is not read here.
    only_city_code = api.get("/location/postalcodes", params={"city_code": 270})
    assert errors_of(only_city_code, 400) == [
        {"code": "v2_field_is_empty", "message": "[code] is empty"}
    ]


def test_coordinates(api: Api) -> None:
    near_kazan = api.read("/location/coordinates", params={"latitude": 55.79, "longitude": 49.12})
    kazan = city(api, 424)  # the spec's shape: code, city_uuid, city (and fias_guid)
    assert near_kazan == {key: kazan[key] for key in ("code", "city_uuid", "city", "fias_guid")}
    minsk = api.read(
        "/location/coordinates", params={"latitude": 53.9, "longitude": 27.56, "lang": "eng"}
    )
    assert (minsk["code"], minsk["city"], "fias_guid" in minsk) == (9220, "Minsk", False)
    # Between Moscow and Khimki, nearer Khimki.
    khimki = api.read("/location/coordinates", params={"latitude": 55.88, "longitude": 37.45})
    assert khimki["code"] == 1121
    for params in (
        {"latitude": "north", "longitude": 37.6},
        {"latitude": 91, "longitude": 37.6},
        {"latitude": 55.7, "longitude": -181},
        {"latitude": "nan", "longitude": 37.6},
    ):
        assert (
            error_code(api.get("/location/coordinates", params=params), 400) == "v2_invalid_format"
        )
    assert (
        error_code(api.get("/location/coordinates", params={"latitude": 55}), 400)
        == "v2_field_is_empty"
    )


# --- calculator --------------------------------------------------------------------------------


def shipment(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tariff_code": 139,
        "from_location": {"code": 44},
        "to_location": {"code": 270},
        # 1300 g in all, but the first box is 30 x 20 x 20 cm = 12000 cm3 = 2400 g volumetric.
        "packages": [{"weight": 700, "length": 30, "width": 20, "height": 20}, {"weight": 600}],
    }
    body.update(overrides)
    return body


def test_calculator_tariff_follows_the_formula(api: Api) -> None:
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


def test_calculator_far_and_heavy(api: Api) -> None:
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


def test_tarifflist_tariff_and_service_and_alltariffs(api: Api) -> None:
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


def test_calculator_errors(api: Api) -> None:
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


# --- restrictions, estimated intervals, reverse availability -------------------------------------


def test_estimated_intervals_start_period_min_days_after_the_clock(api: Api) -> None:
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


def test_reverse_availability(api: Api) -> None:
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


# --- courier intakes ------------------------------------------------------------------------------


INTAKE_TIMES = {"intake_date": "2026-08-10", "intake_time_from": "10:00", "intake_time_to": "17:00"}


def test_available_days_skip_weekends(api: Api) -> None:
    def days(**body: Any) -> list[str]:
        return api.ok(
            "POST", "/intakes/availableDays", json={"from_location": {"code": 270}, **body}
        )["date"]

    # The clock says Friday 2026-08-07: from tomorrow (Saturday) on, weekdays only.
    assert days() == ["2026-08-10", "2026-08-11", "2026-08-12", "2026-08-13", "2026-08-14"]
    assert days(date="2026-08-08") == days(date="2026-08-09") == days()
    assert days(date="2026-08-12") == [
        "2026-08-12",
        "2026-08-13",
        "2026-08-14",
        "2026-08-17",
        "2026-08-18",
    ]
    assert days(date="2026-08-07") == [
        "2026-08-07",
        "2026-08-10",
        "2026-08-11",
        "2026-08-12",
        "2026-08-13",
    ]
    api.advance(4 * 86400)  # Tuesday 2026-08-11
    assert days() == ["2026-08-12", "2026-08-13", "2026-08-14", "2026-08-17", "2026-08-18"]
    by_name = api.ok("POST", "/intakes/availableDays", json={"from_location": {"city": "Омск"}})
    assert by_name["date"] == days()

    bad_location = api.post("/intakes/availableDays", json={"from_location": {"code": 1}})
    assert error_code(bad_location, 400) == "v2_entity_not_found"
    missing = api.post("/intakes/availableDays", json={"date": "2026-08-32"})
    assert [e["code"] for e in errors_of(missing, 400)] == [
        "v2_field_is_empty",
        "v2_invalid_format",
    ]


def test_order_intakes_and_status_changes(api: Api, other: Api) -> None:
    order = api.created_order("v2-intakes-1")
    mine = [
        api.accepted(api.post("/intakes", json={**INTAKE_TIMES, "order_uuid": order["uuid"]})),
        api.accepted(
            api.post("/intakes", json={**INTAKE_TIMES, "cdek_number": order["cdek_number"]})
        ),
    ]
    # Names no order, so says where to come.
    api.accepted(api.post("/intakes", json={**INTAKE_TIMES, "from_location": {"code": 44}}))
    needs_call = {"code": "PROCESSING_REQUIRED", "add_status": "CALL_REQUIRED"}
    patched = api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": needs_call})
    assert error_code(patched, 400) == "v2_order_forbidden_status"  # CREATE still processing
    api.advance()

    listed = api.read(f"/orders/{order['uuid']}/intakes")
    assert [i["uuid"] for i in listed] == mine
    assert listed == [api.read(f"/intakes/{u}")["entity"] for u in mine]
    assert listed[0]["statuses"][0]["code"] == "READY_FOR_APPOINTMENT"
    fresh = api.created_order("v2-intakes-2")
    assert api.read(f"/orders/{fresh['uuid']}/intakes") == []
    assert error_code(api.get(f"/orders/{uuid.uuid4()}/intakes"), 400) == "v2_entity_not_found"
    assert error_code(other.get(f"/orders/{order['uuid']}/intakes"), 400) == "v2_entity_forbidden"

    change = {"uuid": mine[0], "status": needs_call}
    api.accepted(api.call("PATCH", "/intakes", json=change), "UPDATE", status=200)
    again = api.call("PATCH", "/intakes", json=change)
    assert error_code(again, 400) == "v2_similar_request_still_processed"
    before = api.read(f"/intakes/{mine[0]}")
    assert before["entity"]["statuses"][0]["code"] == "READY_FOR_APPOINTMENT"
    api.advance()
    after = api.read(f"/intakes/{mine[0]}")
    assert [s["code"] for s in after["entity"]["statuses"]] == [
        "PROCESSING_REQUIRED",
        "READY_FOR_APPOINTMENT",
        "CREATED",
        "ACCEPTED",
    ]
    assert [(r["type"], r["state"]) for r in after["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("UPDATE", "SUCCESSFUL"),
    ]

    api.accepted(api.call("DELETE", f"/intakes/{mine[1]}"), "DELETE", status=200)
    api.advance()
    removed = api.call("PATCH", "/intakes", json={"uuid": mine[1], "status": needs_call})
    assert error_code(removed, 400) == "v2_order_forbidden_status"
    unknown = api.call("PATCH", "/intakes", json={"uuid": str(uuid.uuid4()), "status": needs_call})
    for wrong, field in (
        ("READY", "status"),  # the shape before the spec: a bare code
        ({"code": "READY", "add_status": "CALL_REQUIRED"}, "status.code"),
        ({"code": "PROCESSING_REQUIRED", "add_status": "LATER"}, "status.add_status"),
    ):
        refused = api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": wrong})
        assert field in refused.json()["requests"][0]["errors"][0]["message"]
    assert error_code(unknown, 400) == "v2_entity_not_found"
    assert error_code(other.call("PATCH", "/intakes", json=change), 400) == "v2_entity_forbidden"
    empty = api.call("PATCH", "/intakes", json={})
    assert errors_of(empty, 400) == [
        {"code": "v2_field_is_empty", "message": "[uuid] is empty"},
        {"code": "v2_field_is_empty", "message": "[status] is empty"},
    ]
    assert (
        error_code(api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": "no way"}), 400)
        == "v2_invalid_value_type"  # the spec's status is an object: {code, add_status}
    )


# --- photos ---------------------------------------------------------------------------------------


def test_photo_archive_is_a_real_zip(api: Api, other: Api) -> None:
    first = api.created_order("v2-photo-1")
    second = api.created_order("v2-photo-2")
    pending = api.accepted(
        api.post(
            "/orders",
            json={
                "tariff_code": 136,
                "recipient": {"name": "A", "phones": [{"number": "+79990000002"}]},
                "packages": [{"number": "1", "weight": 100}],
                "shipment_point": "MSK123",
                "delivery_point": "NSK27",
            },
        )
    )
    refs = [
        {"order_uuid": first["uuid"]},
        {"cdek_number": second["cdek_number"]},
        {"order_uuid": pending},  # not CREATED yet: left out
        {"order_uuid": str(uuid.uuid4())},  # unknown: left out
        {"order_uuid": first["uuid"]},  # twice: once
    ]
    answer = api.ok("POST", "/photoDocument", json={"orders": refs})
    assert list(answer) == ["orders"]  # CDEK's reworked answer: no entity, no requests
    link = answer["orders"][0]["link"]
    assert link.startswith(f"{api.sandbox.base_url}/photoDocument/")
    assert answer["orders"] == [
        {
            "order_uuid": order["uuid"],
            "cdek_number": int(order["cdek_number"]),
            "link": link,
            "status": "DONE",
            "create_date": answer["orders"][at]["create_date"],
        }
        for at, order in enumerate((first, second))
    ]

    download = api.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as opened:
        assert opened.testzip() is None
        names = opened.namelist()
        assert names == [
            f"{first['cdek_number']}/photo_1.jpg",
            f"{second['cdek_number']}/photo_1.jpg",
        ]
        for info in opened.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            photo = opened.read(info)
            assert photo[:2] == b"\xff\xd8" and photo[-2:] == b"\xff\xd9"
            assert info.filename.split("/")[0].encode() in photo
    assert api.get(link).content == download.content

    by_period = api.ok(
        "POST", "/photoDocument", json={"period_begin": "2026-08-07", "period_end": "2026-08-07"}
    )
    assert [o["order_uuid"] for o in by_period["orders"]] == [
        first["uuid"],
        second["uuid"],
    ]
    too_late = api.ok("POST", "/photoDocument", json={"period_begin": "2026-08-08"})
    assert too_late == {}  # CDEK answers an empty object when no order has photos
    assert error_code(api.post("/photoDocument", json={}), 400) == "v2_field_is_empty"
    assert (
        error_code(api.post("/photoDocument", json={"period_begin": "yesterday"}), 400)
        == "v2_invalid_format"
    )
    assert error_code(api.get(f"/photoDocument/{uuid.uuid4()}"), 404) == "v2_entity_not_found"
    assert error_code(api.get("/photoDocument/nope"), 404) == "v2_entity_not_found"
    assert error_code(other.get(link), 403) == "v2_entity_forbidden"
    assert error_code(api.get(link, headers={}), 401) == "unauthorized"


# --- webhooks -------------------------------------------------------------------------------------


def test_webhooks_limit_and_delete(api: Api, other: Api) -> None:
    def subscribe(url: str, kind: str, client: Api = api) -> requests.Response:
        return client.post("/webhooks", json={"url": url, "type": kind})

    first = subscribe("https://shop.example/cdek/status", "ORDER_STATUS")
    assert first.status_code == 200
    [request] = first.json()["requests"]
    assert (request["type"], request["state"]) == ("CREATE", "SUCCESSFUL")
    status_hook = first.json()["entity"]["uuid"]
    print_hook = subscribe("http://shop.example/cdek/print", "PRINT_FORM").json()["entity"]["uuid"]
    assert api.read("/webhooks") == [
        {"uuid": status_hook, "url": "https://shop.example/cdek/status", "type": "ORDER_STATUS"},
        {"uuid": print_hook, "url": "http://shop.example/cdek/print", "type": "PRINT_FORM"},
    ]
    # At most two subscriptions per account, whatever their types: a third of any type,
    # the same type included, is refused.
    for kind in ("DOWNLOAD_PHOTO", "ORDER_STATUS"):
        third = subscribe("https://shop.example/cdek/more", kind)
        assert error_code(third, 400) == "v2_too_many_webhooks"
    one = api.read(f"/webhooks/{status_hook}")
    assert one["entity"] == {
        "uuid": status_hook,
        "url": "https://shop.example/cdek/status",
        "type": "ORDER_STATUS",
    }
    assert [r["type"] for r in one["requests"]] == ["CREATE"]
    assert len(api.read("/webhooks")) == 2

    assert other.read("/webhooks") == []  # per account
    assert subscribe("https://other.example/h", "ORDER_STATUS", other).status_code == 200
    assert error_code(other.get(f"/webhooks/{status_hook}"), 400) == "v2_entity_forbidden"

    incorrect = subscribe("https://other.example/h", "NO_SUCH_EVENT", other)
    assert error_code(incorrect, 400) == "v2_webhook_type_incorrect"
    assert subscribe("https://other.example/h2", "ORDER_STATUS", other).status_code == 200
    assert [h["type"] for h in other.read("/webhooks")] == ["ORDER_STATUS", "ORDER_STATUS"]
    receipt = subscribe("https://shop.example/cdek/receipt", "RECEIPT", other)
    assert error_code(receipt, 400) == "v2_too_many_webhooks"  # RECEIPT is known; the limit is not

    deleted = api.call("DELETE", f"/webhooks/{print_hook}")
    assert deleted.status_code == 200
    assert deleted.json()["entity"] == {"uuid": print_hook}
    assert [(r["type"], r["state"]) for r in deleted.json()["requests"]] == [
        ("DELETE", "SUCCESSFUL")
    ]
    assert error_code(api.get(f"/webhooks/{print_hook}"), 400) == "v2_entity_not_found"
    assert error_code(api.call("DELETE", f"/webhooks/{print_hook}"), 400) == "v2_entity_not_found"
    assert subscribe("https://shop.example/cdek/photo", "DOWNLOAD_PHOTO").status_code == 200
    assert [h["type"] for h in api.read("/webhooks")] == ["ORDER_STATUS", "DOWNLOAD_PHOTO"]

    assert errors_of(
        api.post("/webhooks", json={"url": "ftp://shop.example/x", "type": "NOPE"}), 400
    ) == [
        {
            "code": "v2_invalid_format",
            "message": "Invalid value [ftp://shop.example/x] in [url] parameter",
        },
        {"code": "v2_webhook_type_incorrect", "message": "Incorrect type [NOPE]"},
    ]
    assert [e["code"] for e in errors_of(api.post("/webhooks", json={}), 400)] == [
        "v2_field_is_empty"
    ] * 2
    assert error_code(subscribe("https:///no-host", "ORDER_STATUS"), 400) == "v2_invalid_format"
    assert error_code(api.get("/webhooks/not-a-uuid"), 400) == "v2_invalid_format"


# --- extras, authentication, determinism ---------------------------------------------------------


def test_extra_offices_cover_most_cities(http: requests.Session) -> None:
    with start_sandbox(config(extra_offices=True)) as sandbox:
        api = Api.login(sandbox, http)
        offices = api.read("/deliverypoints")
        cities = api.read("/location/cities")
        covered = {o["location"]["city_code"] for o in offices}
        assert len(offices) > 14 and len(covered) >= 25
        assert covered <= {c["code"] for c in cities}
        kazakh = api.read("/deliverypoints", params={"country_code": "KZ"})
        assert kazakh and all(o["location"]["country_code"] == "KZ" for o in kazakh)
        assert all("fias_guid" not in o["location"] for o in kazakh)
        assert "Казахстан" in kazakh[0]["location"]["address_full"]
        for office in offices:
            postal = api.read(
                "/location/postalcodes", params={"code": office["location"]["city_code"]}
            )
            assert office["location"]["postal_code"] in postal["postal_codes"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/location/suggest/cities?name=Mo"),
        ("GET", "/location/cities"),
        ("GET", "/location/postalcodes?code=44"),
        ("GET", "/location/coordinates?latitude=55&longitude=37"),
        ("POST", "/calculator/tariff"),
        ("POST", "/calculator/tarifflist"),
        ("POST", "/calculator/tariffAndService"),
        ("GET", "/calculator/alltariffs"),
        ("POST", "/international/package/restrictions"),
        ("POST", "/delivery/estimatedIntervals"),
        ("POST", "/reverse/availability"),
        ("POST", "/intakes/availableDays"),
        ("PATCH", "/intakes"),
        ("POST", "/photoDocument"),
        ("GET", "/webhooks"),
        ("POST", "/webhooks"),
        ("DELETE", f"/webhooks/{uuid.UUID(int=1)}"),
    ],
)
def test_bearer_required(api: Api, method: str, path: str) -> None:
    answer = api.call(method, path, headers={}, json=shipment())
    assert errors_of(answer, 401) == [
        {"code": "unauthorized", "message": "Full authentication is required"}
    ]


def test_seeded_sandboxes_answer_the_same(http: requests.Session) -> None:
    seen = []
    for _ in range(2):
        with start_sandbox(config(seed=42)) as sandbox:
            api = Api.login(sandbox, http)
            order = api.created_order("v2-seeded")
            hook = api.post("/webhooks", json={"url": "https://a.example/", "type": "ORDER_STATUS"})
            photos = api.ok(
                "POST", "/photoDocument", json={"orders": [{"order_uuid": order["uuid"]}]}
            )
            archive = api.get(photos["orders"][0]["link"]).content
            price = api.ok("POST", "/calculator/tarifflist", json=shipment())
            listed = [{k: v for k, v in o.items() if k != "link"} for o in photos["orders"]]
            seen.append(
                (
                    order["uuid"],
                    order["cdek_number"],
                    hook.json()["entity"]["uuid"],
                    photos["orders"][0]["link"].rsplit("/", 1)[1],
                    listed,
                    archive,
                    price,
                )
            )
    assert seen[0] == seen[1]
    assert len(seen[0][5]) > 100 and seen[0][4][0]["cdek_number"] == int(seen[0][1])
