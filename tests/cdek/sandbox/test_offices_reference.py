"""Offices and reference cities answer as CDEK's do (shape of /v2/deliverypoints, real
codes and uuids where they are known)."""

from __future__ import annotations

import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient


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
