"""The sandbox tests' one client, their sandboxes and the helpers that read CDEK's answers.

Sandboxes: ``sandbox`` (tests/cdek/conftest.py: fresh, short processing delay), a fake clock
the test moves by hand (``clocked_sandbox``), a slow one where only /_sandbox/advance gets
past the processing delay (``slow_sandbox``) and a slow one on a fixed clock, Friday
2026-08-07 at noon UTC (``running``). Test modules import only from the conftest files.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

from ..conftest import BOTH_ACCOUNTS, OTHER_ACCOUNT, OTHER_SECRET, SandboxClient, order_body

JSON_TYPE = "application/json; charset=utf-8"
#: The fake clock's start.
START = datetime(2026, 8, 1, 14, 34, 18, tzinfo=timezone.utc)
#: Seconds on a slow sandbox's clock; only /_sandbox/advance gets past it.
DELAY = 30.0
#: The fixed clock of the ``running`` sandbox.
FRIDAY_NOON = datetime(2026, 8, 7, 12, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def fixed_clock() -> datetime:
    return FRIDAY_NOON


# --- order bodies ------------------------------------------------------------------------------


def cod_order_body(**overrides: Any) -> dict[str, Any]:
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


#: An order shaped like one CDEK's test server recorded (door to door, an item, SMS).
RECORDED_LIKE = {
    "number": "shop-77",
    "tariff_code": 139,
    "recipient": {"name": "Иванов Иван", "phones": [{"number": "+79134637228"}]},
    "from_location": {"code": 44, "address": "ул. Лесная, 1"},
    "to_location": {"code": 270, "address": "ул. Блюхера, 32"},
    "services": [{"code": "SMS"}],
    "packages": [
        {
            "number": "bar-001",
            "weight": 4000,
            "length": 10,
            "width": 10,
            "height": 10,
            "items": [
                {
                    "name": "Товар",
                    "ware_key": "00055",
                    "payment": {"value": 3000},
                    "cost": 300,
                    "weight": 700,
                    "amount": 2,
                }
            ],
        }
    ],
}


def shipment(**overrides: Any) -> dict[str, Any]:
    """A calculator request, Moscow to Novosibirsk, door to door."""
    body: dict[str, Any] = {
        "tariff_code": 139,
        "from_location": {"code": 44},
        "to_location": {"code": 270},
        # 1300 g in all, but the first box is 30 x 20 x 20 cm = 12000 cm3 = 2400 g volumetric.
        "packages": [{"weight": 700, "length": 30, "width": 20, "height": 20}, {"weight": 600}],
    }
    body.update(overrides)
    return body


# --- the client --------------------------------------------------------------------------------


class Client(SandboxClient):
    """The shared sandbox client plus the sandbox tests' order, fault and status shortcuts.

    ``advance()`` moves the clock by ``advance_by``: 10 s by default, ``DELAY`` on the slow
    sandboxes (``slow_login``).
    """

    def accepted(
        self, answer: requests.Response, request_type: str = "CREATE", status: int = 202
    ) -> str:
        """The shared check, and that the answer names no related entities."""
        entity_uuid = super().accepted(answer, request_type, status)
        assert answer.json()["related_entities"] == []
        return entity_uuid

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON body of a call answered with 200."""
        answer = self.call(method, path, **kwargs)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def now(self) -> datetime:
        """The sandbox clock's time."""
        return self.advance(0)

    def fault(self, **spec: Any) -> None:
        answer = self.control("POST", "/faults", json=spec)
        assert answer.status_code == 201, answer.text

    def push_status(self, order_uuid: str, code: str) -> None:
        answer = self.control("POST", f"/orders/{order_uuid}/status", json={"code": code})
        assert answer.status_code == 200, answer.text

    def journey(self, order_uuid: str, to: Any) -> requests.Response:
        return self.control("POST", f"/orders/{order_uuid}/journey", json={"to": to})

    def create(self, **overrides: Any) -> str:
        """A new order from ``order_body(**overrides)``, accepted (not yet processed): its uuid."""
        answer = self.post("/orders", json=order_body(**overrides))
        assert answer.status_code == 202, answer.text
        return answer.json()["entity"]["uuid"]

    def created(self, body: dict[str, Any]) -> str:
        """A new order, processed (CREATED): its uuid."""
        order_uuid = self.accepted(self.post("/orders", json=body))
        self.advance()
        assert self.codes(order_uuid) == ["CREATED", "ACCEPTED"]
        return order_uuid

    def created_order(self, number: str) -> dict[str, Any]:
        """A new order to Novosibirsk (city code 270), settled (status CREATED): its entity."""
        to_location = {"code": 270, "address": "ул. Ленина, 1"}
        return self.settled_order(order_body(number=number, to_location=to_location))

    def created_cod_order(self, **overrides: Any) -> dict[str, Any]:
        """A new cash-on-delivery order, settled (status CREATED): its entity."""
        return self.settled_order(cod_order_body(**overrides))

    def order(self, order_uuid: str) -> dict[str, Any]:
        """The order's envelope (entity and requests)."""
        return self.read(f"/orders/{order_uuid}")

    def codes(self, order_uuid: str) -> list[str]:
        """The order's status codes, newest first (as CDEK lists them)."""
        return [s["code"] for s in self.read(f"/orders/{order_uuid}")["entity"]["statuses"]]


