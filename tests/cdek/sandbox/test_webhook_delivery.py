"""The sandbox sends CDEK's webhook events: to a small receiver on loopback in the test, each
payload checked against the attribute table of its type (from the committed facts file, which
tools/cdek_spec_facts.py derives from CDEK's document), in the order things happened, under
CDEK's delivery rules (timeout, retries with back-off, disabling), and never beyond loopback."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid as uuid_module
from collections.abc import Iterator
from datetime import date
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema
import pytest
import requests

from oint_cdek import vocabulary
from oint_cdek.sandbox import delivery
from oint_cdek.sandbox.models.orders import STATUS_CODES
from oint_cdek.testing import CdekSandbox

from ...conftest import SPEC_FACTS
from ..conftest import BOTH_ACCOUNTS, OTHER_ACCOUNT, order_body
from .conftest import Client, error_code

WEBHOOKS = json.loads(SPEC_FACTS.read_text(encoding="utf-8"))["webhooks"]
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)")
#: A door order (so it meets a courier) with a shop number.
DOOR = order_body(number="hook-door")
POINT = order_body(number="hook-point", delivery_point="NSK27", tariff_code=136)
TIMES = {"intake_date": "2026-08-10", "intake_time_from": "10:00", "intake_time_to": "17:00"}


def _checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid_module.UUID(value))

    @checker.checks("date", raises=ValueError)
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("time", raises=ValueError)
    def is_time(value: object) -> bool:
        return not isinstance(value, str) or bool(clock_time.fromisoformat(value))

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE_TIME.fullmatch(value))

    return checker


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The table's schema with no field beyond those it lists, at every level."""
    closed = dict(schema)
    if "properties" in closed:
        closed["properties"] = {k: _closed(v) for k, v in closed["properties"].items()}
        closed["additionalProperties"] = False
    if isinstance(closed.get("items"), dict):
        closed["items"] = _closed(closed["items"])
    return closed


def check_event(event: dict[str, Any]) -> None:
    """Fail unless ``event`` is CDEK's envelope with the attributes of its type's table."""
    checker = _checker()
    jsonschema.validate(event, _closed(WEBHOOKS["envelope"]), format_checker=checker)
    table = WEBHOOKS["events"].get(event["type"])
    if table is not None:
        schema = {"type": "object", **_closed(table)}
        jsonschema.validate(event["attributes"], schema, format_checker=checker)


