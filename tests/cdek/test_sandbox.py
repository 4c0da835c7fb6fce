"""The CDEK sandbox, exercised over real sockets the way the provider will use it.

Most time-dependent behaviour is driven by a fake clock (or the /_sandbox/advance control
endpoint), so the asynchronous write model is tested without sleeping.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

from .conftest import (
    BOTH_ACCOUNTS,
    OTHER_ACCOUNT,
    OTHER_SECRET,
    SandboxClient,
    get_token,
    order_body,
)

JSON_TYPE = "application/json; charset=utf-8"
START = datetime(2026, 8, 1, 14, 34, 18, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Cdek(SandboxClient):
    """The shared sandbox client plus this file's order, fault and status shortcuts."""

    def fault(self, **spec: Any) -> None:
        answer = self.control("POST", "/faults", json=spec)
        assert answer.status_code == 201, answer.text

    def create(self, **overrides: Any) -> str:
        answer = self.post("/orders", json=order_body(**overrides))
        assert answer.status_code == 202, answer.text
        return answer.json()["entity"]["uuid"]

    def order(self, order_uuid: str) -> dict[str, Any]:
        return self.read(f"/orders/{order_uuid}")

    def push_status(self, order_uuid: str, code: str) -> None:
        answer = self.control("POST", f"/orders/{order_uuid}/status", json={"code": code})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def cdek(sandbox: RunningSandbox, http: requests.Session, sandbox_token: str) -> Cdek:
    return Cdek(sandbox, http, sandbox_token)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clocked_sandbox(clock: FakeClock) -> Iterator[RunningSandbox]:
    """A sandbox on a fake clock, with a second account for ownership checks."""
    config = SandboxConfig(
        accounts=BOTH_ACCOUNTS,
        token_ttl=60,
        processing_delay=0.2,
        clock=clock,
    )
    with start_sandbox(config) as running:
        yield running


@pytest.fixture
def timed(clocked_sandbox: RunningSandbox, http: requests.Session) -> Cdek:
    return Cdek.login(clocked_sandbox, http)


def only_error(answer: requests.Response) -> dict[str, Any]:
    """The single error of a CDEK error envelope, after checking the envelope's shape."""
    assert answer.headers["Content-Type"] == JSON_TYPE
    body = answer.json()
    assert "entity" not in body
    [record] = body["requests"]
    assert record["state"] == "INVALID"
    [error] = record["errors"]
    return {"type": record["type"], **error}


def status_codes(envelope: dict[str, Any]) -> list[str]:
    return [status["code"] for status in envelope["entity"]["statuses"]]


def request_states(envelope: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["type"], r["state"]) for r in envelope["requests"]]


def b64url_json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- OAuth ------------------------------------------------------------------------------


def test_token_from_form_body(sandbox: RunningSandbox, http: requests.Session) -> None:
    answer = http.post(
        f"{sandbox.base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": TEST_ACCOUNT,
            "client_secret": TEST_SECURE_PASSWORD,
        },
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == JSON_TYPE
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == "order:all payment:all"
    uuid.UUID(body["jti"])
    header, payload, signature = body["access_token"].split(".")
    assert b64url_json(header)["typ"] == "JWT"
    assert b64url_json(payload)["jti"] == body["jti"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", signature)


def test_token_from_query_string(sandbox: RunningSandbox, http: requests.Session) -> None:
    answer = http.post(
        f"{sandbox.base_url}/oauth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": TEST_ACCOUNT,
            "client_secret": TEST_SECURE_PASSWORD,
        },
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json()["access_token"].count(".") == 2


def test_each_token_is_new(sandbox: RunningSandbox, http: requests.Session) -> None:
    assert get_token(sandbox, http) != get_token(sandbox, http)


@pytest.mark.parametrize(
    ("client_id", "client_secret"),
    [(TEST_ACCOUNT, "wrong"), ("nobody", TEST_SECURE_PASSWORD), ("", "")],
)
def test_token_bad_credentials(
    sandbox: RunningSandbox, http: requests.Session, client_id: str, client_secret: str
) -> None:
    answer = http.post(
        f"{sandbox.base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert answer.json()["error_description"]


@pytest.mark.parametrize(
    ("grant_type", "error"),
    [(None, "invalid_request"), ("password", "unsupported_grant_type")],
)
def test_token_grant_type(
    sandbox: RunningSandbox, http: requests.Session, grant_type: str | None, error: str
) -> None:
    form = {"client_id": TEST_ACCOUNT, "client_secret": TEST_SECURE_PASSWORD}
    if grant_type is not None:
        form["grant_type"] = grant_type
    answer = http.post(f"{sandbox.base_url}/oauth/token", data=form, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] == error


# --- bearer authentication --------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "unauthorized"),
        ({"Authorization": "Bearer "}, "unauthorized"),
        ({"Authorization": "Bearer not.a.token"}, "v2_authorization_incorrect"),
    ],
)
def test_missing_or_unknown_token(cdek: Cdek, headers: dict[str, str], code: str) -> None:
    answer = cdek.get(f"/orders/{uuid.uuid4()}", headers=headers)
    assert answer.status_code == 401
    error = only_error(answer)
    assert error["type"] == "AUTH"
    assert error["code"] == code
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", answer.json()["requests"][0]["date_time"]
    )