def slow_login(
    sandbox: RunningSandbox,
    http: requests.Session,
    client_id: str = TEST_ACCOUNT,
    client_secret: str = TEST_SECURE_PASSWORD,
) -> Client:
    """A client of a slow sandbox: its ``advance()`` gets past the processing ``DELAY``."""
    client = Client.login(sandbox, http, client_id, client_secret)
    client.advance_by = DELAY
    return client


def city(api: Client, code: int) -> dict[str, Any]:
    [found] = api.read("/location/cities", params={"code": code})
    return found


# --- reading answers ---------------------------------------------------------------------------


def only_error(answer: requests.Response) -> dict[str, Any]:
    """The single error of a CDEK error envelope, after checking the envelope's shape."""
    assert answer.headers["Content-Type"] == JSON_TYPE
    body = answer.json()
    assert "entity" not in body
    [record] = body["requests"]
    assert record["state"] == "INVALID"
    [error] = record["errors"]
    return {"type": record["type"], **error}


def only_error_at(answer: requests.Response, status: int) -> dict[str, Any]:
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


def only_error_400(answer: requests.Response) -> dict[str, Any]:
    """The single error of a 400 answer's single request."""
    assert answer.status_code == 400, answer.text
    [record] = answer.json()["requests"]
    [error] = record["errors"]
    return {"type": record["type"], **error}


def errors_of(answer: requests.Response, status: int) -> list[dict[str, str]]:
    """Code and message of every error of an answer with ``status`` (envelope or bare)."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    if "requests" not in body:  # calculators, locations: a bare {"errors": [...]}, as CDEK's
        assert set(body) == {"errors"}, body
        return [{"code": e["code"], "message": e["message"]} for e in body["errors"]]
    [record] = body["requests"]
    assert record["state"] == "INVALID"
    return [{"code": e["code"], "message": e["message"]} for e in record["errors"]]


def error_code(answer: requests.Response, status: int) -> str:
    [error] = errors_of(answer, status)
    return error["code"]


def status_codes(envelope: dict[str, Any]) -> list[str]:
    return [status["code"] for status in envelope["entity"]["statuses"]]


def request_states(envelope: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["type"], r["state"]) for r in envelope["requests"]]


def codes(statuses: list[dict[str, Any]]) -> list[str]:
    return [status["code"] for status in statuses]


# --- sandboxes and clients ---------------------------------------------------------------------


def config(**overrides: Any) -> SandboxConfig:
    """A slow sandbox on the fixed clock (Friday noon), with both accounts."""
    values: dict[str, Any] = {
        "accounts": BOTH_ACCOUNTS,
        "processing_delay": DELAY,
        "clock": fixed_clock,
        "token_ttl": 30 * 86400,  # tests move the clock by days
    }
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
def cdek(sandbox: RunningSandbox, http: requests.Session, sandbox_token: str) -> Client:
    """A client of the default ``sandbox``."""
    return Client(sandbox, http, sandbox_token)


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
def timed(clocked_sandbox: RunningSandbox, http: requests.Session) -> Client:
    """A client of the sandbox on the fake ``clock``."""
    return Client.login(clocked_sandbox, http)


@pytest.fixture
def slow_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox where nothing settles by itself (real clock, seeded, both accounts)."""
    config = SandboxConfig(
        accounts=BOTH_ACCOUNTS,
        processing_delay=DELAY,
        seed=7,
    )
    with start_sandbox(config) as running:
        yield running


@pytest.fixture
def slow(slow_sandbox: RunningSandbox, http: requests.Session) -> Client:
    """A client of ``slow_sandbox`` (the default account)."""
    return slow_login(slow_sandbox, http)


@pytest.fixture
def slow_other(slow_sandbox: RunningSandbox, http: requests.Session) -> Client:
    """A client of ``slow_sandbox`` with the second account."""
    return slow_login(slow_sandbox, http, OTHER_ACCOUNT, OTHER_SECRET)


@pytest.fixture
def ref(sandbox: RunningSandbox, http: requests.Session, sandbox_token: str) -> Client:
    """A client of the shared default sandbox, for reference data (nothing asynchronous)."""
    client = Client(sandbox, http, sandbox_token)
    client.advance_by = DELAY
    return client


@pytest.fixture
def small_ref(http: requests.Session) -> Iterator[Client]:
    """A sandbox with only the original 14 offices in five cities, whose filters we pin."""
    with start_sandbox(SandboxConfig(extra_offices=False)) as small:
        yield slow_login(small, http)


@pytest.fixture
def running() -> Iterator[RunningSandbox]:
    """A slow sandbox on the fixed clock (``config()``)."""
    with start_sandbox(config()) as sandbox:
        yield sandbox


@pytest.fixture
def api(running: RunningSandbox, http: requests.Session) -> Client:
    """A client of ``running`` (the default account)."""
    return slow_login(running, http)


@pytest.fixture
def other(running: RunningSandbox, http: requests.Session) -> Client:
    """A client of ``running`` with the second account."""
    return slow_login(running, http, OTHER_ACCOUNT, OTHER_SECRET)
