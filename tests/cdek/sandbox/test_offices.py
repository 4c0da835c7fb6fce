"""Offices (/v2/deliverypoints): CDEK's fields, real codes and uuids, filters and paging."""

from __future__ import annotations

import uuid

import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient
from .conftest import Client, only_error_at


def test_offices_carry_cdek_fields(sandbox: RunningSandbox, http: requests.Session) -> None:
    client = SandboxClient.login(sandbox, http)
    offices = client.read("/deliverypoints", params={"city_code": 270})
    codes = {office["code"] for office in offices}
    assert {"NSK27", "NSK1", "NSK9"} <= codes
    for office in offices:
        assert office["status"] == "ACTIVE"
        assert office["owner_code"] == "CDEK"
        assert office["work_time_exception_list"] == []
        assert office["site"].startswith("https://")
        assert isinstance(office["office_image_list"], list)
        # CDEK's own city_uuid of Novosibirsk, as its answers show it
        assert office["location"]["city_uuid"] == "4e938d63-e189-454d-bb5c-54bfb2f1e4e2"
    academ = next(office for office in offices if office["code"] == "NSK9")
    assert academ["nearest_station"] and academ["nearest_metro_station"]
    plain = next(office for office in offices if office["code"] == "NSK27")
    assert "nearest_metro_station" not in plain and "address_comment" not in plain


def test_moscow_has_its_real_city_uuid(sandbox: RunningSandbox, http: requests.Session) -> None:
    client = SandboxClient.login(sandbox, http)
    [moscow] = client.read("/location/cities", params={"code": 44})
    assert moscow["city_uuid"] == "7e8f36ba-d937-4ce4-8d53-e44177db6469"
    assert len(client.read("/deliverypoints", params={"city_code": 44})) >= 5


def test_offices_shape_and_filters(small_ref: Client) -> None:
    ref = small_ref
    everything = ref.read("/deliverypoints")
    assert isinstance(everything, list) and len(everything) >= 10
    assert {o["location"]["city_code"] for o in everything} == {44, 137, 250, 270, 424}
    office = next(o for o in everything if o["code"] == "NSK27")
    assert office["owner_code"] == "CDEK"
    assert office["type"] == "PVZ"
    uuid.UUID(office["uuid"])
    assert set(office["location"]) >= {
        "country_code",
        "region_code",
        "region",
        "city_code",
        "city",
        "postal_code",
        "longitude",
        "latitude",
        "address",
        "address_full",
    }
    assert office["location"]["city"] == "Новосибирск"

    novosibirsk = ref.read("/deliverypoints", params={"city_code": "270"})
    assert {o["code"] for o in novosibirsk} == {"NSK27", "NSK3", "NSK90", "NSK1", "NSK9"}
    lockers = ref.read("/deliverypoints", params={"city_code": 270, "type": "POSTAMAT"})
    assert [o["code"] for o in lockers] == ["NSK3"]
    assert ref.read("/deliverypoints", params={"type": "SOMETHING"}) == everything  # ignored
    no_cod = ref.read("/deliverypoints", params={"allowed_cod": "false"})
    assert [o["code"] for o in no_cod] == ["SPB5"]
    assert all(o["allowed_cod"] for o in ref.read("/deliverypoints", params={"allowed_cod": 1}))
    heavy = ref.read("/deliverypoints", params={"weight_max": 100})
    assert {o["code"] for o in heavy} == {"MSK7", "KZN8", "NSK9"}
    assert [o["code"] for o in ref.read("/deliverypoints", params={"code": "KZN1"})] == ["KZN1"]
    assert ref.read("/deliverypoints", params={"postal_code": "620014"}) == [
        o for o in everything if o["code"] in ("EKB2", "EKB14")
    ]
    assert ref.read("/deliverypoints", params={"country_code": "KZ"}) == []
    bad = ref.get("/deliverypoints", params={"city_code": "Moscow"})
    assert only_error_at(bad, 400) == {
        "type": "GET",
        "code": "v2_invalid_format",
        "message": "Invalid value [Moscow] in [city_code] parameter",
    }


def test_offices_paging(ref: Client) -> None:
    everything = ref.read("/deliverypoints")
    pages = []
    for page in range(10):
        chunk = ref.read("/deliverypoints", params={"size": 4, "page": page})
        if not chunk:
            break
        assert len(chunk) <= 4
        pages.append(chunk)
    assert len(pages) == -(-len(everything) // 4)
    assert [o for chunk in pages for o in chunk] == everything