def test_token_expires_after_ttl(timed: Cdek, clock: FakeClock) -> None:
    missing = f"/orders/{uuid.uuid4()}"
    clock.advance(59)
    assert timed.get(missing).status_code == 400  # still valid: authenticated, no such order
    clock.advance(1)
    answer = timed.get(missing)
    assert answer.status_code == 401
    assert only_error(answer)["code"] == "v2_token_expired"
    timed.token = get_token(timed.sandbox, timed.http)  # a new token is the only remedy
    assert timed.get(missing).status_code == 400


def test_token_expiry_through_advance(cdek: Cdek) -> None:
    cdek.advance(3599)
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 401
    assert only_error(answer)["code"] == "v2_token_expired"


def test_token_of_a_reset_sandbox_is_unknown(cdek: Cdek) -> None:
    assert cdek.control("POST", "/reset").status_code == 200
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert only_error(answer)["code"] == "v2_authorization_incorrect"


# --- creating orders --------------------------------------------------------------------


def test_create_order_is_accepted_then_successful(timed: Cdek, clock: FakeClock) -> None:
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


def test_create_order_processing_in_real_time(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    deadline = time.monotonic() + 2
    while True:
        state = cdek.order(order_uuid)["requests"][0]["state"]
        if state != "ACCEPTED" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert state == "SUCCESSFUL"


def test_create_order_echoes_type_and_shows_no_missing_number(cdek: Cdek) -> None:
    body = order_body(type=2, tariff_code="137")
    del body["number"]
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 202, answer.text
    order_uuid = answer.json()["entity"]["uuid"]
    entity = cdek.order(order_uuid)["entity"]
    assert entity["type"] == 2
    assert entity["tariff_code"] == 137
    assert "number" not in entity


def test_create_order_accepts_from_location(cdek: Cdek) -> None:
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
def test_create_order_missing_field(cdek: Cdek, body: dict[str, Any], field: str) -> None:
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 400
    error = only_error(answer)
    assert error["type"] == "CREATE"
    assert error["code"] == "v2_field_is_empty"
    assert error["message"] == f"[{field}] is empty"


def test_create_order_reports_every_missing_field(cdek: Cdek) -> None:
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
def test_create_order_wrong_types(cdek: Cdek, body: dict[str, Any], code: str) -> None:
    answer = cdek.post("/orders", json=body)
    assert answer.status_code == 400
    assert only_error(answer)["code"] == code


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b"\xff\xfe"])
def test_create_order_body_not_a_json_object(cdek: Cdek, raw: bytes) -> None:
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


def test_create_order_needs_a_token(cdek: Cdek) -> None:
    answer = cdek.post("/orders", json=order_body(), headers={})
    assert answer.status_code == 401
    assert cdek.control("POST", "/advance", json={"seconds": 5}).status_code == 200
    cdek_token_search = cdek.get("/orders", params={"im_number": "shop-1"})
    assert cdek_token_search.status_code == 400  # nothing was stored


