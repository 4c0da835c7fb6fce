"""Configuration: a seed makes ids deterministic, max_page_size caps pages, extra offices."""

from __future__ import annotations

from datetime import date

import pytest
import requests

from oint_cdek.sandbox import reference
from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from .conftest import DELAY, Client, FakeClock, config, shipment, slow_login


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


def test_seeded_sandboxes_answer_the_same(http: requests.Session) -> None:
    seen = []
    for _ in range(2):
        with start_sandbox(config(seed=42)) as sandbox:
            api = slow_login(sandbox, http)
            order = api.created_order("v2-seeded")
            hook = api.post("/webhooks", json={"url": "https://a.example/", "type": "ORDER_STATUS"})
            photos = api.ok(
                "POST", "/photoDocument", json={"orders": [{"order_uuid": order["uuid"]}]}
            )
            archive = api.get(photos["orders"][0]["link"]).content
            price = api.ok("POST", "/calculator/tarifflist", json=shipment())
            listed = [{k: v for k, v in o.items() if k != "link"} for o in photos["orders"]]
            seen.append(
                (
                    order["uuid"],
                    order["cdek_number"],
                    hook.json()["entity"]["uuid"],
                    photos["orders"][0]["link"].rsplit("/", 1)[1],
                    listed,
                    archive,
                    price,
                )
            )
    assert seen[0] == seen[1]
    assert len(seen[0][5]) > 100 and seen[0][4][0]["cdek_number"] == int(seen[0][1])


def test_paging_spans_pages_with_a_small_max_page_size(http: requests.Session) -> None:
    with start_sandbox(config(max_page_size=7)) as sandbox:
        api = slow_login(sandbox, http)
        for path, total in (
            ("/location/regions", 30),
            ("/location/cities", 30),
            ("/deliverypoints", 40),
        ):
            assert len(api.read(path)) == 7  # the default size is the cap
            pages = []
            for page in range(10):
                chunk = api.read(path, params={"size": 1000, "page": page})  # capped at 7
                if not chunk:
                    break
                pages.append(chunk)
            assert [len(chunk) for chunk in pages] == [7] * (total // 7) + [total % 7] * (
                total % 7 > 0
            )
            flat = [item for chunk in pages for item in chunk]
            assert len(flat) == total
            assert len({str(item) for item in flat}) == total
            assert len(api.read(path, params={"size": 3, "page": 1})) == 3  # below the cap
        regions = [
            r
            for page in range(5)
            for r in api.read("/location/regions", params={"page": page, "size": 7})
        ]
        assert regions == reference.regions()
    with pytest.raises(ValueError):
        SandboxConfig(max_page_size=0)


def test_extra_offices_cover_most_cities(http: requests.Session) -> None:
    with start_sandbox(config(extra_offices=True)) as sandbox:
        api = slow_login(sandbox, http)
        offices = api.read("/deliverypoints")
        cities = api.read("/location/cities")
        covered = {o["location"]["city_code"] for o in offices}
        assert len(offices) > 14 and len(covered) >= 25
        assert covered <= {c["code"] for c in cities}
        kazakh = api.read("/deliverypoints", params={"country_code": "KZ"})
        assert kazakh and all(o["location"]["country_code"] == "KZ" for o in kazakh)
        assert all("fias_guid" not in o["location"] for o in kazakh)
        assert "Казахстан" in kazakh[0]["location"]["address_full"]
        for office in offices:
            postal = api.read(
                "/location/postalcodes", params={"code": office["location"]["city_code"]}
            )
            assert office["location"]["postal_code"] in postal["postal_codes"]
