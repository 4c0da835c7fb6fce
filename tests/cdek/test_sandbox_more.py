"""The CDEK sandbox beyond orders: every other endpoint OPI's CDEK methods call.

Order changes, print forms (down to the PDF bytes), prealerts, passport data, fiscal checks,
cash-on-delivery registries and transfers, offices, regions, delivery intervals, courier
intakes and delivery appointments; over real sockets. Asynchronous steps are driven with
/_sandbox/advance on a sandbox whose processing delay is long, so nothing settles by itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

from .conftest import BOTH_ACCOUNTS, OTHER_ACCOUNT, OTHER_SECRET, SandboxClient, get_token

DELAY = 30.0  # seconds on the sandbox clock; only /_sandbox/advance gets past it


def order_body(**overrides: Any) -> dict[str, Any]:
    """A valid order with cash on delivery: 2 x 500.0 + 300.0 delivery = 1300.0."""
    body: dict[str, Any] = {
        "tariff_code": 136,
        "number": f"shop-{uuid.uuid4().hex[:8]}",
        "comment": "first",
        "recipient": {"name": "Иван Петров", "phones": [{"number": "+79990000001"}]},
        "packages": [
            {
                "number": "box-1",
                "weight": 500,
                "items": [
                    {
                        "name": "Book",
                        "ware_key": "b-1",
                        "payment": {"value": 500.0},
                        "cost": 500.0,
                        "weight": 250,
                        "amount": 2,
                    }
                ],
            }
        ],
        "delivery_recipient_cost": {"value": 300.0},
        "shipment_point": "MSK123",
        "to_location": {"city": "Новосибирск", "address": "ул. Ленина, 1"},
    }
    body.update(overrides)
    return body


class Client(SandboxClient):
    """The shared sandbox client, on this file's slow clock and cash-on-delivery orders."""

    advance_by = DELAY

    def now(self) -> datetime:
        return self.advance(0)

    def accepted(
        self, answer: requests.Response, request_type: str = "CREATE", status: int = 202
    ) -> str:
        """The shared check, and that the answer names no related entities."""
        entity_uuid = super().accepted(answer, request_type, status)
        assert answer.json()["related_entities"] == []
        return entity_uuid

    def created_order(self, **overrides: Any) -> dict[str, Any]:
        """A new order, settled (status CREATED); returns its entity."""
        return self.settled_order(order_body(**overrides))


