"""Creating orders (accepted, then processed), validating their bodies, reading and looking up."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from ..conftest import order_body
from .conftest import JSON_TYPE, Client, FakeClock, only_error, request_states, status_codes

# --- creating orders -----------------------------------------------------------------------------


def test_create_order_is_accepted_then_successful(timed: Client, clock: FakeClock) -> None:
    answer = timed.post("/orders", json=order_body())
    assert answer.status_code == 202
    assert answer.headers["Content-Type"] == JSON_TYPE
    body = answer.json()
    order_uuid = body["entity"]["uuid"]
    uuid.UUID(order_uuid)
    assert body["related_entities"] == []
    [request] = body["requests"]
    assert request["type"] == "CREATE"
    assert request["state"] == "ACCEPTED"
    assert request["date_time"] == "2026-08-01T14:34:18+0000"
    assert request["errors"] == [] and request["warnings"] == []
    uuid.UUID(request["request_uuid"])

    pending = timed.order(order_uuid)
    assert request_states(pending) == [("CREATE", "ACCEPTED")]
    assert "cdek_number" not in pending["entity"]
    assert status_codes(pending) == ["ACCEPTED"]

    clock.advance(0.2)
    done = timed.order(order_uuid)
    entity = done["entity"]
    assert request_states(done) == [("CREATE", "SUCCESSFUL")]
    assert done["requests"][0]["request_uuid"] == request["request_uuid"]
    assert re.fullmatch(r"1106\d{6}", entity["cdek_number"])
    assert entity["uuid"] == order_uuid
    assert entity["type"] == 1
    assert entity["number"] == "shop-1"
    assert entity["tariff_code"] == 136
    assert entity["recipient"]["name"] == order_body()["recipient"]["name"]
    assert entity["recipient"]["phones"] == order_body()["recipient"]["phones"]
    [package] = entity["packages"]
    assert (package["number"], package["weight"]) == ("box-1", 500)
    assert entity["shipment_point"] == "MSK123"
    assert status_codes(done) == ["CREATED", "ACCEPTED"]  # newest first
    assert entity["statuses"][0]["name"] == "Создан"
    assert entity["statuses"][0]["date_time"] == "2026-08-01T14:34:18+0000"


def test_create_order_processing_in_real_time(cdek: Client) -> None:
    order_uuid = cdek.create()
    deadline = time.monotonic() + 2
    while True:
        state = cdek.order(order_uuid)["requests"][0]["state"]
        if state != "ACCEPTED" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert state == "SUCCESSFUL"


def test_create_order_echoes_type_and_shows_no_missing_number(cdek: Client) -> None:
    body = order_body(type=2, tariff_code="137")
    del body["number"]
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 202, answer.text
    order_uuid = answer.json()["entity"]["uuid"]
    entity = cdek.order(order_uuid)["entity"]
    assert entity["type"] == 2
    assert entity["tariff_code"] == 137
    assert "number" not in entity


def test_create_order_accepts_from_location(cdek: Client) -> None:
    body = order_body(from_location={"city": "Новосибирск", "address": "ул. Ленина, 1"})
    del body["shipment_point"]
    order_uuid = cdek.post("/orders", json=body).json()["entity"]["uuid"]
    cdek.advance()
    entity = cdek.order(order_uuid)["entity"]
    assert entity["from_location"]["city"] == "Новосибирск"
    assert entity["from_location"]["address"] == "ул. Ленина, 1"
    assert entity["statuses"][0]["city"] == "Офис СДЭК"


def _without(path: str) -> dict[str, Any]:
    body = order_body()
    *parents, last = path.split(".")
    target: Any = body
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    del target[last]
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_without("tariff_code"), "tariff_code"),
        (_without("recipient"), "recipient"),
        (_without("recipient.name"), "recipient.name"),
        (_without("recipient.phones"), "recipient.phones"),
        (order_body(recipient={"name": "Иван", "phones": []}), "recipient.phones"),
        (_without("recipient.phones.0.number"), "recipient.phones[0].number"),
        (_without("packages"), "packages"),
        (order_body(packages=[]), "packages"),
        (_without("packages.0.number"), "packages[0].number"),
        (_without("packages.0.weight"), "packages[0].weight"),
        (_without("shipment_point"), "from_location or shipment_point"),
        (_without("to_location"), "to_location or delivery_point"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_create_order_missing_field(cdek: Client, body: dict[str, Any], field: str) -> None:
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 400
    error = only_error(answer)
    assert error["type"] == "CREATE"
    assert error["code"] == "v2_field_is_empty"
    assert error["message"] == f"[{field}] is empty"


def test_create_order_reports_every_missing_field(cdek: Client) -> None:
    answer = cdek.post("/orders", json={})
    assert answer.status_code == 400
    [record] = answer.json()["requests"]
    assert [e["code"] for e in record["errors"]] == ["v2_field_is_empty"] * 5


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (order_body(tariff_code="abc"), "v2_invalid_value_type"),
        (order_body(tariff_code=True), "v2_invalid_value_type"),
        (order_body(recipient="Иван"), "v2_invalid_value_type"),
        (order_body(packages=[{"number": "1", "weight": "heavy"}]), "v2_invalid_value_type"),
        (order_body(type=3), "v2_invalid_format"),
    ],
)
def test_create_order_wrong_types(cdek: Client, body: dict[str, Any], code: str) -> None:
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 400
    assert only_error(answer)["code"] == code


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b"\xff\xfe"])
def test_create_order_body_not_a_json_object(cdek: Client, raw: bytes) -> None:
    answer = cdek.post(
        "/orders",
        data=raw,
        headers={
            "Authorization": f"Bearer {cdek.token}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 400
    error = only_error(answer)
    assert error["code"] == "v2_bad_request"
    assert error["type"] == "CREATE"


def test_create_order_needs_a_token(cdek: Client) -> None:
    answer = cdek.post("/orders", json=order_body(), headers={})
    assert answer.status_code == 401
    assert cdek.control("POST", "/advance", json={"seconds": 5}).status_code == 200
    cdek_token_search = cdek.get("/orders", params={"im_number": "shop-1"})
    assert cdek_token_search.status_code == 400  # nothing was stored


def test_duplicate_shop_number_ends_invalid(timed: Client, clock: FakeClock) -> None:
    first = timed.create(number="dup-1")
    second = timed.create(number="dup-1")
    clock.advance(1)
    assert request_states(timed.order(first)) == [("CREATE", "SUCCESSFUL")]
    failed = timed.order(second)
    [request] = failed["requests"]
    assert request["state"] == "INVALID"
    [error] = request["errors"]
    assert error["code"] == "error_validate_im_dep_number_has_already_had_integration"
    assert "cdek_number" not in failed["entity"]
    assert status_codes(failed) == ["INVALID", "ACCEPTED"]
    # The lookup by shop number finds the order that holds it.
    found = timed.get("/orders", params={"im_number": "dup-1"}).json()
    assert found["entity"]["uuid"] == first


# --- reading orders ------------------------------------------------------------------------------


def test_lookup_by_cdek_number_and_im_number(cdek: Client) -> None:
    order_uuid = cdek.create(number="A-100")
    cdek.advance()
    by_uuid = cdek.order(order_uuid)
    cdek_number = by_uuid["entity"]["cdek_number"]
    by_cdek = cdek.get("/orders", params={"cdek_number": cdek_number})
    assert by_cdek.status_code == 200
    assert by_cdek.json() == by_uuid
    by_im = cdek.get("/orders", params={"im_number": "A-100"})
    assert by_im.status_code == 200
    assert by_im.json() == by_uuid


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"cdek_number": "1106000000"}, 400, "v2_order_not_found"),
        ({"im_number": "nope"}, 400, "v2_entity_not_found_im_number"),
        ({}, 400, "v2_parameters_empty"),
        ({"cdek_number": ""}, 400, "v2_parameters_empty"),
    ],
)
def test_lookup_failures(cdek: Client, params: dict[str, str], status: int, code: str) -> None:
    answer = cdek.get("/orders", params=params)
    assert answer.status_code == status
    error = only_error(answer)
    assert error["type"] == "GET"
    assert error["code"] == code


def test_get_unknown_order(cdek: Client) -> None:
    missing = str(uuid.uuid4())
    answer = cdek.get(f"/orders/{missing}")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("GET", "v2_entity_not_found")
    assert missing in error["message"]


def test_get_order_with_malformed_uuid(cdek: Client) -> None:
    answer = cdek.get("/orders/not-a-uuid")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_invalid_format"
