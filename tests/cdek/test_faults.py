"""The fault matrix: every fault kind × a read and a write, against the sandbox's injection.

For each: the outcome (exit code, or the exception), how many requests reached the server
(a write: exactly one, unless the connection was refused), the time taken bounded by the
deadline, no traceback, and no secret in any output.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import oint_core
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox
from oint_core import ApiError, TransportError, UsageError
from oint_core.testing import run_cli

from ..conftest import closed_port
from .conftest import REPO_ORDER, sandbox_control, sandbox_log

TIMEOUT = 1.0  # --timeout of every call here: the deadline
MISSING_ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"


def control(sandbox: RunningSandbox, path: str, payload: dict) -> None:
    sandbox_control(sandbox, "POST", f"/{path}", json=payload).raise_for_status()


@pytest.fixture
def world(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A token and a processed order; the request log starts empty after them."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    token = oint_core.dispatch(
        "cdek", "GetToken", account=TEST_ACCOUNT, password=TEST_SECURE_PASSWORD
    )["access_token"]
    created = oint_core.dispatch("cdek", "CreateOrder", token=token, order_description=REPO_ORDER)
    control(sandbox, "advance", {"seconds": 5})
    sandbox_control(sandbox, "DELETE", "/requests")
    return {"token": token, "order": created["entity"]["uuid"], "sandbox": sandbox}


@dataclass(frozen=True)
class Expect:
    exit_code: int
    seen: int  # requests that reached the server
    error: type[Exception] | None
    sent: str = "yes"  # the error's ``sent``: "unknown" once a write may have been processed


READ, WRITE = "GetOrder", "CreateRefusal"
MATRIX = {
    # fault kind:      (read outcome,           write outcome)
    # A write answered 5xx may have been processed behind the gateway: its outcome is unknown.
    "http_500": (Expect(1, 1, ApiError), Expect(1, 1, ApiError, "unknown")),
    "http_502": (Expect(0, 2, None), Expect(1, 1, ApiError, "unknown")),
    "http_503": (Expect(0, 2, None), Expect(1, 1, ApiError, "unknown")),
    "http_429": (Expect(0, 2, None), Expect(0, 2, None)),
    "delay": (Expect(3, 1, TransportError), Expect(3, 1, TransportError, "unknown")),
    "drop": (Expect(0, 2, None), Expect(3, 1, TransportError, "unknown")),
    # Answered 2xx, but unreadable: the write was processed, its result is unknown.
    "malformed_json": (Expect(3, 1, TransportError), Expect(3, 1, TransportError, "unknown")),
    "empty": (Expect(0, 1, None), Expect(0, 1, None)),
}
CASES = [
    (kind, method, expect)
    for kind, (read, write) in MATRIX.items()
    for method, expect in ((READ, read), (WRITE, write))
]


def inject(world: dict, kind: str, method: str) -> None:
    path = "/refusal$" if method == WRITE else f"/orders/{world['order']}$"
    control(
        world["sandbox"],
        "faults",
        {"kind": kind, "path": path, "retry_after": 0, "seconds": TIMEOUT * 2},
    )


def seen(world: dict, method: str) -> int:
    suffix = "/refusal" if method == WRITE else world["order"]
    return sum(1 for r in sandbox_log(world["sandbox"]) if r["path"].endswith(suffix))


@pytest.mark.parametrize(("kind", "method", "expect"), CASES, ids=[f"{k}-{m}" for k, m, _ in CASES])
def test_cli(world: dict, kind: str, method: str, expect: Expect) -> None:
    inject(world, kind, method)
    started = time.monotonic()
    result = run_cli(
        [
            "cdek",
            method,
            "--uuid",
            world["order"],
            "--token",
            world["token"],
            "--timeout",
            str(TIMEOUT),
        ]
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == expect.exit_code, result.stderr
    assert seen(world, method) == expect.seen
    assert elapsed < TIMEOUT + 1.0
    assert "Traceback" not in result.stderr
    assert world["token"] not in result.stdout + result.stderr
    if expect.exit_code:
        assert len(result.stderr.splitlines()) == 1
    else:
        assert isinstance(json.loads(result.stdout), dict)


@pytest.mark.parametrize(("kind", "method", "expect"), CASES, ids=[f"{k}-{m}" for k, m, _ in CASES])
def test_library(world: dict, kind: str, method: str, expect: Expect) -> None:
    inject(world, kind, method)
    started = time.monotonic()
    call = lambda: oint_core.dispatch(  # noqa: E731
        "cdek", method, token=world["token"], uuid=world["order"], timeout=TIMEOUT
    )
    if expect.error is None:
        assert isinstance(call(), dict)
    else:
        with pytest.raises(expect.error) as caught:
            call()
        assert world["token"] not in str(caught.value)
        assert caught.value.sent == expect.sent
    assert seen(world, method) == expect.seen
    assert time.monotonic() - started < TIMEOUT + 1.0


@pytest.mark.parametrize("method", [READ, WRITE])
def test_refused_connection_is_retried_then_reported(method: str, monkeypatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    result = run_cli(
        [
            "cdek",
            method,
            "--uuid",
            "f1799065-01de-448c-91cf-8afe7d4c0cfc",
            "--token",
            "tok-123456",
            "--timeout",
            "5",
            "--debug",
        ]
    )
    assert result.exit_code == 3
    assert "connection refused" in result.stderr
    assert result.stderr.count("retry ") == 3  # connection refused: safe to retry, even a write


def test_a_refused_write_and_a_refused_call_say_nothing_was_done(world: dict) -> None:
    with pytest.raises(ApiError) as refused:  # a 4xx answer to the write itself
        oint_core.dispatch("cdek", WRITE, token=world["token"], uuid=MISSING_ORDER)
    assert refused.value.status == 400
    assert refused.value.sent == "yes"
    with pytest.raises(UsageError) as usage:  # refused before anything went out
        oint_core.dispatch("cdek", WRITE, token=world["token"], uuid="not-a-uuid")
    assert usage.value.sent == "no"


def test_a_failed_token_request_is_not_a_write_that_may_have_been_done(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CreateRefusal whose token POST was dropped: the refusal never went out."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", TEST_ACCOUNT)
    monkeypatch.setenv("OINT_CDEK_PASSWORD", TEST_SECURE_PASSWORD)
    monkeypatch.setenv("OINT_CACHE_DIR", str(tmp_path))  # no token cached by another test
    control(sandbox, "faults", {"kind": "drop", "path": "/oauth/token$", "count": 10})
    with pytest.raises(TransportError) as caught:
        oint_core.dispatch("cdek", WRITE, uuid=MISSING_ORDER, timeout=TIMEOUT)
    assert caught.value.sent == "yes"
    assert "may have been processed" not in str(caught.value)


@pytest.mark.parametrize("method", [READ, WRITE])
def test_retries_zero_disables_retries(world: dict, method: str) -> None:
    inject(world, "http_429", method)
    result = run_cli(
        ["cdek", method, "--uuid", world["order"], "--token", world["token"], "--retries", "0"]
    )
    assert result.exit_code == 1
    assert seen(world, method) == 1


def test_several_faults_in_a_row_are_retried_with_back_off(world: dict) -> None:
    control(
        world["sandbox"],
        "faults",
        {"kind": "http_503", "count": 3, "path": f"/orders/{world['order']}$"},
    )
    started = time.monotonic()
    result = run_cli(["cdek", READ, "--uuid", world["order"], "--token", world["token"]])
    assert result.exit_code == 0, result.stderr
    assert seen(world, READ) == 4
    assert time.monotonic() - started >= 1.0  # 0 s, then 0.5·2¹ and 0.5·2² minus nothing


def test_retry_after_is_honoured(world: dict) -> None:
    control(
        world["sandbox"],
        "faults",
        {"kind": "http_429", "retry_after": 1, "path": f"/orders/{world['order']}$"},
    )
    started = time.monotonic()
    result = run_cli(["cdek", READ, "--uuid", world["order"], "--token", world["token"]])
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started >= 1.0
    assert seen(world, READ) == 2


def test_retry_after_beyond_the_deadline_is_not_waited_for(world: dict) -> None:
    control(
        world["sandbox"],
        "faults",
        {"kind": "http_429", "retry_after": 30, "path": f"/orders/{world['order']}$"},
    )
    started = time.monotonic()
    result = run_cli(
        ["cdek", READ, "--uuid", world["order"], "--token", world["token"], "--timeout", "2"]
    )
    assert result.exit_code == 1
    assert "429" in result.stderr
    assert time.monotonic() - started < 2
    assert seen(world, READ) == 1