# --- a receiver on loopback -----------------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers as ``script`` says:
    one action per request, then 200 ("slow" sleeps ``slow`` seconds before answering, an
    int is that status, "redirect" a 302 to /elsewhere)."""

    def __init__(self, script: list[Any] | None = None, slow: float = 2.0) -> None:
        self.script = list(script or [])
        self.slow = slow
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    action = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append(
                        {"path": self.path, "at": time.monotonic(), "body": json.loads(body)}
                    )
                if action == "slow":
                    time.sleep(receiver.slow)
                    action = 200
                if action == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                else:
                    self.send_response(int(action))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # the sandbox hung up on a slow answer: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [item["body"] for item in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def login(sandbox: CdekSandbox, http: requests.Session, account: str | None = None) -> Client:
    if account is None:
        return Client.login(sandbox.running, http)
    return Client.login(sandbox.running, http, account, BOTH_ACCOUNTS[account])


def subscribe(api: Client, url: str, kind: str) -> str:
    answer = api.post("/webhooks", json={"url": url, "type": kind})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["entity"]["uuid"])


def created_order(api: Client, sandbox: CdekSandbox, body: dict[str, Any]) -> dict[str, Any]:
    order_uuid = api.accepted(api.post("/orders", json=body))
    sandbox.wait_for_webhooks()  # settles the CREATE (processing_delay=0)
    entity: dict[str, Any] = api.read(f"/orders/{order_uuid}")["entity"]
    assert entity["statuses"][0]["code"] == "CREATED"
    return entity


# --- the facts the sandbox follows ----------------------------------------------------------------


def test_the_facts_give_a_table_for_every_type_but_receipt() -> None:
    assert set(WEBHOOKS["envelope"]["properties"]["type"]["enum"]) == set(vocabulary.WEBHOOK_TYPES)
    assert set(WEBHOOKS["events"]) == set(vocabulary.WEBHOOK_TYPES) - {"RECEIPT"}
    assert WEBHOOKS["types_without_table"] == ["RECEIPT"]
    # COURIER_INFO's table spells cdek_number with a Cyrillic letter; the facts say so.
    assert WEBHOOKS["normalized_names"] == ["COURIER_INFO.cdek_number"]


def test_the_delivery_rules_are_cdeks_figures() -> None:
    rules = WEBHOOKS["delivery"]
    assert rules["connect_timeout_seconds"] == delivery.CONNECT_TIMEOUT
    assert rules["max_attempts"] == delivery.MAX_ATTEMPTS
    assert rules["attempts_window_minutes"] * 60 == delivery.ATTEMPTS_WINDOW
    assert rules["failing_subscription_removed_after_hours"] * 3600 == delivery.FAILING_REMOVAL
    # The pauses are the sandbox's: all attempts, each timing out, fit in CDEK's window.
    pauses = sum(delivery.backoff(n) for n in range(1, delivery.MAX_ATTEMPTS))
    assert pauses + delivery.MAX_ATTEMPTS * delivery.CONNECT_TIMEOUT <= delivery.ATTEMPTS_WINDOW
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]


def test_status_codes_and_the_refusal_reason_are_the_appendices() -> None:
    appendix = WEBHOOKS["order_status_codes"]
    assert {code: appendix[code] for code in STATUS_CODES} == STATUS_CODES
    assert WEBHOOKS["order_reason_statuses"]["11"] == "NOT_DELIVERED"


# --- events as things happen ----------------------------------------------------------------------


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_order_status_follows_a_refusal_journey_to_not_delivered_reason_11(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    subscribe(api, f"{receiver.url}/cdek/status", "ORDER_STATUS")
    subscribe(api, f"{receiver.url}/cdek/courier", "COURIER_INFO")
    order = created_order(api, cdek_sandbox, DOOR)
    cdek_sandbox.move_order(order["uuid"], "SENT_TO_RECIPIENT_CITY")
    cdek_sandbox.move_order(order["uuid"], "TAKEN_BY_COURIER")
    refusal = api.post(f"/orders/{order['uuid']}/refusal")
    assert refusal.status_code == 202, refusal.text
    deliveries = cdek_sandbox.deliveries()
    assert {entry["outcome"] for entry in deliveries} == {"delivered"}

    statuses = [e for e in receiver.events() if e["type"] == "ORDER_STATUS"]
    for event in receiver.events():
        check_event(event)
    assert [e["attributes"]["code"] for e in statuses] == [
        "CREATED",
        "RECEIVED_AT_SHIPMENT_WAREHOUSE",
        "READY_FOR_SHIPMENT_IN_SENDER_CITY",
        "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
        "SENT_TO_RECIPIENT_CITY",
        "ACCEPTED_IN_RECIPIENT_CITY",
        "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
        "TAKEN_BY_COURIER",
        "NOT_DELIVERED",
    ]
    assert {e["uuid"] for e in statuses} == {order["uuid"]}
    assert {e["attributes"]["cdek_number"] for e in statuses} == {order["cdek_number"]}
    assert {e["attributes"]["number"] for e in statuses} == {"hook-door"}
    for event in statuses:
        attributes = event["attributes"]
        assert attributes["status_code"] == WEBHOOKS["order_status_codes"][attributes["code"]]
        assert event["date_time"] == attributes["status_date_time"]
    last = statuses[-1]["attributes"]
    assert last["status_reason_code"] == "11"
    assert WEBHOOKS["order_reason_statuses"][last["status_reason_code"]] == last["code"]
    assert all("status_reason_code" not in e["attributes"] for e in statuses[:-1])
    assert "city_code" not in statuses[0]["attributes"]  # the table: none for CREATED
    # The order's own statuses, oldest first, are what was sent.
    shown = api.read(f"/orders/{order['uuid']}")["entity"]["statuses"]
    sent = [(e["attributes"]["code"], e["attributes"]["status_date_time"]) for e in statuses]
    assert sent == [(s["code"], s["date_time"]) for s in reversed(shown) if s["code"] != "ACCEPTED"]

    [courier] = [e for e in receiver.events() if e["type"] == "COURIER_INFO"]
    assert courier["uuid"] == order["uuid"]
    assert courier["attributes"]["task_type"] == "DELIVERY"
    assert courier["attributes"]["cdek_number"] == order["cdek_number"]
    paths = {e["type"]: r["path"] for r in receiver.received for e in [r["body"]]}
    assert paths == {"ORDER_STATUS": "/cdek/status", "COURIER_INFO": "/cdek/courier"}


@pytest.mark.cdek_sandbox(processing_delay=30)
def test_events_go_out_as_the_clock_moves_without_another_request(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    subscribe(api, receiver.url, "ORDER_STATUS")
    order_uuid = api.accepted(api.post("/orders", json=DOOR))
    cdek_sandbox.advance(31)  # CDEK processes the order; nobody asks the sandbox about it
    deadline = time.monotonic() + 10
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["attributes"]["code"] for e in receiver.events()] == ["CREATED"]
    cdek_sandbox.push_status(order_uuid, "DELIVERED")
    cdek_sandbox.wait_for_webhooks()
    events = receiver.events()
    assert [(e["uuid"], e["attributes"]["code"]) for e in events] == [
        (order_uuid, "CREATED"),
        (order_uuid, "DELIVERED"),
    ]
    assert events[1]["attributes"]["status_code"] == "4"


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_print_form_events_link_pdfs_the_sandbox_serves(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    subscribe(api, receiver.url, "PRINT_FORM")
    refs = {"orders": [{"order_uuid": order["uuid"]}]}
    waybill = api.accepted(api.post("/print/orders", json=refs))
    barcode = api.accepted(api.post("/print/barcodes", json=refs))
    cdek_sandbox.deliveries()
    cdek_sandbox.wait_for_webhooks()  # settles PROCESSING to READY, then sends
    events = receiver.events()
    assert sorted((e["uuid"], e["attributes"]["type"]) for e in events) == sorted(
        [(waybill, "WAYBILL"), (barcode, "BARCODE")]
    )
    for event in events:
        check_event(event)
        url = event["attributes"]["url"]
        assert url.startswith(cdek_sandbox.base_url + "/print/")
        pdf = api.get(url)
        assert pdf.status_code == 200
        assert pdf.headers["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_order_update_photos_agreement_and_prealert_send_their_events(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    point = created_order(api, cdek_sandbox, POINT)
    subscribe(api, receiver.url, "ORDER_MODIFIED")
    subscribe(api, receiver.url, "DOWNLOAD_PHOTO")
    update = api.call("PATCH", "/orders", json={"uuid": order["uuid"], "tariff_code": 139})
    assert update.status_code == 202, update.text
    photos = api.post("/photoDocument", json={"orders": [{"order_uuid": order["uuid"]}]})
    assert photos.status_code == 200, photos.text
    cdek_sandbox.deliveries()
    modified = [e for e in receiver.events() if e["type"] == "ORDER_MODIFIED"]
    assert [e["attributes"]["modification_type"] for e in modified] == [
        "DELIVERY_SUM_CHANGED",
        "DELIVERY_MODE_CHANGED",
    ]
    [photo] = [e for e in receiver.events() if e["type"] == "DOWNLOAD_PHOTO"]
    link = photos.json()["orders"][0]["link"]
    assert photo["attributes"] == {
        "cdek_number": order["cdek_number"],
        "link": link,
        "create_date": order["statuses"][0]["date_time"],
    }
    assert api.get(link).content.startswith(b"PK")  # the archive (a ZIP)

    for hook in api.read("/webhooks"):
        assert api.delete(f"/webhooks/{hook['uuid']}").status_code == 200
    subscribe(api, receiver.url, "DELIV_AGREEMENT")
    subscribe(api, receiver.url, "PREALERT_CLOSED")
    body = {"order_uuid": order["uuid"], "date": "2026-08-06", "comment": "ring twice"}
    agreement = api.accepted(api.post("/delivery", json=body))
    prealert = {
        "planned_date": "2026-08-02T10:00:00+0000",
        "shipment_point": "MSK123",
        "orders": [{"order_uuid": point["uuid"]}],
    }
    prealert_uuid = api.accepted(api.post("/prealert", json=prealert))
    cdek_sandbox.deliveries()
    cdek_sandbox.move_order(point["uuid"], "RECEIVED_AT_SHIPMENT_WAREHOUSE")
    cdek_sandbox.deliveries()
    events = receiver.events()
    for event in events:
        check_event(event)
    [deal] = [e for e in events if e["type"] == "DELIV_AGREEMENT"]
    assert deal["uuid"] == order["uuid"]
    assert {k: deal["attributes"][k] for k in ("delivery_uuid", "date", "comment", "type")} == {
        "delivery_uuid": agreement,
        "date": "2026-08-06",
        "comment": "ring twice",
        "type": "DOOR",
    }
    [closed] = [e for e in events if e["type"] == "PREALERT_CLOSED"]
    assert closed["uuid"] == prealert_uuid
    assert closed["attributes"]["fact_shipment_point"] == "MSK123"
    assert events.index(deal) < events.index(closed)  # in the order they happened


# --- every type on demand -------------------------------------------------------------------------


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_every_event_type_can_be_triggered_and_matches_its_table(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    refs = {"orders": [{"order_uuid": order["uuid"]}]}
    form = api.accepted(api.post("/print/orders", json=refs))
    prealert_body = {"planned_date": "2026-08-02T10:00:00+0000", "shipment_point": "MSK123", **refs}
    prealert = api.accepted(api.post("/prealert", json=prealert_body))
    intake = api.accepted(api.post("/intakes", json={**TIMES, "order_uuid": order["uuid"]}))
    agreement = api.accepted(
        api.post("/delivery", json={"order_uuid": order["uuid"], "date": "2026-08-06"})
    )
    archive = api.post("/photoDocument", json=refs).json()["orders"][0]["link"].rsplit("/", 1)[1]
    cdek_sandbox.wait_for_webhooks()  # everything processed before anyone subscribes
    entity_of = {
        "ORDER_STATUS": order["uuid"],
        "ORDER_MODIFIED": order["uuid"],
        "PRINT_FORM": form,
        "RECEIPT": order["uuid"],
        "DOWNLOAD_PHOTO": archive,
        "PREALERT_CLOSED": prealert,
        "ACCOMPANYING_WAYBILL": order["uuid"],
        "OFFICE_AVAILABILITY": "MSK123",
        "DELIV_PROBLEM": order["uuid"],
        "DELIV_AGREEMENT": agreement,
        "COURIER_INFO": intake,
    }
    assert set(entity_of) == set(vocabulary.WEBHOOK_TYPES)
    for kind, entity in entity_of.items():
        for hook in api.read("/webhooks"):
            api.delete(f"/webhooks/{hook['uuid']}")
        subscribe(api, f"{receiver.url}/{kind.lower()}", kind)
        answer = cdek_sandbox.trigger_webhook(kind, entity)
        assert answer["deliveries"] == 1, kind
        [sent] = answer["events"]
        cdek_sandbox.wait_for_webhooks()
        [got] = [r["body"] for r in receiver.received if r["path"] == f"/{kind.lower()}"]
        assert got == sent
        check_event(got)
        assert got["type"] == kind
    received = {r["body"]["type"]: r["body"] for r in receiver.received}
    assert received["DELIV_AGREEMENT"]["uuid"] == order["uuid"]  # the event is the order's
    assert received["DELIV_AGREEMENT"]["attributes"]["delivery_uuid"] == agreement
    assert received["COURIER_INFO"]["attributes"]["task_type"] == "DEMAND"
    intake_number = api.read(f"/intakes/{intake}")["entity"]["intake_number"]
    assert received["COURIER_INFO"]["attributes"]["intake_number"] == str(intake_number)
    assert received["OFFICE_AVAILABILITY"]["attributes"]["code"] == "MSK123"
    assert received["RECEIPT"]["attributes"] == {
        "cdek_number": order["cdek_number"],
        "number": "hook-door",
    }

    # Overrides replace what the state gives; the payload must still fit the table.
    answer = cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"], code="45", number="IM-1")
    assert answer["events"][0]["attributes"]["code"] == "45"
    with pytest.raises(LookupError, match="no order"):
        cdek_sandbox.trigger_webhook("ORDER_STATUS", str(uuid_module.uuid4()))
    with pytest.raises(ValueError, match="type must be one of"):
        cdek_sandbox.trigger_webhook("NOPE", order["uuid"])


# --- CDEK's delivery rules ------------------------------------------------------------------------


@pytest.mark.cdek_sandbox(processing_delay=0, webhook_time_scale=0.1)
def test_a_timed_out_event_is_retried_with_back_off_and_delivered_once(
    cdek_sandbox: CdekSandbox, http: requests.Session
) -> None:
    # Timeout 15 s x 0.1 = 1.5 s; the receiver answers the first three after 3 s.
    slow = Receiver(["slow", "slow", "slow"], slow=3.0)
    try:
        api = login(cdek_sandbox, http)
        order = created_order(api, cdek_sandbox, DOOR)
        subscribe(api, slow.url, "DELIV_PROBLEM")
        sent = cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])["events"][0]
        attempts = cdek_sandbox.deliveries(wait=30)
        received = list(slow.received)
    finally:
        slow.close()
    assert [(a["attempt"], a["outcome"], a["status"], a["error"]) for a in attempts] == [
        (1, "retrying", None, "timed out"),
        (2, "retrying", None, "timed out"),
        (3, "retrying", None, "timed out"),
        (4, "delivered", 200, None),
    ]
    assert [r["body"] for r in received] == [sent] * 4  # one event, delivered once
    timeout = delivery.CONNECT_TIMEOUT * 0.1
    for number, (before, after) in enumerate(zip(received, received[1:], strict=False), start=1):
        # Each retry waits out the timeout, then the back-off of that attempt (0.2 s, 0.4 s,
        # 0.8 s here): measured at the receiver, within 0.1 s of tolerance.
        assert after["at"] - before["at"] >= timeout + delivery.backoff(number) * 0.1 - 0.1
    assert [h["state"] for h in cdek_sandbox.webhooks()] == ["active"]


@pytest.mark.cdek_sandbox(processing_delay=0, webhook_time_scale=0.0005, accounts=BOTH_ACCOUNTS)
def test_when_every_attempt_times_out_all_subscriptions_on_that_url_are_disabled(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    stuck = Receiver(["slow"] * 20, slow=0.5)  # never in time (the timeout: 50 ms)
    try:
        api = login(cdek_sandbox, http)
        other = login(cdek_sandbox, http, OTHER_ACCOUNT)
        order = created_order(api, cdek_sandbox, DOOR)
        doomed = subscribe(api, f"{stuck.url}/hook", "ORDER_STATUS")
        kept = subscribe(api, receiver.url, "DELIV_PROBLEM")
        others = subscribe(other, f"{stuck.url}/hook", "PRINT_FORM")
        cdek_sandbox.trigger_webhook("ORDER_STATUS", order["uuid"])
        attempts = cdek_sandbox.deliveries(wait=30)
        tried = len(stuck.received)
    finally:
        stuck.close()
    assert [a["attempt"] for a in attempts] == list(range(1, 13))
    assert [a["outcome"] for a in attempts] == ["retrying"] * 11 + ["gave_up"]
    assert tried == delivery.MAX_ATTEMPTS
    # CDEK lists active subscriptions only: both on that URL are gone, of both accounts.
    assert [h["uuid"] for h in api.read("/webhooks")] == [kept]
    assert other.read("/webhooks") == []
    state = {h["uuid"]: (h["state"], h.get("disabled_reason")) for h in cdek_sandbox.webhooks()}
    assert state[kept] == ("active", None)
    for hook in (doomed, others):
        assert state[hook][0] == "disabled"
        assert "12 attempts timed out" in state[hook][1]
    assert error_code(other.get(f"/webhooks/{others}"), 400) == "v2_entity_not_found"
    # Nothing goes to a disabled subscription any more.
    assert cdek_sandbox.trigger_webhook("ORDER_STATUS", order["uuid"])["deliveries"] == 0


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_an_answer_other_than_200_is_not_retried(
    cdek_sandbox: CdekSandbox, http: requests.Session
) -> None:
    failing = Receiver([500, "redirect"])
    try:
        api = login(cdek_sandbox, http)
        order = created_order(api, cdek_sandbox, DOOR)
        subscribe(api, failing.url, "DELIV_PROBLEM")
        cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])
        cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])
        attempts = cdek_sandbox.deliveries()
        paths = [r["path"] for r in failing.received]
    finally:
        failing.close()
    assert [(a["attempt"], a["outcome"], a["status"]) for a in attempts] == [
        (1, "failed", 500),
        (1, "failed", 302),  # a redirect is not followed
    ]
    assert paths == ["/", "/"]
    # CDEK removes such a subscription a day later: until then it stays.
    assert [h["state"] for h in cdek_sandbox.webhooks()] == ["active"]


@pytest.mark.cdek_sandbox(processing_delay=0, webhook_time_scale=0.00002)
def test_a_subscription_whose_delivery_failed_is_removed_a_day_later(
    cdek_sandbox: CdekSandbox, http: requests.Session
) -> None:
    # 24 h x 0.00002 = 1.7 s (the timeout: 50 ms, its floor). Nothing listens on the port:
    # the connection is refused.
    closed = Receiver()
    url = closed.url
    closed.close()
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    hook = subscribe(api, url, "DELIV_PROBLEM")
    cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])
    [attempt] = cdek_sandbox.deliveries()
    assert (attempt["outcome"], attempt["status"]) == ("failed", None)
    deadline = time.monotonic() + 30
    while cdek_sandbox.webhooks()[0]["state"] == "active" and time.monotonic() < deadline:
        time.sleep(0.1)
    [shown] = cdek_sandbox.webhooks()
    assert (shown["uuid"], shown["state"]) == (hook, "disabled")
    assert shown["disabled_reason"].startswith("removed")
    assert api.read("/webhooks") == []


# --- safety ---------------------------------------------------------------------------------------


@pytest.mark.cdek_sandbox(processing_delay=0, accounts=BOTH_ACCOUNTS)
def test_a_subscription_beyond_loopback_is_stored_but_never_contacted(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    other = login(cdek_sandbox, http, OTHER_ACCOUNT)
    port = receiver.url.rsplit(":", 1)[1]
    # 0.0.0.0 would reach the receiver on this machine: it is not loopback, so not tried.
    unspecified = f"http://0.0.0.0:{port}/hook"
    subscribe(api, unspecified, "ORDER_STATUS")
    subscribe(other, "https://shop.example/cdek?token=outside", "ORDER_STATUS")
    order = created_order(api, cdek_sandbox, DOOR)
    other_order = created_order(other, cdek_sandbox, DOOR)
    cdek_sandbox.trigger_webhook("ORDER_STATUS", other_order["uuid"])
    attempts = cdek_sandbox.deliveries()
    assert receiver.received == []
    assert [(a["outcome"], a["attempt"], a["status"], a["uuid"]) for a in attempts] == [
        ("refused", 0, None, order["uuid"]),
        ("refused", 0, None, other_order["uuid"]),
        ("refused", 0, None, other_order["uuid"]),
    ]
    assert "loopback" in attempts[0]["error"]
    assert [a["url"] for a in attempts] == [
        unspecified,
        "https://shop.example/cdek?token=***",
        "https://shop.example/cdek?token=***",
    ]
    # Stored as before: CDEK's list shows the URL as given.
    assert api.read("/webhooks")[0]["url"] == unspecified


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_a_secret_in_the_subscription_url_reaches_the_receiver_but_not_the_log(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    subscribe(api, f"{receiver.url}/in?token=s3cr3t-v4lue&shop=7", "DELIV_PROBLEM")
    cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])
    [attempt] = cdek_sandbox.deliveries()
    assert [r["path"] for r in receiver.received] == ["/in?token=s3cr3t-v4lue&shop=7"]
    assert attempt["url"] == f"{receiver.url}/in?token=***&shop=***"
    assert (attempt["path"], attempt["query"]) == ("/in", "token=***&shop=***")
    assert (attempt["direction"], attempt["method"], attempt["status"]) == ("out", "POST", 200)
    assert "s3cr3t" not in json.dumps(cdek_sandbox.requests())
    assert "s3cr3t" not in json.dumps(cdek_sandbox.webhooks())
    incoming = [e for e in cdek_sandbox.requests() if e["direction"] == "in"]
    assert incoming and all("attempt" not in e for e in incoming)


def test_the_redaction_masks_every_query_value_and_user_info() -> None:
    assert (
        delivery.redact("http://u:p@127.0.0.1:8/x?a=1&b&c=")
        == "http://***@127.0.0.1:8/x?a=***&b&c=***"
    )
    assert delivery.redact("http://[::1]:9/h#frag") == "http://[::1]:9/h"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:1/x", True),
        ("https://127.8.9.10/x", True),
        ("http://[::1]:5/x", True),
        ("http://localhost:5/x", True),
        ("http://0.0.0.0:5/x", False),
        ("http://10.0.0.1/x", False),
        ("http://shop.example/x", False),
        ("http://127.0.0.1.example/x", False),
        ("ftp://127.0.0.1/x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_http_on_loopback_is_contacted(url: str, allowed: bool) -> None:
    assert (delivery.refusal(url) is None) == allowed


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_the_worker_starts_on_first_need_and_stops_with_the_sandbox(
    cdek_sandbox: CdekSandbox, receiver: Receiver, http: requests.Session
) -> None:
    outbox = cdek_sandbox.running.app.state.outbox
    api = login(cdek_sandbox, http)
    created_order(api, cdek_sandbox, DOOR)
    assert outbox._thread is None  # no subscription, nothing to send: no thread
    subscribe(api, receiver.url, "ORDER_STATUS")
    worker = outbox._thread
    assert worker is not None and worker.daemon and worker.is_alive()
    cdek_sandbox.running.stop()
    assert not worker.is_alive()


def test_the_time_scale_must_be_positive() -> None:
    from oint_cdek.sandbox.app import SandboxConfig

    with pytest.raises(ValueError, match="webhook_time_scale"):
        SandboxConfig(webhook_time_scale=0)


class Trickler:
    """A receiver on 127.0.0.1 that answers its first connection a header line at a time,
    each well within the timeout but the whole answer long after it; later ones at once."""

    def __init__(self, lines: int, pause: float) -> None:
        import socket

        self.lines = lines
        self.pause = pause
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            first = self.connections == 1
            with connection:
                try:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += connection.recv(65536)
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
                    while len(body) < length:
                        body += connection.recv(65536)
                    connection.sendall(b"HTTP/1.1 200 OK\r\n")
                    for n in range(self.lines if first else 0):
                        time.sleep(self.pause)
                        connection.sendall(b"X-Slow-%d: 1\r\n" % n)
                    connection.sendall(b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass  # the sandbox hung up: what it should do after its timeout

    def close(self) -> None:
        self.listener.close()


@pytest.mark.cdek_sandbox(processing_delay=0, webhook_time_scale=0.05)
def test_an_answer_trickled_past_the_timeout_is_a_timeout(
    cdek_sandbox: CdekSandbox, http: requests.Session
) -> None:
    """The timeout (15 s x 0.05 = 0.75 s) bounds the whole exchange, as the module says: an
    answer whose header lines come every 0.2 s for 3 s is a timed-out attempt, retried."""
    slow = Trickler(lines=15, pause=0.2)
    try:
        api = login(cdek_sandbox, http)
        order = created_order(api, cdek_sandbox, DOOR)
        subscribe(api, slow.url, "DELIV_PROBLEM")
        cdek_sandbox.trigger_webhook("DELIV_PROBLEM", order["uuid"])
        attempts = cdek_sandbox.deliveries(wait=30)
    finally:
        slow.close()
    assert [(a["attempt"], a["outcome"], a["error"]) for a in attempts] == [
        (1, "retrying", "timed out"),
        (2, "delivered", None),
    ]


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_the_sandbox_never_delivers_to_its_own_control_plane(
    cdek_sandbox: CdekSandbox, http: requests.Session
) -> None:
    api = login(cdek_sandbox, http)
    order = created_order(api, cdek_sandbox, DOOR)
    own = cdek_sandbox.root_url.rstrip("/") + "/_sandbox/webhooks/trigger"
    subscribe(api, own, "ORDER_STATUS")
    cdek_sandbox.trigger_webhook("ORDER_STATUS", order["uuid"])
    attempts = cdek_sandbox.deliveries(wait=5)
    assert [(a["outcome"], a["error"]) for a in attempts] == [
        ("refused", "the sandbox does not send webhooks to itself")
    ]