def only_error(answer: requests.Response, status: int) -> dict[str, Any]:
    """The single error of a CDEK error envelope answered with ``status``."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    if "requests" not in body:  # locations, calculators: a bare {"errors": [...]}, as CDEK's
        [error] = body["errors"]
        return dict(error)
    [record] = body["requests"]
    assert record["state"] == "INVALID"
    [error] = record["errors"]
    return {"type": record["type"], **error}


def codes(statuses: list[dict[str, Any]]) -> list[str]:
    return [status["code"] for status in statuses]


@pytest.fixture
def slow_sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        accounts=BOTH_ACCOUNTS,
        processing_delay=DELAY,
        seed=7,
    )
    with start_sandbox(config) as running:
        yield running


@pytest.fixture
def cdek(slow_sandbox: RunningSandbox, http: requests.Session) -> Client:
    return Client.login(slow_sandbox, http)


@pytest.fixture
def other(slow_sandbox: RunningSandbox, http: requests.Session) -> Client:
    return Client.login(slow_sandbox, http, OTHER_ACCOUNT, OTHER_SECRET)


@pytest.fixture
def ref(sandbox: RunningSandbox, http: requests.Session, sandbox_token: str) -> Client:
    """A client of the shared default sandbox, for reference data (nothing asynchronous)."""
    return Client(sandbox, http, sandbox_token)


def pdf_object_offsets(document: bytes) -> dict[int, int]:
    """Object number -> byte offset, read from the xref table that startxref points at."""
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF$", document).group(1))
    assert document[startxref:].startswith(b"xref")
    lines = document[startxref:].split(b"\n")
    first, count = (int(part) for part in lines[1].split())
    assert first == 0
    offsets = {}
    for number, entry in enumerate(lines[2 : 2 + count]):
        offset, generation, kind = entry.split()
        assert len(entry) == 19  # 20 bytes with the newline
        if kind == b"n":
            offsets[number] = int(offset)
        else:
            assert (number, generation) == (0, b"65535")
    return offsets


def assert_valid_pdf(document: bytes) -> None:
    assert document.startswith(b"%PDF-1.4")
    assert document.endswith(b"%%EOF")
    offsets = pdf_object_offsets(document)
    assert sorted(offsets) == list(range(1, len(offsets) + 1))
    for number, offset in offsets.items():
        assert document[offset:].startswith(f"{number} 0 obj".encode()), number
    trailer = document[document.rindex(b"trailer") :]
    assert f"/Size {len(offsets) + 1}".encode() in trailer
    assert b"/Root 1 0 R" in trailer
    assert document[offsets[1] :].startswith(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>")
    assert b"/Type /Pages /Kids [3 0 R] /Count 1" in document
    # The content stream's declared length is its real length.
    match = re.search(rb"<< /Length (\d+) >>\nstream\n", document)
    start = match.end()
    length = int(match.group(1))
    assert document[start + length :].startswith(b"endstream")


# --- PATCH /v2/orders -------------------------------------------------------------------


def test_update_order_merges_changes_once_settled(cdek: Client) -> None:
    order = cdek.created_order()
    changes = {
        "uuid": order["uuid"],
        "cdek_number": "0000000000",  # names the order; never changes it
        "comment": "second",
        "tariff_code": 137,
        "recipient": {"name": "Пётр Иванов", "phones": [{"number": "+79990000002"}]},
    }
    answer = cdek.call("PATCH", "/orders", json=changes)
    assert cdek.accepted(answer, "UPDATE") == order["uuid"]

    pending = cdek.read(f"/orders/{order['uuid']}")
    assert pending["entity"]["comment"] == "first"
    assert [(r["type"], r["state"]) for r in pending["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("UPDATE", "ACCEPTED"),
    ]
    cdek.advance()
    settled = cdek.read(f"/orders/{order['uuid']}")
    entity = settled["entity"]
    assert settled["requests"][1]["state"] == "SUCCESSFUL"
    assert entity["comment"] == "second"
    assert entity["tariff_code"] == 137
    assert {k: entity["recipient"][k] for k in changes["recipient"]} == changes["recipient"]
    assert entity["cdek_number"] == order["cdek_number"]
    assert entity["packages"] == order["packages"]  # untouched keys stay
    assert entity["delivery_detail"] != order["delivery_detail"]  # priced by the new tariff
    assert codes(entity["statuses"]) == ["CREATED", "ACCEPTED"]


def test_update_order_errors(cdek: Client) -> None:
    answer = cdek.call("PATCH", "/orders", json={"uuid": str(uuid.uuid4()), "comment": "x"})
    assert only_error(answer, 400) == {
        "type": "UPDATE",
        "code": "v2_entity_not_found",
        "message": answer.json()["requests"][0]["errors"][0]["message"],
    }
    answer = cdek.call("PATCH", "/orders", json={"comment": "x"})
    assert only_error(answer, 400)["code"] == "v2_field_is_empty"

    fresh = cdek.accepted(cdek.post("/orders", json=order_body()))
    answer = cdek.call("PATCH", "/orders", json={"uuid": fresh, "comment": "x"})
    assert cdek.accepted(answer, "UPDATE") == fresh  # ACCEPTED: CDEK takes updates already

    cdek.advance()
    answer = cdek.call("PATCH", "/orders", json={"uuid": fresh, "tariff_code": "abc"})
    assert only_error(answer, 400)["code"] == "v2_invalid_value_type"

    cdek.accepted(cdek.call("DELETE", f"/orders/{fresh}"), "DELETE")
    cdek.advance()
    answer = cdek.call("PATCH", "/orders", json={"uuid": fresh, "comment": "x"})
    assert only_error(answer, 400)["code"] == "v2_entity_not_found"  # deleted: not found


# --- POST /v2/orders/{uuid}/clientReturn ------------------------------------------------


def test_client_return(cdek: Client) -> None:
    order = cdek.created_order()
    path = f"/orders/{order['uuid']}/clientReturn"
    missing = cdek.post(path, json={})
    assert only_error(missing, 400) == {
        "type": "CREATE_CLIENT_RETURN",
        "code": "v2_field_is_empty",
        "message": "[tariff_code] is empty",
    }
    answer = cdek.post(path, json={"tariff_code": 136})
    assert cdek.accepted(answer, "CREATE_CLIENT_RETURN") == order["uuid"]
    cdek.advance()
    requests_ = cdek.read(f"/orders/{order['uuid']}")["requests"]
    assert (requests_[-1]["type"], requests_[-1]["state"]) == ("CREATE_CLIENT_RETURN", "SUCCESSFUL")


def test_client_return_errors(cdek: Client) -> None:
    answer = cdek.post(f"/orders/{uuid.uuid4()}/clientReturn", json={"tariff_code": 136})
    assert only_error(answer, 400)["code"] == "v2_entity_not_found"
    fresh = cdek.accepted(cdek.post("/orders", json=order_body()))
    answer = cdek.post(f"/orders/{fresh}/clientReturn", json={"tariff_code": 136})
    assert only_error(answer, 400)["code"] == "v2_order_forbidden_status"
    cdek.advance()
    cdek.accepted(cdek.call("DELETE", f"/orders/{fresh}"), "DELETE")
    cdek.advance()
    answer = cdek.post(f"/orders/{fresh}/clientReturn", json={"tariff_code": 136})
    assert only_error(answer, 400)["code"] == "v2_entity_not_found"  # deleted: not found


# --- print forms ----------------------------------------------------------------------------


def test_waybill_from_creation_to_pdf(cdek: Client, http: requests.Session) -> None:
    first = cdek.created_order()
    second = cdek.created_order()
    body = {
        "orders": [{"order_uuid": first["uuid"]}, {"cdek_number": second["cdek_number"]}],
        "copy_count": 2,
        "type": "tpl_russia",
    }
    form_uuid = cdek.accepted(cdek.post("/print/orders", json=body))
    form_path = f"/print/orders/{form_uuid}"
    pdf_url = f"{cdek.sandbox.root_url}/v2/print/orders/{form_uuid}.pdf"

    accepted = cdek.read(form_path)
    assert codes(accepted["entity"]["statuses"]) == ["ACCEPTED"]
    assert "url" not in accepted["entity"]
    assert only_error(cdek.get(pdf_url), 400)["code"] == "v2_entity_not_found"

    cdek.advance()
    processing = cdek.read(form_path)
    assert codes(processing["entity"]["statuses"]) == ["ACCEPTED", "PROCESSING"]
    assert processing["requests"][0]["state"] == "SUCCESSFUL"
    assert "url" not in processing["entity"]
    assert only_error(cdek.get(pdf_url), 400)["code"] == "v2_entity_not_found"

    cdek.advance()
    ready = cdek.read(form_path)["entity"]
    assert codes(ready["statuses"]) == ["ACCEPTED", "PROCESSING", "READY"]
    assert [s["name"] for s in ready["statuses"]] == ["Принят", "Формируется", "Сформирован"]
    assert ready["uuid"] == form_uuid
    assert ready["copy_count"] == 2
    assert ready["type"] == "tpl_russia"
    assert ready["orders"] == [
        {"order_uuid": first["uuid"], "cdek_number": int(first["cdek_number"])},
        {"order_uuid": second["uuid"], "cdek_number": int(second["cdek_number"])},
    ]
    assert ready["url"] == pdf_url

    without_token = http.get(ready["url"], timeout=5)
    assert only_error(without_token, 401)["code"] == "unauthorized"
    download = cdek.get(ready["url"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    document = download.content
    assert_valid_pdf(document)
    assert b"(CDEK waybill: tpl_russia) Tj" in document
    assert first["cdek_number"].encode() in document
    assert second["cdek_number"].encode() in document


def test_barcode_form_and_pdf(cdek: Client) -> None:
    order = cdek.created_order()
    body = {"orders": [{"order_uuid": order["uuid"]}], "copy_count": 1, "format": "a6"}
    form_uuid = cdek.accepted(cdek.post("/print/barcodes", json=body))
    cdek.advance(2 * DELAY)
    entity = cdek.read(f"/print/barcodes/{form_uuid}")["entity"]
    assert (entity["format"], entity["lang"], entity["copy_count"]) == ("A6", "RUS", 1)
    assert entity["url"] == f"{cdek.sandbox.root_url}/v2/print/barcodes/{form_uuid}.pdf"
    assert codes(entity["statuses"]) == ["ACCEPTED", "PROCESSING", "READY"]
    document = cdek.get(entity["url"]).content
    assert_valid_pdf(document)
    assert b"(CDEK barcode labels: A6, RUS) Tj" in document
    assert order["cdek_number"].encode() in document
    # A barcode form is not a waybill: each kind has its own path.
    assert only_error(cdek.get(f"/print/orders/{form_uuid}"), 400)["code"] == (
        "v2_entity_not_found"
    )


def test_print_form_with_unknown_order_ends_invalid(cdek: Client) -> None:
    missing = str(uuid.uuid4())
    form_uuid = cdek.accepted(
        cdek.post("/print/orders", json={"orders": [{"order_uuid": missing}]})
    )
    cdek.advance(3 * DELAY)
    form = cdek.read(f"/print/orders/{form_uuid}")
    assert codes(form["entity"]["statuses"]) == ["ACCEPTED", "INVALID"]
    assert "url" not in form["entity"]
    [record] = form["requests"]
    assert record["state"] == "INVALID"
    assert [e["code"] for e in record["errors"]] == ["v2_entity_not_found"]
    assert missing in record["errors"][0]["message"]
    answer = cdek.get(f"/print/orders/{form_uuid}.pdf")
    assert only_error(answer, 400)["code"] == "v2_entity_invalid"


def test_print_form_static_errors(cdek: Client, other: Client) -> None:
    assert only_error(cdek.post("/print/orders", json={"orders": []}), 400) == {
        "type": "CREATE",
        "code": "v2_field_is_empty",
        "message": "[orders] is empty",
    }
    too_many = {"orders": [{"order_uuid": str(uuid.uuid4())} for _ in range(101)]}
    assert only_error(cdek.post("/print/barcodes", json=too_many), 400)["code"] == (
        "v2_exceeded_size"
    )
    one = [{"order_uuid": str(uuid.uuid4())}]
    bad_format = cdek.post("/print/barcodes", json={"orders": one, "format": "A3"})
    assert only_error(bad_format, 400)["code"] == "v2_invalid_format"
    not_json = cdek.post("/print/orders", data=b"nope")
    assert only_error(not_json, 400)["code"] == "v2_bad_request"
    unknown = cdek.get(f"/print/orders/{uuid.uuid4()}")
    assert only_error(unknown, 400)["code"] == "v2_entity_not_found"
    assert only_error(cdek.get(f"/print/orders/{uuid.uuid4()}.pdf"), 400)["type"] == "GET"
    assert only_error(cdek.get("/print/orders/not-a-uuid"), 400)["code"] == "v2_invalid_format"

    mine = cdek.accepted(cdek.post("/print/orders", json={"orders": one}))
    assert only_error(other.get(f"/print/orders/{mine}"), 400)["code"] == "v2_entity_forbidden"


# --- prealerts ----------------------------------------------------------------------------


def test_prealert(cdek: Client) -> None:
    order = cdek.created_order()
    body = {
        "orders": [{"order_uuid": order["uuid"]}],
        "planned_date": "2026-08-02T10:00:00+0000",
        "shipment_point": "NSK27",
    }
    prealert_uuid = cdek.accepted(cdek.post("/prealert", json=body))
    pending = cdek.read(f"/prealert/{prealert_uuid}")
    assert pending["entity"] == {
        "uuid": prealert_uuid,
        "planned_date": "2026-08-02T10:00:00+0000",
        "shipment_point": "NSK27",
        # CDEK shows every listed order's number, from the start
        "orders": [{"order_uuid": order["uuid"], "cdek_number": int(order["cdek_number"])}],
    }
    assert pending["requests"][0]["state"] == "ACCEPTED"
    cdek.advance()
    settled = cdek.read(f"/prealert/{prealert_uuid}")
    assert settled["requests"][0]["state"] == "SUCCESSFUL"
    assert settled["entity"]["orders"] == [
        {"order_uuid": order["uuid"], "cdek_number": int(order["cdek_number"])}
    ]


def test_prealert_errors(cdek: Client) -> None:
    answer = cdek.post("/prealert", json={})
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
    assert only_error(cdek.post("/prealert", json=body), 400)["code"] == "v2_invalid_format"
    body["planned_date"] = "2026-08-02T10:00:00+0000"
    prealert_uuid = cdek.accepted(cdek.post("/prealert", json=body))
    cdek.advance()
    [record] = cdek.read(f"/prealert/{prealert_uuid}")["requests"]
    assert record["state"] == "INVALID"
    assert record["errors"][0]["code"] == "v2_entity_not_found"
    assert only_error(cdek.get(f"/prealert/{uuid.uuid4()}"), 400)["code"] == "v2_entity_not_found"


# --- passport, checks, registries, transfers -----------------------------------------------


def test_passport(cdek: Client) -> None:
    plain = cdek.created_order()
    recipient = {
        "name": "Иван Петров",
        "phones": [{"number": "+79990000001"}],
        "passport_series": "4500",
        "passport_number": "123456",
    }
    with_passport = cdek.created_order(recipient=recipient)
    answer = cdek.read("/passport", params={"order_uuid": plain["uuid"]})
    [entry] = answer["orders"]
    assert (entry["order_uuid"], entry["cdek_number"]) == (plain["uuid"], int(plain["cdek_number"]))
    assert [p["client"] for p in entry["passport"]] == ["SENDER", "RECEIVER"]
    assert entry["passport"][1]["passport_requirements_satisfied"] is True  # domestic
    answer = cdek.read("/passport", params={"order_uuid": with_passport["uuid"]})
    assert answer["orders"][0]["passport"][1]["passport_requirements_satisfied"] is True
    assert cdek.read("/passport", params={"order_uuid": plain["uuid"]}) == {"orders": [entry]}

    unknown = cdek.get("/passport", params={"order_uuid": str(uuid.uuid4())})
    assert only_error(unknown, 400)["code"] == "v2_entity_not_found"
    assert only_error(cdek.get("/passport"), 400)["code"] == "v2_parameters_empty"


def test_checks_by_order_and_by_date(cdek: Client) -> None:
    order = cdek.created_order()
    today = cdek.now().date()
    # No payment on delivery yet: no check (CDEK answers an empty object).
    assert cdek.read("/check", params={"order_uuid": order["uuid"]}) == {}
    pushed = cdek.control("POST", f"/orders/{order['uuid']}/status", json={"code": "DELIVERED"})
    assert pushed.status_code == 200, pushed.text
    by_order = cdek.read("/check", params={"order_uuid": order["uuid"]})
    [check] = by_order["check_info"]
    assert (check["order_uuid"], check["cdek_number"]) == (order["uuid"], int(order["cdek_number"]))
    assert check["type"] == "CASH_RECEIPT_IN"
    assert check["payment_info"] == [{"sum": 1300.0, "type": "CARD"}]
    assert check["date"].startswith(today.isoformat())
    assert re.fullmatch(r"\d{16}", check["fiscal_storage_number"])

    by_date = cdek.read("/check", params={"date": today.isoformat()})
    assert by_date == {"check_info": [check]}
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert cdek.read("/check", params={"date": tomorrow}) == {}

    assert only_error(cdek.get("/check"), 400)["code"] == "v2_parameters_empty"
    bad_date = cdek.get("/check", params={"date": "01.08.2026"})
    assert only_error(bad_date, 400)["code"] == "v2_invalid_format"
    unknown = cdek.get("/check", params={"order_uuid": str(uuid.uuid4())})
    assert only_error(unknown, 400)["code"] == "v2_entity_not_found"


def test_registries_and_transfers_follow_deliveries(cdek: Client) -> None:
    delivered = cdek.created_order()
    cdek.created_order()  # created but never delivered: not paid out
    pushed = cdek.control("POST", f"/orders/{delivered['uuid']}/status", json={"code": "DELIVERED"})
    assert pushed.status_code == 200, pushed.text
    today = cdek.now().date().isoformat()

    [registry] = cdek.read("/registries", params={"date": today})["registries"]
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

    payment = cdek.read("/payment", params={"date": today})
    assert payment == {
        "orders": [
            {
                "order_uuid": delivered["uuid"],
                "cdek_number": delivered["cdek_number"],
                "number": delivered["number"],
            }
        ]
    }
    assert cdek.read("/registries", params={"date": "2020-01-01"}) == {}
    assert cdek.read("/payment", params={"date": "2020-01-01"}) == {}
    for path in ("/registries", "/payment"):
        assert only_error(cdek.get(path), 400)["code"] == "v2_field_is_empty"
        bad = cdek.get(path, params={"date": "2026-13-01"})
        assert only_error(bad, 400)["code"] == "v2_invalid_format"


# --- delivery intervals -----------------------------------------------------------------


def test_delivery_intervals(cdek: Client) -> None:
    order = cdek.created_order()
    today = cdek.now().date()
    answer = cdek.read("/delivery/intervals", params={"order_uuid": order["uuid"]})
    days = [interval["date"] for interval in answer["date_intervals"]]
    assert days == [(today + timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert answer["date_intervals"][0]["time_intervals"][0] == {
        "start_time": "09:00:00",
        "end_time": "18:00:00",
    }
    cdek.advance(86400)
    cdek.token = get_token(cdek.sandbox, cdek.http)  # the old one expired meanwhile
    later = cdek.read("/delivery/intervals", params={"cdek_number": order["cdek_number"]})
    assert later["date_intervals"][0]["date"] == (today + timedelta(days=2)).isoformat()
    unknown = cdek.get("/delivery/intervals", params={"order_uuid": str(uuid.uuid4())})
    assert only_error(unknown, 400)["code"] == "v2_entity_not_found"


# --- courier intakes ------------------------------------------------------------------------


def test_intake_lifecycle(cdek: Client) -> None:
    order = cdek.created_order()
    body = {
        "order_uuid": order["uuid"],
        "intake_date": "2026-08-03",
        "intake_time_from": "10:00",
        "intake_time_to": "17:00",
        "comment": "call first",
    }
    intake_uuid = cdek.accepted(cdek.post("/intakes", json=body))
    pending = cdek.read(f"/intakes/{intake_uuid}")
    assert codes(pending["entity"]["statuses"]) == ["ACCEPTED"]
    assert "intake_number" not in pending["entity"]

    cdek.advance()
    ready = cdek.read(f"/intakes/{intake_uuid}")
    entity = ready["entity"]
    assert codes(entity["statuses"]) == ["READY_FOR_APPOINTMENT", "CREATED", "ACCEPTED"]
    assert re.fullmatch(r"\d+", entity["intake_number"])
    assert entity["intake_date"] == "2026-08-03"
    assert (entity["intake_time_from"], entity["intake_time_to"]) == ("10:00", "17:00")
    assert entity["cdek_number"] == order["cdek_number"]
    assert entity["comment"] == "call first"
    assert ready["requests"][0]["state"] == "SUCCESSFUL"

    deleted = cdek.call("DELETE", f"/intakes/{intake_uuid}")
    assert cdek.accepted(deleted, "DELETE", status=200) == intake_uuid
    cdek.advance()
    removed = cdek.read(f"/intakes/{intake_uuid}")
    assert codes(removed["entity"]["statuses"]) == [
        "REMOVED",
        "READY_FOR_APPOINTMENT",
        "CREATED",
        "ACCEPTED",
    ]
    assert [(r["type"], r["state"]) for r in removed["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("DELETE", "SUCCESSFUL"),
    ]
    again = cdek.call("DELETE", f"/intakes/{intake_uuid}")
    assert only_error(again, 400)["type"] == "DELETE"


def test_intake_errors(cdek: Client) -> None:
    answer = cdek.post("/intakes", json={"comment": "no dates"})
    assert answer.status_code == 400
    errors = answer.json()["requests"][0]["errors"]
    assert [e["message"] for e in errors] == [
        "[intake_date] is empty",
        "[intake_time_from] is empty",
        "[intake_time_to] is empty",
        "[from_location] is empty",
    ]
    times = {
        "intake_date": "2026-08-03",
        "intake_time_from": "10:00",
        "intake_time_to": "17:00",
        "from_location": {"code": 44, "address": "ул. Лесная, 1"},
    }
    unknown_order = cdek.post("/intakes", json={**times, "order_uuid": str(uuid.uuid4())})
    assert only_error(unknown_order, 400)["code"] == "v2_entity_not_found"
    unknown_number = cdek.post("/intakes", json={**times, "cdek_number": "1"})
    assert only_error(unknown_number, 400)["code"] == "v2_order_not_found"
    bad_time = cdek.post("/intakes", json={**times, "intake_time_to": "25:00"})
    assert only_error(bad_time, 400)["code"] == "v2_invalid_format"
    # Without an order an intake is fine (the courier comes for whatever is ready, where
    # from_location says).
    cdek.accepted(cdek.post("/intakes", json=times))
    assert only_error(cdek.get(f"/intakes/{uuid.uuid4()}"), 400)["code"] == "v2_entity_not_found"
    missing = cdek.call("DELETE", f"/intakes/{uuid.uuid4()}")
    assert only_error(missing, 400)["code"] == "v2_entity_not_found"


# --- delivery appointments --------------------------------------------------------------------


def test_delivery_appointment(cdek: Client) -> None:
    order = cdek.created_order()
    body = {
        "cdek_number": order["cdek_number"],
        "date": "2026-08-05",
        "time_from": "10:00",
        "time_to": "14:00",
        "comment": "ring twice",
    }
    appointment_uuid = cdek.accepted(cdek.post("/delivery", json=body))
    assert codes(cdek.read(f"/delivery/{appointment_uuid}")["entity"]["statuses"]) == ["ACCEPTED"]
    cdek.advance()
    settled = cdek.read(f"/delivery/{appointment_uuid}")
    entity = settled["entity"]
    assert codes(entity["statuses"]) == ["PROCESSING", "ACCEPTED"]
    assert (entity["order_uuid"], entity["cdek_number"]) == (order["uuid"], order["cdek_number"])
    assert (entity["date"], entity["time_from"], entity["time_to"]) == (
        "2026-08-05",
        "10:00",
        "14:00",
    )
    assert settled["requests"][0]["state"] == "SUCCESSFUL"


def test_delivery_appointment_errors(cdek: Client) -> None:
    answer = cdek.post("/delivery", json={})
    assert answer.status_code == 400
    assert [e["message"] for e in answer.json()["requests"][0]["errors"]] == [
        "[date] is empty",
        "[order_uuid or cdek_number] is empty",
    ]
    unknown = cdek.post("/delivery", json={"date": "2026-08-05", "order_uuid": str(uuid.uuid4())})
    assert only_error(unknown, 400)["code"] == "v2_entity_not_found"
    fresh = cdek.accepted(cdek.post("/orders", json=order_body()))
    early = cdek.post("/delivery", json={"date": "2026-08-05", "order_uuid": fresh})
    assert only_error(early, 400)["code"] == "v2_order_forbidden_status"
    missing = cdek.get(f"/delivery/{uuid.uuid4()}")
    assert only_error(missing, 400)["code"] == "v2_entity_not_found"


# --- offices and regions --------------------------------------------------------------------


@pytest.fixture
def small_ref(http: requests.Session) -> Iterator[Client]:
    """A sandbox with only the original 14 offices in five cities, whose filters we pin."""
    with start_sandbox(SandboxConfig(extra_offices=False)) as small:
        yield Client.login(small, http)


def test_offices_shape_and_filters(small_ref: Client) -> None:
    ref = small_ref
    everything = ref.read("/deliverypoints")
    assert isinstance(everything, list) and len(everything) >= 10
    assert {o["location"]["city_code"] for o in everything} == {44, 137, 250, 270, 424}
    office = next(o for o in everything if o["code"] == "NSK27")
    assert office["owner_code"] == "CDEK"
    assert office["type"] == "PVZ"
    uuid.UUID(office["uuid"])
    assert set(office["location"]) >= {
        "country_code",
        "region_code",
        "region",
        "city_code",
        "city",
        "postal_code",
        "longitude",
        "latitude",
        "address",
        "address_full",
    }
    assert office["location"]["city"] == "Новосибирск"

    novosibirsk = ref.read("/deliverypoints", params={"city_code": "270"})
    assert {o["code"] for o in novosibirsk} == {"NSK27", "NSK3", "NSK90", "NSK1", "NSK9"}
    lockers = ref.read("/deliverypoints", params={"city_code": 270, "type": "POSTAMAT"})
    assert [o["code"] for o in lockers] == ["NSK3"]
    assert ref.read("/deliverypoints", params={"type": "SOMETHING"}) == everything  # ignored
    no_cod = ref.read("/deliverypoints", params={"allowed_cod": "false"})
    assert [o["code"] for o in no_cod] == ["SPB5"]
    assert all(o["allowed_cod"] for o in ref.read("/deliverypoints", params={"allowed_cod": 1}))
    heavy = ref.read("/deliverypoints", params={"weight_max": 100})
    assert {o["code"] for o in heavy} == {"MSK7", "KZN8", "NSK9"}
    assert [o["code"] for o in ref.read("/deliverypoints", params={"code": "KZN1"})] == ["KZN1"]
    assert ref.read("/deliverypoints", params={"postal_code": "620014"}) == [
        o for o in everything if o["code"] in ("EKB2", "EKB14")
    ]
    assert ref.read("/deliverypoints", params={"country_code": "KZ"}) == []
    bad = ref.get("/deliverypoints", params={"city_code": "Moscow"})
    assert only_error(bad, 400) == {
        "type": "GET",
        "code": "v2_invalid_format",
        "message": "Invalid value [Moscow] in [city_code] parameter",
    }


def test_offices_paging(ref: Client) -> None:
    everything = ref.read("/deliverypoints")
    pages = []
    for page in range(10):
        chunk = ref.read("/deliverypoints", params={"size": 4, "page": page})
        if not chunk:
            break
        assert len(chunk) <= 4
        pages.append(chunk)
    assert len(pages) == -(-len(everything) // 4)
    assert [o for chunk in pages for o in chunk] == everything


def test_regions_filters_languages_and_paging(ref: Client) -> None:
    everything = ref.read("/location/regions")
    assert len(everything) == 30
    assert {r["country_code"] for r in everything} == {"RU", "KZ", "BY"}
    assert set(everything[0]) == {"country_code", "country", "region", "region_code"}

    comma = ref.read("/location/regions", params={"country_codes": "KZ,BY"})
    repeated = ref.read(
        "/location/regions", params=[("country_codes", "KZ"), ("country_codes", "BY")]
    )
    assert comma == repeated
    assert len(comma) == 10
    assert {r["country_code"] for r in comma} == {"KZ", "BY"}

    russian = ref.read("/location/regions", params={"country_codes": "BY", "lang": "rus"})
    english = ref.read("/location/regions", params={"country_codes": "BY", "lang": "eng"})
    assert russian[0]["country"] == "Беларусь" and russian[0]["region"] == "Минск"
    assert english[0]["country"] == "Belarus" and english[0]["region"] == "Minsk"
    assert [r["region_code"] for r in russian] == [r["region_code"] for r in english]

    pages = []
    for page in range(10):
        chunk = ref.read("/location/regions", params={"size": 10, "page": page})
        if not chunk:
            break
        pages.append(chunk)
    assert [len(chunk) for chunk in pages] == [10, 10, 10]
    assert [r for chunk in pages for r in chunk] == everything
    assert ref.read("/location/regions", params={"page": 1, "size": 1000}) == []
    bad = ref.get("/location/regions", params={"size": "ten"})
    assert only_error(bad, 400)["code"] == "v2_invalid_format"


# --- authentication and determinism ------------------------------------------------------------


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
    assert only_error(answer, 401) == {
        "type": "AUTH",
        "code": "unauthorized",
        "message": "Full authentication is required",
    }


def test_seeded_sandboxes_give_the_same_numbers(http: requests.Session) -> None:
    """Two sandboxes with one seed hand out the same uuids and intake numbers."""
    seen = []
    for _ in range(2):
        config = SandboxConfig(processing_delay=DELAY, seed=42)
        with start_sandbox(config) as running:
            client = Client.login(running, http)
            times = {
                "intake_date": date(2026, 8, 3).isoformat(),
                "intake_time_from": "10:00",
                "intake_time_to": "17:00",
                "from_location": {"code": 44, "address": "ул. Лесная, 1"},
            }
            intake_uuid = client.accepted(client.post("/intakes", json=times))
            client.advance()
            seen.append((intake_uuid, client.read(f"/intakes/{intake_uuid}")["entity"]))
    assert seen[0][0] == seen[1][0]
    assert seen[0][1]["intake_number"] == seen[1][1]["intake_number"]
