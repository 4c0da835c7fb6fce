"""Courier intakes and delivery appointments as CDEK shows them: resolved locations, the
intake's packages, string numbers and CDEK's status codes, the appointment's window; an
order's intakes, intake status changes, available days and delivery intervals."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from ..conftest import get_token
from .conftest import (
    RECORDED_LIKE,
    Client,
    cod_order_body,
    codes,
    error_code,
    errors_of,
    only_error_400,
    only_error_at,
)

TIMES = {"intake_date": "2026-08-10", "intake_time_from": "10:00", "intake_time_to": "17:00"}


def codes_and_names(entity: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["code"], s["name"]) for s in entity["statuses"]]


def test_an_intake_of_an_order_shows_its_places_and_packages(cdek: Client) -> None:
    order = cdek.settled_order(RECORDED_LIKE)
    intake_uuid = cdek.accepted(cdek.post("/intakes", json={**TIMES, "order_uuid": order["uuid"]}))
    assert codes_and_names(cdek.read(f"/intakes/{intake_uuid}")["entity"]) == [
        ("ACCEPTED", "Принят")
    ]
    cdek.advance()
    entity = cdek.read(f"/intakes/{intake_uuid}")["entity"]
    assert codes_and_names(entity) == [
        ("READY_FOR_APPOINTMENT", "Готова к назначению"),
        ("CREATED", "Создан"),
        ("ACCEPTED", "Принят"),
    ]
    assert isinstance(entity["intake_number"], str)
    assert re.fullmatch(r"\d+", entity["intake_number"])
    assert entity["from_location"] == order["from_location"]
    assert entity["to_location"] == order["to_location"]
    [package] = order["packages"]
    assert entity["packages"] == [
        {k: package[k] for k in ("package_id", "weight", "length", "width", "height")}
    ]
    assert entity["sender"]["name"] == order["sender"]["name"]
    uuid.UUID(entity["contragent_uuid"])
    assert cdek.read(f"/orders/{order['uuid']}/intakes") == [entity]


def test_an_intake_without_an_order_says_where_and_what(cdek: Client) -> None:
    body = {
        **TIMES,
        "name": "Сборный груз",
        "weight": 1000,
        "length": 10,
        "width": 10,
        "height": 10,
        "from_location": {"code": 270, "address": "ул. Блюхера, 32"},
    }
    intake_uuid = cdek.accepted(cdek.post("/intakes", json=body))
    cdek.advance()
    entity = cdek.read(f"/intakes/{intake_uuid}")["entity"]
    assert (entity["from_location"]["city"], entity["from_location"]["address"]) == (
        "Новосибирск",
        "ул. Блюхера, 32",
    )
    [package] = entity["packages"]
    assert {k: package[k] for k in ("weight", "length", "width", "height")} == {
        "weight": 1000,
        "length": 10,
        "width": 10,
        "height": 10,
    }
    uuid.UUID(package["package_id"])
    no_place = only_error_400(cdek.post("/intakes", json=TIMES))
    assert (no_place["code"], no_place["message"]) == (
        "v2_field_is_empty",
        "[from_location] is empty",
    )
    unknown = cdek.post("/intakes", json={**TIMES, "from_location": {"code": 999999}})
    assert only_error_400(unknown)["code"] == "v2_sender_location_not_recognized"


def test_a_removed_intake_has_a_final_status(cdek: Client) -> None:
    body = {**TIMES, "from_location": {"code": 44, "address": "ул. Лесная, 1"}}
    intake_uuid = cdek.accepted(cdek.post("/intakes", json=body))
    cdek.advance()
    cdek.accepted(cdek.delete(f"/intakes/{intake_uuid}"), "DELETE", status=200)
    cdek.advance()
    entity = cdek.read(f"/intakes/{intake_uuid}")["entity"]
    assert codes_and_names(entity)[0] == ("REMOVED", "Отменена")
    error = only_error_400(cdek.delete(f"/intakes/{intake_uuid}"))
    assert (error["code"], error["message"]) == (
        "v2_entity_has_final_status",
        "Operation is forbidden. Entity has final status REMOVED",
    )


def test_an_appointment_always_shows_its_window_and_place(cdek: Client) -> None:
    order = cdek.settled_order(RECORDED_LIKE)
    body = {"order_uuid": order["uuid"], "date": "2026-08-06"}
    appointment = cdek.accepted(cdek.post("/delivery", json=body))
    cdek.advance()
    entity = cdek.read(f"/delivery/{appointment}")["entity"]
    assert (entity["time_from"], entity["time_to"]) == ("09:00", "22:00")
    assert entity["to_location"] == order["to_location"]
    assert codes_and_names(entity) == [("PROCESSING", "Зарегистрирована"), ("ACCEPTED", "Принята")]
    elsewhere = {
        **body,
        "time_from": "14:00",
        "time_to": "18:00",
        "to_location": {"code": 270, "address": "ул. Кутателадзе, 4"},
    }
    moved = cdek.accepted(cdek.post("/delivery", json=elsewhere))
    cdek.advance()
    entity = cdek.read(f"/delivery/{moved}")["entity"]
    assert (entity["time_from"], entity["time_to"]) == ("14:00", "18:00")
    assert entity["to_location"]["address"] == "ул. Кутателадзе, 4"
    assert entity["to_location"]["kladr_code"] == "5400000100000"


# --- courier intakes -----------------------------------------------------------------------------


def test_intake_lifecycle(slow: Client) -> None:
    order = slow.created_cod_order()
    body = {
        "order_uuid": order["uuid"],
        "intake_date": "2026-08-03",
        "intake_time_from": "10:00",
        "intake_time_to": "17:00",
        "comment": "call first",
    }
    intake_uuid = slow.accepted(slow.post("/intakes", json=body))
    pending = slow.read(f"/intakes/{intake_uuid}")
    assert codes(pending["entity"]["statuses"]) == ["ACCEPTED"]
    assert "intake_number" not in pending["entity"]

    slow.advance()
    ready = slow.read(f"/intakes/{intake_uuid}")
    entity = ready["entity"]
    assert codes(entity["statuses"]) == ["READY_FOR_APPOINTMENT", "CREATED", "ACCEPTED"]
    assert re.fullmatch(r"\d+", entity["intake_number"])
    assert entity["intake_date"] == "2026-08-03"
    assert (entity["intake_time_from"], entity["intake_time_to"]) == ("10:00", "17:00")
    assert entity["cdek_number"] == order["cdek_number"]
    assert entity["comment"] == "call first"
    assert ready["requests"][0]["state"] == "SUCCESSFUL"

    deleted = slow.call("DELETE", f"/intakes/{intake_uuid}")
    assert slow.accepted(deleted, "DELETE", status=200) == intake_uuid
    slow.advance()
    removed = slow.read(f"/intakes/{intake_uuid}")
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
    again = slow.call("DELETE", f"/intakes/{intake_uuid}")
    assert only_error_at(again, 400)["type"] == "DELETE"


def test_intake_errors(slow: Client) -> None:
    answer = slow.post("/intakes", json={"comment": "no dates"})
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
    unknown_order = slow.post("/intakes", json={**times, "order_uuid": str(uuid.uuid4())})
    assert only_error_at(unknown_order, 400)["code"] == "v2_entity_not_found"
    unknown_number = slow.post("/intakes", json={**times, "cdek_number": "1"})
    assert only_error_at(unknown_number, 400)["code"] == "v2_order_not_found"
    bad_time = slow.post("/intakes", json={**times, "intake_time_to": "25:00"})
    assert only_error_at(bad_time, 400)["code"] == "v2_invalid_format"
    # Without an order an intake is fine (the courier comes for whatever is ready, where
    # from_location says).
    slow.accepted(slow.post("/intakes", json=times))
    assert only_error_at(slow.get(f"/intakes/{uuid.uuid4()}"), 400)["code"] == "v2_entity_not_found"
    missing = slow.call("DELETE", f"/intakes/{uuid.uuid4()}")
    assert only_error_at(missing, 400)["code"] == "v2_entity_not_found"


def test_available_days_skip_weekends(api: Client) -> None:
    def days(**body: Any) -> list[str]:
        return api.ok(
            "POST", "/intakes/availableDays", json={"from_location": {"code": 270}, **body}
        )["date"]

    # The clock says Friday 2026-08-07: from tomorrow (Saturday) on, weekdays only.
    assert days() == ["2026-08-10", "2026-08-11", "2026-08-12", "2026-08-13", "2026-08-14"]
    assert days(date="2026-08-08") == days(date="2026-08-09") == days()
    assert days(date="2026-08-12") == [
        "2026-08-12",
        "2026-08-13",
        "2026-08-14",
        "2026-08-17",
        "2026-08-18",
    ]
    assert days(date="2026-08-07") == [
        "2026-08-07",
        "2026-08-10",
        "2026-08-11",
        "2026-08-12",
        "2026-08-13",
    ]
    api.advance(4 * 86400)  # Tuesday 2026-08-11
    assert days() == ["2026-08-12", "2026-08-13", "2026-08-14", "2026-08-17", "2026-08-18"]
    by_name = api.ok("POST", "/intakes/availableDays", json={"from_location": {"city": "Омск"}})
    assert by_name["date"] == days()

    bad_location = api.post("/intakes/availableDays", json={"from_location": {"code": 1}})
    assert error_code(bad_location, 400) == "v2_entity_not_found"
    missing = api.post("/intakes/availableDays", json={"date": "2026-08-32"})
    assert [e["code"] for e in errors_of(missing, 400)] == [
        "v2_field_is_empty",
        "v2_invalid_format",
    ]


def test_order_intakes_and_status_changes(api: Client, other: Client) -> None:
    order = api.created_order("v2-intakes-1")
    mine = [
        api.accepted(api.post("/intakes", json={**TIMES, "order_uuid": order["uuid"]})),
        api.accepted(api.post("/intakes", json={**TIMES, "cdek_number": order["cdek_number"]})),
    ]
    # Names no order, so says where to come.
    api.accepted(api.post("/intakes", json={**TIMES, "from_location": {"code": 44}}))
    needs_call = {"code": "PROCESSING_REQUIRED", "add_status": "CALL_REQUIRED"}
    patched = api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": needs_call})
    assert error_code(patched, 400) == "v2_order_forbidden_status"  # CREATE still processing
    api.advance()

    listed = api.read(f"/orders/{order['uuid']}/intakes")
    assert [i["uuid"] for i in listed] == mine
    assert listed == [api.read(f"/intakes/{u}")["entity"] for u in mine]
    assert listed[0]["statuses"][0]["code"] == "READY_FOR_APPOINTMENT"
    fresh = api.created_order("v2-intakes-2")
    assert api.read(f"/orders/{fresh['uuid']}/intakes") == []
    assert error_code(api.get(f"/orders/{uuid.uuid4()}/intakes"), 400) == "v2_entity_not_found"
    assert error_code(other.get(f"/orders/{order['uuid']}/intakes"), 400) == "v2_entity_forbidden"

    change = {"uuid": mine[0], "status": needs_call}
    api.accepted(api.call("PATCH", "/intakes", json=change), "UPDATE", status=200)
    again = api.call("PATCH", "/intakes", json=change)
    assert error_code(again, 400) == "v2_similar_request_still_processed"
    before = api.read(f"/intakes/{mine[0]}")
    assert before["entity"]["statuses"][0]["code"] == "READY_FOR_APPOINTMENT"
    api.advance()
    after = api.read(f"/intakes/{mine[0]}")
    assert [s["code"] for s in after["entity"]["statuses"]] == [
        "PROCESSING_REQUIRED",
        "READY_FOR_APPOINTMENT",
        "CREATED",
        "ACCEPTED",
    ]
    assert [(r["type"], r["state"]) for r in after["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("UPDATE", "SUCCESSFUL"),
    ]

    api.accepted(api.call("DELETE", f"/intakes/{mine[1]}"), "DELETE", status=200)
    api.advance()
    removed = api.call("PATCH", "/intakes", json={"uuid": mine[1], "status": needs_call})
    assert error_code(removed, 400) == "v2_order_forbidden_status"
    unknown = api.call("PATCH", "/intakes", json={"uuid": str(uuid.uuid4()), "status": needs_call})
    for wrong, field in (
        ("READY", "status"),  # the shape before the spec: a bare code
        ({"code": "READY", "add_status": "CALL_REQUIRED"}, "status.code"),
        ({"code": "PROCESSING_REQUIRED", "add_status": "LATER"}, "status.add_status"),
    ):
        refused = api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": wrong})
        assert field in refused.json()["requests"][0]["errors"][0]["message"]
    assert error_code(unknown, 400) == "v2_entity_not_found"
    assert error_code(other.call("PATCH", "/intakes", json=change), 400) == "v2_entity_forbidden"
    empty = api.call("PATCH", "/intakes", json={})
    assert errors_of(empty, 400) == [
        {"code": "v2_field_is_empty", "message": "[uuid] is empty"},
        {"code": "v2_field_is_empty", "message": "[status] is empty"},
    ]
    assert (
        error_code(api.call("PATCH", "/intakes", json={"uuid": mine[0], "status": "no way"}), 400)
        == "v2_invalid_value_type"  # the spec's status is an object: {code, add_status}
    )


# --- delivery appointments and intervals ---------------------------------------------------------


def test_delivery_appointment(slow: Client) -> None:
    order = slow.created_cod_order()
    body = {
        "cdek_number": order["cdek_number"],
        "date": "2026-08-05",
        "time_from": "10:00",
        "time_to": "14:00",
        "comment": "ring twice",
    }
    appointment_uuid = slow.accepted(slow.post("/delivery", json=body))
    assert codes(slow.read(f"/delivery/{appointment_uuid}")["entity"]["statuses"]) == ["ACCEPTED"]
    slow.advance()
    settled = slow.read(f"/delivery/{appointment_uuid}")
    entity = settled["entity"]
    assert codes(entity["statuses"]) == ["PROCESSING", "ACCEPTED"]
    assert (entity["order_uuid"], entity["cdek_number"]) == (order["uuid"], order["cdek_number"])
    assert (entity["date"], entity["time_from"], entity["time_to"]) == (
        "2026-08-05",
        "10:00",
        "14:00",
    )
    assert settled["requests"][0]["state"] == "SUCCESSFUL"


def test_delivery_appointment_errors(slow: Client) -> None:
    answer = slow.post("/delivery", json={})
    assert answer.status_code == 400
    assert [e["message"] for e in answer.json()["requests"][0]["errors"]] == [
        "[date] is empty",
        "[order_uuid or cdek_number] is empty",
    ]
    unknown = slow.post("/delivery", json={"date": "2026-08-05", "order_uuid": str(uuid.uuid4())})
    assert only_error_at(unknown, 400)["code"] == "v2_entity_not_found"
    fresh = slow.accepted(slow.post("/orders", json=cod_order_body()))
    early = slow.post("/delivery", json={"date": "2026-08-05", "order_uuid": fresh})
    assert only_error_at(early, 400)["code"] == "v2_order_forbidden_status"
    missing = slow.get(f"/delivery/{uuid.uuid4()}")
    assert only_error_at(missing, 400)["code"] == "v2_entity_not_found"


def test_delivery_intervals(slow: Client) -> None:
    order = slow.created_cod_order()
    today = slow.now().date()
    answer = slow.read("/delivery/intervals", params={"order_uuid": order["uuid"]})
    days = [interval["date"] for interval in answer["date_intervals"]]
    assert days == [(today + timedelta(days=n)).isoformat() for n in (1, 2, 3)]
    assert answer["date_intervals"][0]["time_intervals"][0] == {
        "start_time": "09:00:00",
        "end_time": "18:00:00",
    }
    slow.advance(86400)
    slow.token = get_token(slow.sandbox, slow.http)  # the old one expired meanwhile
    later = slow.read("/delivery/intervals", params={"cdek_number": order["cdek_number"]})
    assert later["date_intervals"][0]["date"] == (today + timedelta(days=2)).isoformat()
    unknown = slow.get("/delivery/intervals", params={"order_uuid": str(uuid.uuid4())})
    assert only_error_at(unknown, 400)["code"] == "v2_entity_not_found"
