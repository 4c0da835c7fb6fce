"""Passport data, fiscal checks, registries and transfers, in CDEK's shapes (empty when none)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from ..conftest import REPO_ORDER, SandboxClient
from .conftest import Client, only_error_at


def _order(client: SandboxClient) -> dict:
    return client.settled_order({**REPO_ORDER, "number": "reports-1"})


def test_passport_check_and_empty_reports(http: requests.Session) -> None:
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as sandbox:
        client = SandboxClient.login(sandbox, http)
        order = _order(client)
        number = int(order["cdek_number"])
        passport = client.read("/passport", params={"order_uuid": order["uuid"]})
        assert passport == {
            "orders": [
                {
                    "order_uuid": order["uuid"],
                    "cdek_number": number,
                    "passport": [
                        {"client": "SENDER", "passport_requirements_satisfied": True},
                        {"client": "RECEIVER", "passport_requirements_satisfied": True},
                    ],
                }
            ]
        }
        only = client.read("/passport", params={"order_uuid": order["uuid"], "client": "RECEIVER"})
        assert [p["client"] for p in only["orders"][0]["passport"]] == ["RECEIVER"]
        # Not delivered, nothing paid: no fiscal check, no registry, no transfer.
        assert client.read("/check", params={"order_uuid": order["uuid"]}) == {}
        today = client.advance(0).date().isoformat()
        assert client.read("/registries", params={"date": today}) == {}
        assert client.read("/payment", params={"date": today}) == {}


def test_print_forms_prealerts_and_photos(http: requests.Session) -> None:
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as sandbox:
        client = SandboxClient.login(sandbox, http)
        order = _order(client)
        number = int(order["cdek_number"])
        form = client.accepted(
            client.post("/print/orders", json={"orders": [{"order_uuid": order["uuid"]}]})
        )
        client.advance()
        entity = client.read(f"/print/orders/{form}")["entity"]
        assert [s["code"] for s in entity["statuses"]] == ["ACCEPTED", "PROCESSING", "READY"]
        assert entity["orders"] == [{"order_uuid": order["uuid"], "cdek_number": number}]

        body = {
            "planned_date": "2026-08-02T10:00:00+0000",
            "shipment_point": "NSK27",
            "orders": [{"order_uuid": order["uuid"]}],
        }
        prealert = client.accepted(client.post("/prealert", json=body))
        shown = client.read(f"/prealert/{prealert}")["entity"]
        assert shown["orders"] == [{"order_uuid": order["uuid"], "cdek_number": number}]

        photos = client.post("/photoDocument", json={"orders": [{"cdek_number": number}]})
        assert photos.status_code == 200
        [row] = photos.json()["orders"]
        assert list(photos.json()) == ["orders"]
        assert (row["order_uuid"], row["cdek_number"], row["status"]) == (
            order["uuid"],
            number,
            "DONE",
        )
        assert client.get(row["link"]).headers["Content-Type"] == "application/zip"
        nothing = client.post("/photoDocument", json={"period_begin": "2999-01-01"})
        assert nothing.json() == {}
        bad = client.post("/photoDocument", json={"period_begin": "yesterday"})
        assert bad.status_code == 400 and list(bad.json()) == ["errors"]


def test_passport(slow: Client) -> None:
    plain = slow.created_cod_order()
    recipient = {
        "name": "Иван Петров",
        "phones": [{"number": "+79990000001"}],
        "passport_series": "4500",
        "passport_number": "123456",
    }
    with_passport = slow.created_cod_order(recipient=recipient)
    answer = slow.read("/passport", params={"order_uuid": plain["uuid"]})
    [entry] = answer["orders"]
    assert (entry["order_uuid"], entry["cdek_number"]) == (plain["uuid"], int(plain["cdek_number"]))
    assert [p["client"] for p in entry["passport"]] == ["SENDER", "RECEIVER"]
    assert entry["passport"][1]["passport_requirements_satisfied"] is True  # domestic
    answer = slow.read("/passport", params={"order_uuid": with_passport["uuid"]})
    assert answer["orders"][0]["passport"][1]["passport_requirements_satisfied"] is True
    assert slow.read("/passport", params={"order_uuid": plain["uuid"]}) == {"orders": [entry]}

    unknown = slow.get("/passport", params={"order_uuid": str(uuid.uuid4())})
    assert only_error_at(unknown, 400)["code"] == "v2_entity_not_found"
    assert only_error_at(slow.get("/passport"), 400)["code"] == "v2_parameters_empty"


def test_checks_by_order_and_by_date(slow: Client) -> None:
    order = slow.created_cod_order()
    today = slow.now().date()
    # No payment on delivery yet: no check (CDEK answers an empty object).
    assert slow.read("/check", params={"order_uuid": order["uuid"]}) == {}
    pushed = slow.control("POST", f"/orders/{order['uuid']}/status", json={"code": "DELIVERED"})
    assert pushed.status_code == 200, pushed.text
    by_order = slow.read("/check", params={"order_uuid": order["uuid"]})
    [check] = by_order["check_info"]
    assert (check["order_uuid"], check["cdek_number"]) == (order["uuid"], int(order["cdek_number"]))
    assert check["type"] == "CASH_RECEIPT_IN"
    assert check["payment_info"] == [{"sum": 1300.0, "type": "CARD"}]
    assert check["date"].startswith(today.isoformat())
    assert re.fullmatch(r"\d{16}", check["fiscal_storage_number"])

    by_date = slow.read("/check", params={"date": today.isoformat()})
    assert by_date == {"check_info": [check]}
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert slow.read("/check", params={"date": tomorrow}) == {}

    assert only_error_at(slow.get("/check"), 400)["code"] == "v2_parameters_empty"
    bad_date = slow.get("/check", params={"date": "01.08.2026"})
    assert only_error_at(bad_date, 400)["code"] == "v2_invalid_format"
    unknown = slow.get("/check", params={"order_uuid": str(uuid.uuid4())})
    assert only_error_at(unknown, 400)["code"] == "v2_entity_not_found"


def test_registries_and_transfers_follow_deliveries(slow: Client) -> None:
    delivered = slow.created_cod_order()
    slow.created_cod_order()  # created but never delivered: not paid out
    pushed = slow.control("POST", f"/orders/{delivered['uuid']}/status", json={"code": "DELIVERED"})
    assert pushed.status_code == 200, pushed.text
    today = slow.now().date().isoformat()

    [registry] = slow.read("/registries", params={"date": today})["registries"]
    assert registry["payment_date"] == today
    assert registry["orders"] == [
        {
            "cdek_number": delivered["cdek_number"],
            "transfer_sum": 1261.0,
            "payment_sum": 1300.0,
            "total_sum_without_agent": 1261.0,
            "agent_commission_sum": 39.0,
        }
    ]
    assert registry["sum"] == 1261.0
    assert isinstance(registry["registry_number"], int)

    payment = slow.read("/payment", params={"date": today})
    assert payment == {
        "orders": [
            {
                "order_uuid": delivered["uuid"],
                "cdek_number": delivered["cdek_number"],
                "number": delivered["number"],
            }
        ]
    }
    assert slow.read("/registries", params={"date": "2020-01-01"}) == {}
    assert slow.read("/payment", params={"date": "2020-01-01"}) == {}
    for path in ("/registries", "/payment"):
        assert only_error_at(slow.get(path), 400)["code"] == "v2_field_is_empty"
        bad = slow.get(path, params={"date": "2026-13-01"})
        assert only_error_at(bad, 400)["code"] == "v2_invalid_format"
