"""All pages: ``--all`` walks every page until an empty one, and ``iter_pages`` yields them
one request at a time, taking the filter as the CLI would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import oint_core
from oint_cdek import iter_pages
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox
from oint_core.testing import run_cli

from .conftest import sandbox_log


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningSandbox, str]]:
    """A sandbox whose lists come 7 items a page, so --all has pages to walk."""
    with start_sandbox(SandboxConfig(max_page_size=7)) as sandbox:
        monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
        token = oint_core.dispatch(
            "cdek", "GetToken", account=TEST_ACCOUNT, password=TEST_SECURE_PASSWORD
        )
        yield sandbox, token["access_token"]


@pytest.mark.parametrize(
    ("method", "path", "total"),
    [
        ("GetRegionsList", "/v2/location/regions", 30),
        ("GetCitiesList", "/v2/location/cities", 30),
        ("GetOfficeList", "/v2/deliverypoints", 40),
    ],
)
def test_all_walks_every_page_until_an_empty_one(small_pages, method, path, total) -> None:
    sandbox, token = small_pages
    result = run_cli(["cdek", method, "--all", "--token", token])
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert len(items) == total
    assert len({json.dumps(i, sort_keys=True) for i in items}) == total  # no page twice
    pages = [r for r in sandbox_log(sandbox) if r["path"] == path]
    assert len(pages) == total // 7 + 2  # full pages, the short one, then the empty one


def test_without_all_one_page_is_returned(small_pages) -> None:
    _, token = small_pages
    assert len(oint_core.dispatch("cdek", "GetRegionsList", token=token)) == 7


def test_iter_pages_yields_page_by_page(small_pages) -> None:
    sandbox, token = small_pages
    pages = iter_pages("GetCitiesList", token=token, filter={"country_codes": "RU"})
    first = [next(pages) for _ in range(3)]
    assert len([r for r in sandbox_log(sandbox) if r["path"] == "/v2/location/cities"]) == 1
    rest = list(pages)
    assert len(first) + len(rest) == 22  # the sandbox's Russian cities
    assert all(city["country_code"] == "RU" for city in first + rest)


def test_iter_pages_takes_the_filter_as_the_cli_would(small_pages) -> None:
    _, token = small_pages
    offices = list(iter_pages("get_office_list", token=token, filter="{'city_code': 44}"))
    assert offices and all(o["location"]["city_code"] == 44 for o in offices)
    regions = list(iter_pages("GetRegionsList", token=token, countries=["KZ"]))
    assert {r["country_code"] for r in regions} == {"KZ"}
