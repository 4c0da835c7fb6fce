"""Tokens (OAuth, expiry, reset), the bearer header endpoints require, and accounts' ownership."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import OTHER_ACCOUNT, OTHER_SECRET, get_token, token_answer
from .conftest import (
    JSON_TYPE,
    Client,
    FakeClock,
    errors_of,
    only_error,
    only_error_at,
    request_states,
    shipment,
)


def b64url_json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- OAuth ---------------------------------------------------------------------------------------


def test_token_from_form_body(sandbox: RunningSandbox, http: requests.Session) -> None:
    answer = token_answer(http, sandbox.base_url)
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
    answer = token_answer(http, sandbox.base_url, in_query=True)
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
    answer = token_answer(http, sandbox.base_url, client_id, client_secret)
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


# --- bearer authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "unauthorized"),
        ({"Authorization": "Bearer "}, "unauthorized"),
        ({"Authorization": "Bearer not.a.token"}, "v2_authorization_incorrect"),
    ],
)
def test_missing_or_unknown_token(cdek: Client, headers: dict[str, str], code: str) -> None:
    answer = cdek.get(f"/orders/{uuid.uuid4()}", headers=headers)
    assert answer.status_code == 401
    error = only_error(answer)
    assert error["type"] == "AUTH"
    assert error["code"] == code
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", answer.json()["requests"][0]["date_time"]
    )


def test_token_expires_after_ttl(timed: Client, clock: FakeClock) -> None:
    missing = f"/orders/{uuid.uuid4()}"
    clock.advance(59)
    assert timed.get(missing).status_code == 400  # still valid: authenticated, no such order
    clock.advance(1)
    answer = timed.get(missing)
    assert answer.status_code == 401
    assert only_error(answer)["code"] == "v2_token_expired"
    timed.token = get_token(timed.sandbox, timed.http)  # a new token is the only remedy
    assert timed.get(missing).status_code == 400


def test_token_expiry_through_advance(cdek: Client) -> None:
    cdek.advance(3599)
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 401
    assert only_error(answer)["code"] == "v2_token_expired"


def test_token_of_a_reset_sandbox_is_unknown(cdek: Client) -> None:
    assert cdek.control("POST", "/reset").status_code == 200
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert only_error(answer)["code"] == "v2_authorization_incorrect"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/deliverypoints"),
        ("GET", "/location/regions"),
        ("GET", "/check?date=2026-08-01"),
        ("GET", "/registries?date=2026-08-01"),
        ("GET", "/payment?date=2026-08-01"),
        ("POST", "/print/orders"),
        ("POST", "/intakes"),
        ("PATCH", "/orders"),
    ],
)
def test_bearer_required(ref: Client, method: str, path: str) -> None:
    answer = ref.call(method, path, headers={})
    assert only_error_at(answer, 401) == {
        "type": "AUTH",
        "code": "unauthorized",
        "message": "Full authentication is required",
    }


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
def test_bearer_required_before_reading_a_body(api: Client, method: str, path: str) -> None:
    answer = api.call(method, path, headers={}, json=shipment())
    assert errors_of(answer, 401) == [
        {"code": "unauthorized", "message": "Full authentication is required"}
    ]


# --- accounts ------------------------------------------------------------------------------------


def test_same_number_in_another_account_is_fine(timed: Client, clock: FakeClock) -> None:
    other = Client.login(timed.sandbox, timed.http, OTHER_ACCOUNT, OTHER_SECRET)
    timed.create(number="shared")
    theirs = other.create(number="shared")
    clock.advance(1)
    assert request_states(other.order(theirs)) == [("CREATE", "SUCCESSFUL")]


def test_orders_of_another_account_are_forbidden(timed: Client, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    other = Client.login(timed.sandbox, timed.http, OTHER_ACCOUNT, OTHER_SECRET)
    answer = other.get(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_forbidden"
    refusal = other.post(f"/orders/{order_uuid}/refusal")
    assert refusal.status_code == 400
    assert other.get("/orders", params={"im_number": "shop-1"}).status_code == 400
