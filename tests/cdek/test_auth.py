"""Tokens that manage themselves: fetched from account credentials, cached, renewed once."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import oint_core
from oint_cdek import auth, use_credentials
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox
from oint_core import ApiError, UsageError
from oint_core.testing import run_cli

from .conftest import sandbox_control, sandbox_log, token_fetches

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def creds_env(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict:
    env = {
        "OINT_CDEK_BASE_URL": sandbox.base_url,
        "OINT_CDEK_ACCOUNT": TEST_ACCOUNT,
        "OINT_CDEK_PASSWORD": TEST_SECURE_PASSWORD,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def advance(sandbox: RunningSandbox, seconds: float) -> None:
    sandbox_control(sandbox, "POST", "/advance", json={"seconds": seconds})


def oint(*args: str, env: dict) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("oint")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


@pytest.mark.posix  # owner-only file modes
def test_two_cli_commands_share_one_token_from_an_owner_only_file(
    sandbox: RunningSandbox, creds_env: dict, tmp_path: Path
) -> None:
    first = oint("cdek", "GetRegionsList", "--countries", "RU", env=creds_env)
    second = oint("cdek", "GetOrderByNumber", "--number", "999999999", env=creds_env)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 1  # CDEK's 400, answered with the cached token
    assert "v2_entity_not_found" in second.stderr or "v2_order_not_found" in second.stderr
    assert token_fetches(sandbox) == 1

    [cached] = (tmp_path / "cache" / "oint" / "cdek").glob("*.json")
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700
    content = cached.read_text(encoding="utf-8")
    assert TEST_SECURE_PASSWORD not in content and TEST_ACCOUNT not in content
    assert set(json.loads(content)) == {"access_token", "expires_at"}
    for done in (first, second):
        assert json.loads(content)["access_token"] not in done.stdout + done.stderr
        assert TEST_SECURE_PASSWORD not in done.stdout + done.stderr


def test_an_expired_cache_file_is_replaced(sandbox: RunningSandbox, creds_env: dict) -> None:
    assert run_cli(["cdek", "GetRegionsList"]).exit_code == 0
    token_file = auth.token_file(auth.cache_key(TEST_ACCOUNT, sandbox.base_url))
    assert token_file is not None
    [path] = token_file.parent.glob("*.json")
    path.write_text(json.dumps({"access_token": "old", "expires_at": 0}), encoding="utf-8")
    auth.forget_tokens()  # as a new process would start
    assert run_cli(["cdek", "GetRegionsList"]).exit_code == 0
    assert token_fetches(sandbox) == 2


def test_a_token_the_server_calls_expired_is_renewed_once(
    sandbox: RunningSandbox, creds_env: dict
) -> None:
    assert oint_core.dispatch("cdek", "GetRegionsList") is not None
    advance(sandbox, 4000)  # the cached token is now expired on the server's clock
    result = run_cli(["cdek", "GetRegionsList", "--debug"])
    assert result.exit_code == 0, result.stderr
    assert token_fetches(sandbox) == 2
    regions = [r for r in sandbox_log(sandbox) if r["path"] == "/v2/location/regions"]
    assert [r["status"] for r in regions] == [200, 401, 200]


def test_renewal_happens_once_only(sandbox: RunningSandbox, creds_env: dict) -> None:
    # Tokens that live 0 s on the server: the renewed one fails too, and that is reported.
    sandbox.app.config.token_ttl = 0
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "GetRegionsList")
    assert caught.value.status == 401
    assert token_fetches(sandbox) == 2


def test_a_given_token_is_never_replaced(sandbox: RunningSandbox, creds_env: dict) -> None:
    token = oint_core.dispatch(
        "cdek", "GetToken", account=TEST_ACCOUNT, password=TEST_SECURE_PASSWORD
    )["access_token"]
    advance(sandbox, 4000)
    result = run_cli(["cdek", "GetRegionsList", "--token", token])
    assert result.exit_code == 1
    assert "v2_token_expired" in result.stderr
    assert token_fetches(sandbox) == 1  # only the explicit GetToken above


def test_without_token_or_credentials_nothing_is_sent(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    result = run_cli(["cdek", "GetRegionsList"])
    assert result.exit_code == 2
    assert "OINT_CDEK_ACCOUNT" in result.stderr
    with pytest.raises(UsageError, match="use_credentials"):
        oint_core.dispatch("cdek", "GetRegionsList")
    assert sandbox_log(sandbox) == []


def test_wrong_credentials_are_reported_without_the_password(sandbox, creds_env, monkeypatch):
    monkeypatch.setenv("OINT_CDEK_PASSWORD", "not-the-password-777")
    result = run_cli(["cdek", "GetRegionsList", "--debug"])
    assert result.exit_code == 1
    assert "invalid_client" in result.stderr
    assert "not-the-password-777" not in result.stdout + result.stderr


def test_library_credentials_given_once_in_code(sandbox: RunningSandbox, monkeypatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    use_credentials(TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    for _ in range(3):
        oint_core.dispatch("cdek", "GetRegionsList", countries=["RU"])
    assert token_fetches(sandbox) == 1


def test_concurrent_library_calls_fetch_one_token(sandbox: RunningSandbox, monkeypatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    use_credentials(TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            for _ in range(5):
                oint_core.dispatch("cdek", "GetOrderByNumber", order_number="x", internal=True)
        except ApiError as exc:
            if exc.status != 400:
                errors.append(exc)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert token_fetches(sandbox) == 1


def test_tokens_are_kept_per_account_and_api_root() -> None:
    keys = {
        auth.cache_key("a", "https://api.cdek.ru/v2"),
        auth.cache_key("a", "https://api.edu.cdek.ru/v2"),
        auth.cache_key("b", "https://api.cdek.ru/v2"),
    }
    assert len(keys) == 3


def test_threads_refused_the_same_stale_token_renew_it_once(
    sandbox: RunningSandbox, monkeypatch
) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    use_credentials(TEST_ACCOUNT, TEST_SECURE_PASSWORD)
    oint_core.dispatch("cdek", "GetRegionsList")
    advance(sandbox, 4000)  # every thread now starts with a token the server calls expired
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            oint_core.dispatch("cdek", "GetRegionsList")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert token_fetches(sandbox) == 2  # the first one, and one renewal for all eight


def test_a_malformed_token_from_the_server_is_refused_and_never_cached(
    httpserver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    """A token that cannot go in a header is the server's fault (exit 1), not a usage error
    of the user's; it is not cached, so the next call asks again."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", "acc-1234567890")
    monkeypatch.setenv("OINT_CDEK_PASSWORD", "pw-1234567890")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    httpserver.expect_request("/v2/oauth/token").respond_with_json(
        {"access_token": "abc def\u00e9", "token_type": "bearer", "expires_in": 3600}
    )
    for _ in range(2):
        result = run_cli(["cdek", "GetRegionsList", "--countries", "RU"])
        assert result.exit_code == 1, result.stderr
        assert "malformed access_token" in result.stderr
    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/v2/oauth/token", "/v2/oauth/token"]  # asked twice, nothing else sent
    assert not list((tmp_path / "cache" / "oint" / "cdek").glob("*.json"))


def test_a_malformed_token_in_the_cache_is_a_miss(
    httpserver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", "acc-1234567890")
    monkeypatch.setenv("OINT_CDEK_PASSWORD", "pw-1234567890")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    httpserver.expect_request("/v2/oauth/token").respond_with_json(
        {"access_token": "good.token.1234567890", "token_type": "bearer", "expires_in": 3600}
    )
    httpserver.expect_request("/v2/location/regions").respond_with_json([])
    assert run_cli(["cdek", "GetRegionsList", "--countries", "RU"]).exit_code == 0
    [cached] = (tmp_path / "cache" / "oint" / "cdek").glob("*.json")
    cached.write_text(json.dumps({"access_token": "x\u00e9y z", "expires_at": 9.9e10}))
    result = oint("cdek", "GetRegionsList", "--countries", "RU", env={})  # a new process
    assert result.returncode == 0, result.stderr
    tokens = [r for r, _ in httpserver.log if r.path == "/v2/oauth/token"]
    assert len(tokens) == 2  # the planted token was not used: a fresh one was fetched
    assert json.loads(cached.read_text())["access_token"] == "good.token.1234567890"
