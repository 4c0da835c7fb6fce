"""The /_sandbox control endpoints: pushed statuses, reset, injected faults, request log."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD

from ..conftest import get_token, order_body, token_answer
from .conftest import JSON_TYPE, Client

# --- control endpoints ---------------------------------------------------------------------------


def test_push_status_control(cdek: Client) -> None:
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


def test_reset_forgets_orders(cdek: Client) -> None:
    cdek.create(number="gone")
    assert cdek.control("POST", "/reset").json() == {"reset": True}
    cdek.token = get_token(cdek.sandbox, cdek.http)
    assert cdek.get("/orders", params={"im_number": "gone"}).status_code == 400
    assert cdek.control("GET", "/requests").json()[-1]["path"] == "/v2/orders"
    assert len(cdek.control("GET", "/requests").json()) == 2


# --- faults --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("http_500", 500, "Internal Server Error"),
        ("http_502", 502, "Bad Gateway"),
        ("http_503", 503, "Service Temporarily Unavailable"),
    ],
)
def test_fault_html_error_pages(cdek: Client, kind: str, status: int, title: str) -> None:
    cdek.fault(kind=kind)
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<html>")
    assert title in answer.text
    assert cdek.get(f"/orders/{uuid.uuid4()}").status_code == 400  # used up


def test_fault_429_has_retry_after(cdek: Client) -> None:
    cdek.fault(kind="http_429", retry_after=3)
    answer = cdek.post("/orders", json=order_body())
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert answer.headers["Content-Type"] == JSON_TYPE
    assert answer.json()["errors"][0]["code"]
    assert cdek.get("/orders", params={"im_number": "shop-1"}).status_code == 400  # not stored


def test_fault_drop_closes_the_connection(cdek: Client) -> None:
    cdek.fault(kind="drop")
    with pytest.raises(requests.ConnectionError):
        cdek.post("/orders", json=order_body())
    assert cdek.get("/orders", params={"im_number": "shop-1"}).status_code == 400
    log = cdek.control("GET", "/requests").json()
    assert log[-2] == {
        "direction": "in",
        "method": "POST",
        "path": "/v2/orders",
        "query": "",
        "status": None,
        "fault": "drop",
        "account": TEST_ACCOUNT,
    }


def test_fault_malformed_json(cdek: Client) -> None:
    cdek.fault(kind="malformed_json")
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == JSON_TYPE
    with pytest.raises(ValueError):
        answer.json()


def test_fault_empty_body(cdek: Client) -> None:
    cdek.fault(kind="empty")
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 200
    assert answer.content == b""


def test_fault_delay_then_normal_answer(cdek: Client) -> None:
    cdek.fault(kind="delay", seconds=0.2)
    started = time.monotonic()
    answer = cdek.get(f"/orders/{uuid.uuid4()}")
    assert time.monotonic() - started >= 0.2
    assert answer.status_code == 400
    with pytest.raises(requests.Timeout):  # a client timeout shorter than the delay fires
        cdek.fault(kind="delay", seconds=0.3)
        cdek.get(f"/orders/{uuid.uuid4()}", timeout=0.05)


def test_fault_count_is_consumed(cdek: Client) -> None:
    cdek.fault(kind="http_503", count=2)
    path = f"/orders/{uuid.uuid4()}"
    assert [cdek.get(path).status_code for _ in range(3)] == [503, 503, 400]
    assert cdek.control("GET", "/faults").json() == []


def test_fault_path_filter(cdek: Client) -> None:
    cdek.fault(kind="http_502", path=r"/refusal$")
    order_uuid = cdek.create()  # not matched: served normally
    cdek.advance()
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 502
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 202


def test_faults_apply_to_the_token_endpoint(cdek: Client) -> None:
    cdek.fault(kind="http_500", path="oauth")
    with pytest.raises(AssertionError):
        get_token(cdek.sandbox, cdek.http)
    assert get_token(cdek.sandbox, cdek.http)


def test_faults_queue_in_order_and_can_be_cleared(cdek: Client) -> None:
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
def test_bad_fault_specs(cdek: Client, spec: dict[str, Any]) -> None:
    assert cdek.control("POST", "/faults", json=spec).status_code == 400
    assert cdek.control("GET", "/faults").json() == []


# --- request log ---------------------------------------------------------------------------------


def test_request_log(cdek: Client) -> None:
    assert cdek.control("DELETE", "/requests").json() == {"cleared": 1}  # the token request
    cdek.fault(kind="http_503", path="orders")
    cdek.get("/orders", params={"cdek_number": "1106000001"})
    cdek.get("/orders", params={"cdek_number": "1106000001"})
    cdek.get("/nowhere")
    cdek.control("POST", "/advance", json={"seconds": 1})  # control calls are not logged
    assert cdek.control("GET", "/requests").json() == [
        {
            "direction": "in",
            "method": "GET",
            "path": "/v2/orders",
            "query": "cdek_number=1106000001",
            "status": 503,
            "fault": "http_503",
            "account": TEST_ACCOUNT,
        },
        {
            "direction": "in",
            "method": "GET",
            "path": "/v2/orders",
            "query": "cdek_number=1106000001",
            "status": 400,
            "fault": None,
            "account": TEST_ACCOUNT,
        },
        {
            "direction": "in",
            "method": "GET",
            "path": "/v2/nowhere",
            "query": "",
            "status": 404,
            "fault": None,
            "account": TEST_ACCOUNT,
        },
    ]
    assert cdek.control("DELETE", "/requests").json() == {"cleared": 3}
    assert cdek.control("GET", "/requests").json() == []


def test_the_request_log_names_the_account_whose_credentials_a_request_carried(
    cdek: Client,
) -> None:
    cdek.control("DELETE", "/requests")
    cdek.get("/orders", params={"cdek_number": "1"})
    cdek.get("/orders", params={"cdek_number": "1"}, headers={"Authorization": "Bearer forged"})
    cdek.get("/orders", params={"cdek_number": "1"}, headers={})
    token_answer(cdek.http, cdek.sandbox.base_url, TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    token_answer(cdek.http, cdek.sandbox.base_url, TEST_ACCOUNT, "wrong")
    log = cdek.control("GET", "/requests").json()
    assert [(r["status"], r["account"]) for r in log] == [
        (400, TEST_ACCOUNT),
        (401, None),
        (401, None),
        (200, TEST_ACCOUNT),
        (401, None),
    ]


def test_concurrent_requests_are_all_logged(cdek: Client) -> None:
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


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"code": "BOGUS"}, 400),
        ({"code": "DELIVERED", "reason_code": {"a": 1}}, 400),
        ({"code": "DELIVERED", "city": 5}, 400),
        ({"code": "DELIVERED", "name": ["x"]}, 400),
    ],
)
def test_a_pushed_status_must_be_cdeks_with_values_of_the_right_type(
    cdek: Client, change: dict, status: int
) -> None:
    order_uuid = cdek.created_order(f"push-{len(str(change))}")["uuid"]
    answer = cdek.control("POST", f"/orders/{order_uuid}/status", json=change)
    assert answer.status_code == status, answer.text
    codes = [s["code"] for s in cdek.read(f"/orders/{order_uuid}")["entity"]["statuses"]]
    assert codes[0] == "CREATED"


def test_no_status_is_pushed_after_a_final_one(cdek: Client) -> None:
    order_uuid = cdek.created_order("push-final")["uuid"]
    path = f"/orders/{order_uuid}/status"
    assert cdek.control("POST", path, json={"code": "DELIVERED"}).status_code == 200
    assert cdek.control("POST", path, json={"code": "DELIVERED"}).status_code == 409


def test_a_secret_in_a_percent_encoded_query_name_is_masked_in_the_log(cdek: Client) -> None:
    secret = "s3cr3t-percent-encoded-99"
    cdek.http.post(
        cdek.sandbox.base_url + f"/oauth/token?grant_type=client_credentials&client_id=x"
        f"&client%5Fsecret={secret}&pass%77ord={secret}",
        timeout=10,
    )
    log = cdek.control("GET", "/requests").text
    assert secret not in log
