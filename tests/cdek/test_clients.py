"""Clients of different CDEK accounts in one process, called from many threads at once,
never share a token: every request a sandbox sees carries its own client's account."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

import oint_core
from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox
from oint_core import connect

from .conftest import sandbox_log

THREADS = 16
CALLS_PER_THREAD = 5


@pytest.fixture
def two_sandboxes() -> Iterator[tuple[RunningSandbox, RunningSandbox]]:
    with (
        start_sandbox(SandboxConfig(accounts={"shop-a": "secret-a"})) as first,
        start_sandbox(SandboxConfig(accounts={"shop-b": "secret-b"})) as second,
    ):
        yield first, second


def _hammer(calls: list[Callable[[], Any]]) -> list[BaseException]:
    """Run every call of ``calls`` CALLS_PER_THREAD times in each of THREADS threads, all
    released at once; the exceptions raised."""
    start = threading.Barrier(THREADS * len(calls))
    failures: list[BaseException] = []

    def work(call: Callable[[], Any]) -> None:
        start.wait()
        for _ in range(CALLS_PER_THREAD):
            try:
                call()
            except BaseException as exc:  # reported by the test, not lost in a thread
                failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(call,)) for call in calls for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return failures


def test_two_clients_on_two_sandboxes_keep_their_own_accounts_and_tokens(
    two_sandboxes: tuple[RunningSandbox, RunningSandbox],
) -> None:
    first, second = two_sandboxes
    with (
        connect("cdek", account="shop-a", password="secret-a", base_url=first.base_url) as a,
        connect("cdek", account="shop-b", password="secret-b", base_url=second.base_url) as b,
    ):
        failures = _hammer(
            [
                lambda: a.get_regions_list(countries=["RU"], size=1),
                lambda: b.call("GetRegionsList", countries=["KZ"], size=1),
            ]
        )
    assert failures == []
    for sandbox, account in ((first, "shop-a"), (second, "shop-b")):
        log = sandbox_log(sandbox)
        assert len(log) == THREADS * CALLS_PER_THREAD + 1  # one token for all its threads
        assert [r["path"] for r in log].count("/v2/oauth/token") == 1
        # Every request carried this sandbox's own account's credentials: a token of the
        # other sandbox would be unknown here (account null, 401).
        assert {(r["account"], r["status"]) for r in log} == {(account, 200)}


def test_two_clients_of_two_accounts_on_one_sandbox_stay_apart() -> None:
    """On one sandbox both tokens are valid: each request must still carry its client's."""
    accounts = {"shop-a": "secret-a", "shop-b": "secret-b", "shop-c": "secret-c"}
    with start_sandbox(SandboxConfig(accounts=accounts)) as sandbox:
        a = connect("cdek", account="shop-a", password="secret-a", base_url=sandbox.base_url)
        b = connect("cdek", account="shop-b", password="secret-b", base_url=sandbox.base_url)
        with pytest.MonkeyPatch.context() as env:  # dispatch: the process-wide store
            env.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
            env.setenv("OINT_CDEK_ACCOUNT", "shop-c")
            env.setenv("OINT_CDEK_PASSWORD", "secret-c")
            failures = _hammer(
                [
                    lambda: a.get_regions_list(countries=["RU"], size=1),
                    lambda: b.get_regions_list(countries=["KZ"], size=1),
                    lambda: oint_core.dispatch("cdek", "GetRegionsList", countries=["BY"], size=1),
                ]
            )
        log = sandbox_log(sandbox)
        a.close()
        b.close()
    assert failures == []
    # Who asked is in the query (each caller asks for its own country); whose token the
    # request carried is the log's account.
    seen = Counter(
        (parse_qs(r["query"])["country_codes"][0], r["account"])
        for r in log
        if r["path"] == "/v2/location/regions"
    )
    calls = THREADS * CALLS_PER_THREAD
    assert seen == {("RU", "shop-a"): calls, ("KZ", "shop-b"): calls, ("BY", "shop-c"): calls}
    fetched = Counter(r["account"] for r in log if r["path"] == "/v2/oauth/token")
    assert fetched == {"shop-a": 1, "shop-b": 1, "shop-c": 1}


def test_a_token_renewed_by_one_client_is_not_the_others(
    two_sandboxes: tuple[RunningSandbox, RunningSandbox],
) -> None:
    first, second = two_sandboxes
    a = connect("cdek", account="shop-a", password="secret-a", base_url=first.base_url)
    b = connect("cdek", account="shop-b", password="secret-b", base_url=second.base_url)
    a.get_regions_list(countries=["RU"], size=1)
    b.get_regions_list(countries=["RU"], size=1)
    first.app.state.tokens.clear()  # the first sandbox forgets its token: a renews it
    a.get_regions_list(countries=["RU"], size=1)
    b.get_regions_list(countries=["RU"], size=1)
    fetches = [
        [r["status"] for r in sandbox_log(s) if r["path"] == "/v2/oauth/token"]
        for s in (first, second)
    ]
    assert fetches == [[200, 200], [200]]


