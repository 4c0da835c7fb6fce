"""International restrictions answer in the shape of CDEK's specification: a status per
package and per item (FORBIDDEN / LIMITED / ALLOWED with a reason), errors, warnings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox

from ..conftest import SandboxClient

PATH = "/international/package/restrictions"
BOOK = {"name": "Книга", "amount": 1, "itemId": "book-1", "feacn_code": "4901990000"}
BATTERY = {"name": "Литиевая батарея", "amount": 1, "itemId": "cell-1"}
PACKAGE = {"package_id": "box-1", "weight": 1200, "length": 20, "width": 15, "height": 10}


@pytest.fixture
def cdek(http: requests.Session) -> Iterator[SandboxClient]:
    with start_sandbox(SandboxConfig(processing_delay=0)) as running:
        yield SandboxClient.login(running, http)


def ask(cdek: SandboxClient, to: dict[str, Any], *packages: dict[str, Any]) -> Any:
    answer = cdek.post(
        PATH, json={"from_location": {"code": 44}, "to_location": to, "packages": list(packages)}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def codes(answer: Any) -> list[tuple[str, list[str]]]:
    return [
        (p["status"]["code"], [i["status"]["code"] for i in p["items"]]) for p in answer["packages"]
    ]


def test_abroad_each_package_and_item_gets_a_status(cdek: SandboxClient) -> None:
    heavy = {**PACKAGE, "package_id": "box-2", "weight": 40_000, "items": [BOOK]}
    answer = ask(
        cdek,
        {"code": 9220},  # Minsk, Belarus
        {**PACKAGE, "items": [BOOK, BATTERY]},
        heavy,
        {**PACKAGE, "package_id": "box-3", "items": [{**BOOK, "amount": 50}]},
    )
    assert codes(answer) == [
        ("FORBIDDEN", ["ALLOWED", "FORBIDDEN"]),
        ("FORBIDDEN", ["ALLOWED"]),
        ("LIMITED", ["LIMITED"]),
    ]
    first = answer["packages"][0]
    assert first["package_id"] == "box-1"
    assert first["items"][1]["status"]["reason"]["code"] == "FEACN_RESTRICTION"
    assert first["items"][0]["feacn_code"] == "4901990000"
    assert answer["packages"][1]["status"]["reason"]["code"] == "GENERAL_RESTRICTION"
    assert (answer["errors"], answer["warnings"]) == ([], [])


def test_within_one_country_everything_is_allowed(cdek: SandboxClient) -> None:
    answer = ask(cdek, {"code": 270}, {**PACKAGE, "weight": 40_000, "items": [BATTERY]})
    assert codes(answer) == [("ALLOWED", ["ALLOWED"])]


def test_a_place_the_sandbox_does_not_know_is_a_400(cdek: SandboxClient) -> None:
    answer = cdek.post(PATH, json={"from_location": {"code": 1}, "to_location": {"code": 44}})
    assert answer.status_code == 400
