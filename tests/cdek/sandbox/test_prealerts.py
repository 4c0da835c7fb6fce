"""Prealerts: the orders they list, with their CDEK numbers from the start, and their errors."""

from __future__ import annotations

import uuid

from .conftest import Client, only_error_at


def test_prealert(slow: Client) -> None:
    order = slow.created_cod_order()
    body = {
        "orders": [{"order_uuid": order["uuid"]}],
        "planned_date": "2026-08-02T10:00:00+0000",
        "shipment_point": "NSK27",
    }
    prealert_uuid = slow.accepted(slow.post("/prealert", json=body))
    pending = slow.read(f"/prealert/{prealert_uuid}")
    assert pending["entity"] == {
        "uuid": prealert_uuid,
        "planned_date": "2026-08-02T10:00:00+0000",
        "shipment_point": "NSK27",
        # CDEK shows every listed order's number, from the start
        "orders": [{"order_uuid": order["uuid"], "cdek_number": int(order["cdek_number"])}],
    }
    assert pending["requests"][0]["state"] == "ACCEPTED"
    slow.advance()
    settled = slow.read(f"/prealert/{prealert_uuid}")
    assert settled["requests"][0]["state"] == "SUCCESSFUL"
    assert settled["entity"]["orders"] == [
        {"order_uuid": order["uuid"], "cdek_number": int(order["cdek_number"])}
    ]


def test_prealert_errors(slow: Client) -> None:
    answer = slow.post("/prealert", json={})
    assert answer.status_code == 400
    errors = answer.json()["requests"][0]["errors"]
    assert [(e["code"], e["message"]) for e in errors] == [
        ("v2_field_is_empty", "[orders] is empty"),
        ("v2_field_is_empty", "[planned_date] is empty"),
        ("v2_field_is_empty", "[shipment_point] is empty"),
    ]
    body = {
        "orders": [{"order_uuid": str(uuid.uuid4())}],
        "planned_date": "tomorrow",
        "shipment_point": "NSK27",
    }
    assert only_error_at(slow.post("/prealert", json=body), 400)["code"] == "v2_invalid_format"
    body["planned_date"] = "2026-08-02T10:00:00+0000"
    prealert_uuid = slow.accepted(slow.post("/prealert", json=body))
    slow.advance()
    [record] = slow.read(f"/prealert/{prealert_uuid}")["requests"]
    assert record["state"] == "INVALID"
    assert record["errors"][0]["code"] == "v2_entity_not_found"
    assert (
        only_error_at(slow.get(f"/prealert/{uuid.uuid4()}"), 400)["code"] == "v2_entity_not_found"
    )
