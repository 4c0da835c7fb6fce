"""Passport, check, registries, payment, print forms, prealerts and photoDocument answer
with CDEK's shapes: integer cdek_number, SENDER/RECEIVER, empty objects, oldest-first
print-form statuses, the reworked photoDocument answer."""

from __future__ import annotations

import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from ..conftest import REPO_ORDER, SandboxClient


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