def test_duplicate_shop_number_ends_invalid(timed: Cdek, clock: FakeClock) -> None:
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


def test_same_number_in_another_account_is_fine(timed: Cdek, clock: FakeClock) -> None:
    other = Cdek.login(timed.sandbox, timed.http, OTHER_ACCOUNT, OTHER_SECRET)
    timed.create(number="shared")
    theirs = other.create(number="shared")
    clock.advance(1)
    assert request_states(other.order(theirs)) == [("CREATE", "SUCCESSFUL")]


def test_orders_of_another_account_are_forbidden(timed: Cdek, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    other = Cdek.login(timed.sandbox, timed.http, OTHER_ACCOUNT, OTHER_SECRET)
    answer = other.get(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_forbidden"
    refusal = other.post(f"/orders/{order_uuid}/refusal")
    assert refusal.status_code == 400
    assert other.get("/orders", params={"im_number": "shop-1"}).status_code == 400


# --- reading orders ---------------------------------------------------------------------


def test_lookup_by_cdek_number_and_im_number(cdek: Cdek) -> None:
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
def test_lookup_failures(cdek: Cdek, params: dict[str, str], status: int, code: str) -> None:
    answer = cdek.get("/orders", params=params)
    assert answer.status_code == status
    error = only_error(answer)
    assert error["type"] == "GET"
    assert error["code"] == code


def test_get_unknown_order(cdek: Cdek) -> None:
    missing = str(uuid.uuid4())
    answer = cdek.get(f"/orders/{missing}")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("GET", "v2_entity_not_found")
    assert missing in error["message"]


def test_get_order_with_malformed_uuid(cdek: Cdek) -> None:
    answer = cdek.get("/orders/not-a-uuid")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_invalid_format"


# --- refusal ----------------------------------------------------------------------------


def test_refusal_happy_path(timed: Cdek, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    answer = timed.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 202
    body = answer.json()
    assert body["entity"] == {"uuid": order_uuid}
    [request] = body["requests"]
    assert (request["type"], request["state"]) == ("CREATE_REFUSAL", "ACCEPTED")

    assert status_codes(timed.order(order_uuid))[0] == "CREATED"  # still processing
    clock.advance(0.2)
    done = timed.order(order_uuid)
    assert request_states(done) == [("CREATE", "SUCCESSFUL"), ("CREATE_REFUSAL", "SUCCESSFUL")]
    latest = done["entity"]["statuses"][0]
    assert latest["code"] == "NOT_DELIVERED"
    assert latest["name"] == "Не вручен"
    assert latest["reason_code"] == "11"
    assert latest["city"] == "Санкт-Петербург"
    assert latest["date_time"] == "2026-08-01T14:34:19+0000"


def test_refusal_twice_while_processing(timed: Cdek, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    first = timed.post(f"/orders/{order_uuid}/refusal")
    assert first.status_code == 202
    second = timed.post(f"/orders/{order_uuid}/refusal")
    assert second.status_code == 400
    error = only_error(second)
    assert error["code"] == "v2_similar_request_still_processed"
    assert error["type"] == "CREATE_REFUSAL"
    assert first.json()["requests"][0]["request_uuid"] in error["message"]
    # Once the first refusal is done, the order is NOT_DELIVERED and refusals are over.
    clock.advance(1)
    third = timed.post(f"/orders/{order_uuid}/refusal")
    assert third.status_code == 400
    assert only_error(third)["code"] == "v2_order_forbidden_status"


@pytest.mark.parametrize("final_status", ["DELIVERED", "NOT_DELIVERED"])
def test_refusal_on_a_finished_order(cdek: Cdek, final_status: str) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, final_status)
    answer = cdek.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 400
    error = only_error(answer)
    assert error["code"] == "v2_order_forbidden_status"
    assert final_status in error["message"]


def test_refusal_allowed_in_transit(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, "TAKEN_BY_COURIER")
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 202
    cdek.advance()
    assert status_codes(cdek.order(order_uuid))[:2] == ["NOT_DELIVERED", "TAKEN_BY_COURIER"]


def test_refusal_before_the_order_is_created(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    answer = cdek.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_order_forbidden_status"


def test_refusal_of_an_invalid_order(cdek: Cdek) -> None:
    cdek.create(number="twice")
    second = cdek.create(number="twice")
    cdek.advance()
    answer = cdek.post(f"/orders/{second}/refusal")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_invalid"


def test_refusal_of_unknown_order(cdek: Cdek) -> None:
    answer = cdek.post(f"/orders/{uuid.uuid4()}/refusal")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("CREATE_REFUSAL", "v2_entity_not_found")


def test_refusal_found_forbidden_when_processed(timed: Cdek, clock: FakeClock) -> None:
    """Checks are repeated asynchronously: a delivery that lands first voids the refusal."""
    order_uuid = timed.create()
    clock.advance(1)
    assert timed.post(f"/orders/{order_uuid}/refusal").status_code == 202
    timed.push_status(order_uuid, "DELIVERED")
    clock.advance(1)
    done = timed.order(order_uuid)
    assert request_states(done) == [("CREATE", "SUCCESSFUL"), ("CREATE_REFUSAL", "INVALID")]
    assert done["requests"][1]["errors"][0]["code"] == "v2_order_forbidden_status"
    assert status_codes(done)[0] == "DELIVERED"


# --- delete -----------------------------------------------------------------------------


def test_delete_fresh_order(cdek: Cdek) -> None:
    order_uuid = cdek.create(number="to-delete")
    cdek.advance()
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 202
    [request] = answer.json()["requests"]
    assert (request["type"], request["state"]) == ("DELETE", "ACCEPTED")
    again = cdek.delete(f"/orders/{order_uuid}")
    assert again.status_code == 400
    assert only_error(again)["code"] == "v2_similar_request_still_processed"
    cdek.advance()
    # CDEK finds no deleted order: neither by its uuid nor by its shop number.
    removed = cdek.get(f"/orders/{order_uuid}")
    assert only_error(removed)["code"] == "v2_entity_not_found"
    by_number = cdek.get("/orders", params={"im_number": "to-delete"})
    assert only_error(by_number)["code"] == "v2_entity_not_found_im_number"
    after = cdek.delete(f"/orders/{order_uuid}")
    assert after.status_code == 400
    assert only_error(after)["code"] == "v2_entity_not_found"
    # A removed order frees its shop number.
    reused = cdek.create(number="to-delete")
    cdek.advance()
    assert request_states(cdek.order(reused)) == [("CREATE", "SUCCESSFUL")]


def test_delete_order_that_moved_on(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, "RECEIVED_AT_SHIPMENT_WAREHOUSE")
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("DELETE", "error_validate_order_delete_status")


def test_delete_order_not_yet_created(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "error_validate_order_delete_status"


def test_delete_unknown_order(cdek: Cdek) -> None:
    answer = cdek.delete(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_not_found"


# --- routing ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v2/nothing/here", "/v1/orders", "/", "/_sandbox/nothing"])
def test_unknown_path(cdek: Cdek, path: str) -> None:
    answer = cdek.http.get(cdek.sandbox.root_url + path, timeout=5)
    assert answer.status_code == 404
    assert only_error(answer)["code"] == "v2_bad_request"


def test_wrong_method(cdek: Cdek) -> None:
    answer = cdek.call("PUT", "/orders")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert answer.json()["requests"][0]["state"] == "INVALID"
    assert cdek.get("/oauth/token").status_code == 405


# --- control endpoints ------------------------------------------------------------------


def test_push_status_control(cdek: Cdek) -> None:
    order_uuid = cdek.create()
    early = cdek.control("POST", f"/orders/{order_uuid}/status", json={"code": "DELIVERED"})
    assert early.status_code == 409
    cdek.advance()
    cdek.push_status(order_uuid, "DELIVERED")
    latest = cdek.order(order_uuid)["entity"]["statuses"][0]
    assert (latest["code"], latest["name"]) == ("DELIVERED", "Вручен")
    missing = cdek.control("POST", f"/orders/{uuid.uuid4()}/status", json={"code": "DELIVERED"})
    assert missing.status_code == 404
    bad = cdek.control("POST", f"/orders/{order_uuid}/status", json={"code": "delivered!"})
    assert bad.status_code == 400


def test_reset_forgets_orders(cdek: Cdek) -> None:
    cdek.create(number="gone")
    assert cdek.control("POST", "/reset").json() == {"reset": True}
    cdek.token = get_token(cdek.sandbox, cdek.http)
    assert cdek.get("/orders", params={"im_number": "gone"}).status_code == 400
    assert cdek.control("GET", "/requests").json()[-1]["path"] == "/v2/orders"
    assert len(cdek.control("GET", "/requests").json()) == 2


def test_seed_makes_ids_deterministic(http: requests.Session) -> None:
    def run() -> tuple[str, str, str]:
        config = SandboxConfig(seed=42, clock=FakeClock(), processing_delay=0)
        with start_sandbox(config) as running:
            client = Cdek.login(running, http)
            order_uuid = client.create()
            return client.token, order_uuid, client.order(order_uuid)["entity"]["cdek_number"]

    assert run() == run()


# --- faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("http_500", 500, "Internal Server Error"),
        ("http_502", 502, "Bad Gateway"),
        ("http_503", 503, "Service Temporarily Unavailable"),
    ],
)
def test_fault_html_error_pages(cdek: Cdek, kind: str, status: int, title: str) -> None:
    cdek.fault(kind=kind)
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<html>")
    assert title in answer.text
    assert cdek.get(f"/orders/{uuid.uuid4()}").status_code == 400  # used up


def test_fault_429_has_retry_after(cdek: Cdek) -> None:
    cdek.fault(kind="http_429", retry_after=3)
    answer = cdek.post("/orders", json=order_body())
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert answer.headers["Content-Type"] == JSON_TYPE
    assert answer.json()["errors"][0]["code"]
    assert cdek.get("/orders", params={"im_number": "shop-1"}).status_code == 400  # not stored


def test_fault_drop_closes_the_connection(cdek: Cdek) -> None:
    cdek.fault(kind="drop")
    with pytest.raises(requests.ConnectionError):
        cdek.post("/orders", json=order_body())
    assert cdek.get("/orders", params={"im_number": "shop-1"}).status_code == 400
    log = cdek.control("GET", "/requests").json()
    assert log[-2] == {
        "method": "POST",
        "path": "/v2/orders",
        "query": "",
        "status": None,
        "fault": "drop",
    }


def test_fault_malformed_json(cdek: Cdek) -> None:
    cdek.fault(kind="malformed_json")
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == JSON_TYPE
    with pytest.raises(ValueError):
        answer.json()


def test_fault_empty_body(cdek: Cdek) -> None:
    cdek.fault(kind="empty")
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 200
    assert answer.content == b""


def test_fault_delay_then_normal_answer(cdek: Cdek) -> None:
    cdek.fault(kind="delay", seconds=0.2)
    started = time.monotonic()
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert time.monotonic() - started >= 0.2
    assert answer.status_code == 400
    with pytest.raises(requests.Timeout):  # a client timeout shorter than the delay fires
        cdek.fault(kind="delay", seconds=0.3)
        cdek.get(f"/orders/{uuid.uuid4()}", timeout=0.05)


def test_fault_count_is_consumed(cdek: Cdek) -> None:
    cdek.fault(kind="http_503", count=2)
    path = f"/orders/{uuid.uuid4()}"
    assert [cdek.get(path).status_code for _ in range(3)] == [503, 503, 400]
    assert cdek.control("GET", "/faults").json() == []


def test_fault_path_filter(cdek: Cdek) -> None:
    cdek.fault(kind="http_502", path=r"/refusal$")
    order_uuid = cdek.create()  # not matched: served normally
    cdek.advance()
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 502
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 202


def test_faults_apply_to_the_token_endpoint(cdek: Cdek) -> None:
    cdek.fault(kind="http_500", path="oauth")
    with pytest.raises(AssertionError):
        get_token(cdek.sandbox, cdek.http)
    assert get_token(cdek.sandbox, cdek.http)


def test_faults_queue_in_order_and_can_be_cleared(cdek: Cdek) -> None:
    cdek.fault(kind="http_500")
    cdek.fault(kind="http_429", count=5)
    path = f"/orders/{uuid.uuid4()}"
    assert [cdek.get(path).status_code for _ in range(2)] == [500, 429]
    listed = cdek.control("GET", "/faults").json()
    assert [(f["kind"], f["count"]) for f in listed] == [("http_429", 4)]
    assert cdek.control("DELETE", "/faults").json() == {"cleared": 1}
    assert cdek.get(path).status_code == 400


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "http_500", "count": 0},
        {"kind": "http_500", "path": "("},
        {"kind": "http_429", "retry_after": "soon"},
        {"kind": "delay", "seconds": -1},
    ],
)
def test_bad_fault_specs(cdek: Cdek, spec: dict[str, Any]) -> None:
    assert cdek.control("POST", "/faults", json=spec).status_code == 400
    assert cdek.control("GET", "/faults").json() == []


# --- request log ------------------------------------------------------------------------


def test_request_log(cdek: Cdek) -> None:
    assert cdek.control("DELETE", "/requests").json() == {"cleared": 1}  # the token request
    cdek.fault(kind="http_503", path="orders")
    cdek.get("/orders", params={"cdek_number": "1106000001"})
    cdek.get("/orders", params={"cdek_number": "1106000001"})
    cdek.get("/nowhere")
    cdek.control("POST", "/advance", json={"seconds": 1})  # control calls are not logged
    assert cdek.control("GET", "/requests").json() == [
        {
            "method": "GET",
            "path": "/v2/orders",
            "query": "cdek_number=1106000001",
            "status": 503,
            "fault": "http_503",
        },
        {
            "method": "GET",
            "path": "/v2/orders",
            "query": "cdek_number=1106000001",
            "status": 400,
            "fault": None,
        },
        {"method": "GET", "path": "/v2/nowhere", "query": "", "status": 404, "fault": None},
    ]
    assert cdek.control("DELETE", "/requests").json() == {"cleared": 3}
    assert cdek.control("GET", "/requests").json() == []


def test_concurrent_requests_are_all_logged(cdek: Cdek) -> None:
    def create(index: int) -> None:
        answers.append(cdek.create(number=f"n-{index}"))

    answers: list[str] = []
    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 8
    log = cdek.control("GET", "/requests").json()
    assert sum(1 for entry in log if entry["status"] == 202) == 8


# --- packaging and serve() --------------------------------------------------------------


def _subprocess_env() -> dict[str, str]:
    """The test's environment: the oint under test, installed or editable, never a path hack."""
    return dict(os.environ)


def test_importing_the_package_does_not_import_werkzeug() -> None:
    code = (
        "import sys, oint_cdek.sandbox as sandbox\n"
        "assert 'werkzeug' not in sys.modules, 'werkzeug imported eagerly'\n"
        "assert sandbox.SandboxConfig().token_ttl == 3599\n"
        "assert 'werkzeug' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_announces_url_and_stops_on_signal(
    http: requests.Session, signum: signal.Signals
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from oint_cdek.sandbox.server import serve; serve(port=0)"],
        env=_subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(30, process.kill)  # never hang the suite
    watchdog.start()
    try:
        first_line = process.stdout.readline().strip() if process.stdout else ""
        match = re.fullmatch(r"OINT_CDEK_BASE_URL=(http://127\.0\.0\.1:(\d+)/v2)", first_line)
        assert match, first_line
        base_url = match.group(1)
        assert int(match.group(2)) > 0
        answer = http.post(
            f"{base_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": TEST_ACCOUNT,
                "client_secret": TEST_SECURE_PASSWORD,
            },
            timeout=5,
        )
        assert answer.status_code == 200
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=20)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "POST /v2/oauth/token" not in stderr  # no access log
    with pytest.raises(requests.ConnectionError):
        http.get(f"{base_url}/orders", timeout=2)
