"""Regions, cities, suggestions, postal codes and coordinates: data, filters, languages, paging."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient
from .conftest import Client, city, error_code, errors_of, only_error_at


def test_location_answers_follow_the_spec(sandbox: RunningSandbox, http: requests.Session) -> None:
    client = SandboxClient.login(sandbox, http)
    [suggested] = client.read("/location/suggest/cities", params={"name": "Новосиб"})
    assert suggested["country_code"] == "RU"
    point = client.read("/location/coordinates", params={"latitude": 55.03, "longitude": 82.92})
    assert point == {
        "code": 270,
        "city_uuid": "4e938d63-e189-454d-bb5c-54bfb2f1e4e2",
        "city": "Новосибирск",
        "fias_guid": "8dea00e3-9aab-4d8e-887c-ef2aaa546456",
    }
    missing = client.get("/location/suggest/cities")
    assert missing.status_code == 400 and list(missing.json()) == ["errors"]


def test_a_later_page_needs_a_size(sandbox: RunningSandbox, http: requests.Session) -> None:
    client = SandboxClient.login(sandbox, http)
    for path in ("/location/cities", "/location/regions", "/deliverypoints"):
        answer = client.get(path, params={"page": 1})
        assert answer.status_code == 400, path
        assert "size" in answer.text
        assert client.get(path, params={"page": 1, "size": 5}).status_code == 200
    too_big = client.get("/location/cities", params={"size": 10001})
    assert too_big.json() == {
        "errors": [
            {"code": "v2_exceeded_size", "message": "The size parameter cannot exceed 10000"}
        ]
    }


def test_regions_filters_languages_and_paging(ref: Client) -> None:
    everything = ref.read("/location/regions")
    assert len(everything) == 30
    assert {r["country_code"] for r in everything} == {"RU", "KZ", "BY"}
    assert set(everything[0]) == {"country_code", "country", "region", "region_code"}

    comma = ref.read("/location/regions", params={"country_codes": "KZ,BY"})
    repeated = ref.read(
        "/location/regions", params=[("country_codes", "KZ"), ("country_codes", "BY")]
    )
    assert comma == repeated
    assert len(comma) == 10
    assert {r["country_code"] for r in comma} == {"KZ", "BY"}

    russian = ref.read("/location/regions", params={"country_codes": "BY", "lang": "rus"})
    english = ref.read("/location/regions", params={"country_codes": "BY", "lang": "eng"})
    assert russian[0]["country"] == "Беларусь" and russian[0]["region"] == "Минск"
    assert english[0]["country"] == "Belarus" and english[0]["region"] == "Minsk"
    assert [r["region_code"] for r in russian] == [r["region_code"] for r in english]

    pages = []
    for page in range(10):
        chunk = ref.read("/location/regions", params={"size": 10, "page": page})
        if not chunk:
            break
        pages.append(chunk)
    assert [len(chunk) for chunk in pages] == [10, 10, 10]
    assert [r for chunk in pages for r in chunk] == everything
    assert ref.read("/location/regions", params={"page": 1, "size": 1000}) == []
    bad = ref.get("/location/regions", params={"size": "ten"})
    assert only_error_at(bad, 400)["code"] == "v2_invalid_format"


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


def test_cities_reference_data(api: Client) -> None:
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


def test_cities_filters(api: Client) -> None:
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


def test_suggest_cities(api: Client) -> None:
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


def test_postal_codes(api: Client) -> None:
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


def test_coordinates(api: Client) -> None:
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
