"""Configuration: a seed makes ids deterministic, max_page_size caps pages, extra offices."""

from __future__ import annotations

import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from .conftest import Client, FakeClock


def test_seed_makes_ids_deterministic(http: requests.Session) -> None:
    def run() -> tuple[str, str, str]:
        config = SandboxConfig(seed=42, clock=FakeClock(), processing_delay=0)
        with start_sandbox(config) as running:
            client = Client.login(running, http)
            order_uuid = client.create()
            return client.token, order_uuid, client.order(order_uuid)["entity"]["cdek_number"]

    assert run() == run()
