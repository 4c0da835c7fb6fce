"""An order travels CDEK's status sequence when the sandbox is told to (the control endpoint
and the Python handle), so a test can refuse a parcel waiting at a pick-up point, as CDEK
intends a refusal; and writes take CDEK-like seconds unless a test asks for speed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox
from oint_core.testing import run_cli

from ..conftest import loopback_session, order_body
from .conftest import Client

TO_POINT = order_body(number="journey-point", delivery_point="NSK27", tariff_code=136)
TO_DOOR = order_body(number="journey-door", tariff_code=137)


@pytest.fixture
def cdek(http: requests.Session) -> Iterator[Client]:
    with start_sandbox(SandboxConfig(processing_delay=1.0)) as running:
        yield Client.login(running, http)


def test_an_order_to_a_pick_up_point_travels_there_and_can_then_be_refused(cdek: Client) -> None:
    order_uuid = cdek.created(TO_POINT)
    moved = cdek.journey(order_uuid, "ACCEPTED_AT_PICK_UP_POINT")
    assert moved.status_code == 200, moved.text
    statuses = moved.json()["entity"]["statuses"]
    assert [s["code"] for s in statuses] == [
        "ACCEPTED_AT_PICK_UP_POINT",
        "ACCEPTED_IN_RECIPIENT_CITY",
        "SENT_TO_RECIPIENT_CITY",
        "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY",
        "READY_FOR_SHIPMENT_IN_SENDER_CITY",
        "RECEIVED_AT_SHIPMENT_WAREHOUSE",
        "CREATED",
        "ACCEPTED",
    ]
    assert statuses[0]["name"] == "Принят на склад до востребования"
    # Warehouse statuses happen in the sender's city, the last two in the recipient's.
    cities = [s["city"] for s in statuses]
    assert cities[0] == cities[1] != cities[2] == cities[5]
    moments = [datetime.strptime(s["date_time"], "%Y-%m-%dT%H:%M:%S%z") for s in statuses]
    assert moments == sorted(moments, reverse=True)
    # The journey is what the order reads as afterwards, to CDEK's API too.
    assert cdek.codes(order_uuid)[0] == "ACCEPTED_AT_PICK_UP_POINT"

    cdek.accepted(cdek.post(f"/orders/{order_uuid}/refusal"), "CREATE_REFUSAL")
    cdek.advance()
    latest = cdek.read(f"/orders/{order_uuid}")["entity"]["statuses"][0]
    assert (latest["code"], latest["reason_code"]) == ("NOT_DELIVERED", "11")


def test_an_order_to_the_door_goes_by_courier(cdek: Client) -> None:
    order_uuid = cdek.created(TO_DOOR)
    assert cdek.journey(order_uuid, "TAKEN_BY_COURIER").status_code == 200
    assert cdek.codes(order_uuid)[:3] == [
        "TAKEN_BY_COURIER",
        "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE",
        "ACCEPTED_IN_RECIPIENT_CITY",
    ]
    # Step by step is the same way: on to DELIVERED, after which a refusal is refused.
    assert cdek.journey(order_uuid, "DELIVERED").status_code == 200
    assert cdek.codes(order_uuid)[:2] == ["DELIVERED", "TAKEN_BY_COURIER"]
    refused = cdek.post(f"/orders/{order_uuid}/refusal")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("ACCEPTED_AT_PICK_UP_POINT", "is not on the way of an order to the door"),
        ("NOWHERE", "is not a status of the journey"),
        ("CREATED", "already CREATED"),
        (5, "to must be a status code"),
    ],
)
def test_a_move_the_order_cannot_make_is_refused_and_changes_nothing(
    cdek: Client, to: Any, message: str
) -> None:
    order_uuid = cdek.created(TO_DOOR)
    answer = cdek.journey(order_uuid, to)
    assert answer.status_code in (400, 409)
    assert message in answer.json()["error"]
    assert cdek.codes(order_uuid) == ["CREATED", "ACCEPTED"]


def test_an_unknown_or_unprocessed_order_cannot_travel(cdek: Client) -> None:
    assert cdek.journey("0e6b5c8e-1111-4222-8333-444455556666", "DELIVERED").status_code == 404
    pending = cdek.accepted(cdek.post("/orders", json=order_body(number="pending")))
    answer = cdek.journey(pending, "DELIVERED")
    assert answer.status_code == 409 and "not created" in answer.json()["error"]


def test_the_python_handle_moves_an_order_too(cdek: Client) -> None:
    order_uuid = cdek.created(TO_POINT)
    envelope = cdek.sandbox.move_order(order_uuid, "ACCEPTED_IN_RECIPIENT_CITY")
    assert envelope["entity"]["statuses"][0]["code"] == "ACCEPTED_IN_RECIPIENT_CITY"
    assert cdek.codes(order_uuid)[0] == "ACCEPTED_IN_RECIPIENT_CITY"
    with pytest.raises(ValueError, match="already"):
        cdek.sandbox.move_order(order_uuid, "CREATED")
    with pytest.raises(LookupError):
        cdek.sandbox.move_order("0e6b5c8e-1111-4222-8333-444455556666", "DELIVERED")


# --- time ----------------------------------------------------------------------------------


def test_writes_take_cdek_like_seconds_by_default(http: requests.Session) -> None:
    """A read straight after a create sees it still ACCEPTED, as on CDEK's test server."""
    assert SandboxConfig().processing_delay >= 1
    with start_sandbox() as running:
        client = Client.login(running, http)
        order_uuid = client.accepted(client.post("/orders", json=order_body()))
        [request] = client.read(f"/orders/{order_uuid}")["requests"]
        assert request["state"] == "ACCEPTED"


def test_a_fast_sandbox_processes_at_once(http: requests.Session) -> None:
    with start_sandbox(SandboxConfig(processing_delay=0)) as running:
        client = Client.login(running, http)
        order_uuid = client.accepted(client.post("/orders", json=order_body()))
        [request] = client.read(f"/orders/{order_uuid}")["requests"]
        assert request["state"] == "SUCCESSFUL"


def test_the_sandbox_command_says_how_long_writes_take_and_offers_fast() -> None:
    text = run_cli(["sandbox", "cdek", "--help"]).stdout
    assert "--delay" in text and f"default: {SandboxConfig().processing_delay}" in text
    assert "--fast" in text


def test_the_sandbox_command_runs_fast_when_asked() -> None:
    """``oint sandbox cdek --fast``: a create reads SUCCESSFUL at once."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "oint_core", "sandbox", "cdek", "--port", "0", "--fast"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        base = line.partition("=")[2]
        assert base.startswith("http://127.0.0.1:")
        running = RunningSandboxAt(base)
        session = loopback_session()
        client = Client.login(running, session)  # type: ignore[arg-type]
        order_uuid = client.accepted(client.post("/orders", json=order_body()))
        assert client.read(f"/orders/{order_uuid}")["requests"][0]["state"] == "SUCCESSFUL"
    finally:
        process.terminate()
        process.wait(timeout=10)


class RunningSandboxAt:
    """Enough of ``RunningSandbox`` for a client of a sandbox in another process."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.root_url = base_url[: -len("/v2")]
