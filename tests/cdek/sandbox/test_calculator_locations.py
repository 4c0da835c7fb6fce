"""Calculators and location lists answer as CDEK's do: bare ``{"errors": [...]}``, CDEK's
location codes, the spec's shapes (tariffAndService, services, date ranges, suggestions,
coordinates) and CDEK's paging rules."""

from __future__ import annotations

import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient

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