def test_a_users_suite_with_test_and_production_clients_in_any_order(tmp_path: Path) -> None:
    """A user's suite: a test client (CDEK's test API) and a "production" client as module
    fixtures, and the cdek_sandbox fixture pointing the environment elsewhere for some tests.
    Run forwards and backwards, every test sees only its own client's requests."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import os
            import pytest
            from oint_cdek.sandbox.app import SandboxConfig
            from oint_cdek.sandbox.server import start_sandbox
            import oint_core

            def pytest_collection_modifyitems(items):
                if os.environ.get("SUITE_ORDER") == "reversed":
                    items.reverse()

            @pytest.fixture(scope="session")
            def sandboxes():
                with start_sandbox(SandboxConfig(accounts={"test-shop": "t"})) as test, \\
                        start_sandbox(SandboxConfig(accounts={"prod-shop": "p"})) as prod:
                    yield test, prod

            @pytest.fixture(scope="session")
            def test_cdek(sandboxes):
                with oint_core.connect("cdek", account="test-shop", password="t",
                                       base_url=sandboxes[0].base_url, testapi=True) as client:
                    yield client

            @pytest.fixture(scope="session")
            def prod_cdek(sandboxes):
                with oint_core.connect("cdek", account="prod-shop", password="p",
                                       base_url=sandboxes[1].base_url) as client:
                    yield client

            def log(sandbox):
                import json, urllib.request
                with urllib.request.urlopen(sandbox.root_url + "/_sandbox/requests") as answer:
                    return json.load(answer)

            def accounts(sandbox):
                return [r["account"] for r in log(sandbox)]
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_user_suite.py").write_text(
        textwrap.dedent(
            """
            import oint_core
            from conftest import accounts, log

            def test_on_the_test_api(test_cdek, sandboxes):
                before = len(accounts(sandboxes[1]))
                assert test_cdek.get_regions_list(countries=["RU"], size=1)
                assert set(accounts(sandboxes[0])) == {"test-shop"}
                assert len(accounts(sandboxes[1])) == before

            def test_in_production(prod_cdek, sandboxes):
                before = len(accounts(sandboxes[0]))
                assert prod_cdek.get_regions_list(countries=["RU"], size=1)
                assert set(accounts(sandboxes[1])) == {"prod-shop"}
                assert len(accounts(sandboxes[0])) == before

            def test_with_the_fixture_between(cdek_sandbox, test_cdek, prod_cdek, sandboxes):
                # The fixture points the environment at its own sandbox: dispatch goes there,
                # the clients (given their settings) do not.
                oint_core.dispatch("cdek", "GetRegionsList", countries=["RU"], size=1)
                test_cdek.get_regions_list(countries=["RU"], size=1)
                prod_cdek.get_regions_list(countries=["RU"], size=1)
                assert [r["path"] for r in cdek_sandbox.requests()] == [
                    "/v2/oauth/token", "/v2/location/regions"]
                assert set(accounts(sandboxes[0])) == {"test-shop"}
                assert set(accounts(sandboxes[1])) == {"prod-shop"}

            def test_each_client_fetched_one_token(sandboxes, test_cdek, prod_cdek):
                test_cdek.get_regions_list(countries=["RU"], size=1)
                prod_cdek.get_regions_list(countries=["RU"], size=1)
                for sandbox in sandboxes:
                    paths = [r["path"] for r in log(sandbox)]
                    assert paths.count("/v2/oauth/token") == 1, paths
            """
        ),
        encoding="utf-8",
    )
    for order in ("forwards", "reversed"):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**_clean_environment(), "SUITE_ORDER": order},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        assert "4 passed" in done.stdout


def _clean_environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("OINT_CDEK_")}


def test_a_client_never_borrows_a_token_another_client_fetched_for_the_same_account() -> None:
    """Same account, same sandbox: the client with a wrong password gets no token, although
    the other one holds a valid token for that account and API root."""
    with start_sandbox(SandboxConfig(accounts={"shop-a": "secret-a"})) as sandbox:
        right = connect("cdek", account="shop-a", password="secret-a", base_url=sandbox.base_url)
        wrong = connect("cdek", account="shop-a", password="guessed", base_url=sandbox.base_url)
        right.get_regions_list(countries=["RU"], size=1)
        with pytest.raises(oint_core.ApiError, match="invalid_client") as caught:
            wrong.get_regions_list(countries=["RU"], size=1)
        assert "guessed" not in str(caught.value)
        right.close()
        with pytest.raises(oint_core.UsageError, match="closed"):
            right.get_regions_list(countries=["RU"], size=1)
        log = sandbox_log(sandbox)
    assert [(r["path"], r["status"]) for r in log] == [
        ("/v2/oauth/token", 200),
        ("/v2/location/regions", 200),
        ("/v2/oauth/token", 401),
    ]
