"""Configuration: a seed makes ids deterministic, max_page_size caps pages, extra offices."""

from __future__ import annotations

from datetime import date

import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from .conftest import DELAY, Client, FakeClock, slow_login


def test_seed_makes_ids_deterministic(http: requests.Session) -> None:
    def run() -> tuple[str, str, str]:
        config = SandboxConfig(seed=42, clock=FakeClock(), processing_delay=0)
        with start_sandbox(config) as running:
            client = Client.login(running, http)
            order_uuid = client.create()
            return client.token, order_uuid, client.order(order_uuid)["entity"]["cdek_number"]

    assert run() == run()


def test_seeded_sandboxes_give_the_same_numbers(http: requests.Session) -> None:
    """Two sandboxes with one seed hand out the same uuids and intake numbers."""
    seen = []
    for _ in range(2):
        config = SandboxConfig(processing_delay=DELAY, seed=42)
        with start_sandbox(config) as running:
            client = slow_login(running, http)
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
