"""Courier intakes and delivery appointments as CDEK shows them: resolved locations, the
intake's packages, string numbers and CDEK's status codes, the appointment's window."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.server import RunningSandbox

from ..conftest import SandboxClient
from .test_orders_record import RECORDED_LIKE, only_error

TIMES = {"intake_date": "2026-08-10", "intake_time_from": "10:00", "intake_time_to": "17:00"}


@pytest.fixture
def cdek(sandbox: RunningSandbox, http: requests.Session) -> Iterator[SandboxClient]:
    yield SandboxClient.login(sandbox, http)


def codes_and_names(entity: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["code"], s["name"]) for s in entity["statuses"]]


def test_an_intake_of_an_order_shows_its_places_and_packages(cdek: SandboxClient) -> None:
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


def test_an_intake_without_an_order_says_where_and_what(cdek: SandboxClient) -> None:
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
    no_place = only_error(cdek.post("/intakes", json=TIMES))
    assert (no_place["code"], no_place["message"]) == (
        "v2_field_is_empty",
        "[from_location] is empty",
    )
    unknown = cdek.post("/intakes", json={**TIMES, "from_location": {"code": 999999}})
    assert only_error(unknown)["code"] == "v2_sender_location_not_recognized"


def test_a_removed_intake_has_a_final_status(cdek: SandboxClient) -> None:
    body = {**TIMES, "from_location": {"code": 44, "address": "ул. Лесная, 1"}}
    intake_uuid = cdek.accepted(cdek.post("/intakes", json=body))
    cdek.advance()
    cdek.accepted(cdek.delete(f"/intakes/{intake_uuid}"), "DELETE", status=200)
    cdek.advance()
    entity = cdek.read(f"/intakes/{intake_uuid}")["entity"]
    assert codes_and_names(entity)[0] == ("REMOVED", "Отменена")
    error = only_error(cdek.delete(f"/intakes/{intake_uuid}"))
    assert (error["code"], error["message"]) == (
        "v2_entity_has_final_status",
        "Operation is forbidden. Entity has final status REMOVED",
    )


def test_an_appointment_always_shows_its_window_and_place(cdek: SandboxClient) -> None:
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
