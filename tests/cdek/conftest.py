"""Fixtures for testing against the CDEK sandbox over real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A session that ignores proxy variables: sandbox traffic must stay on 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox per test (short processing delay), stopped afterwards."""
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as running:
        yield running


def get_token(
    sandbox: RunningSandbox,
    session: requests.Session | None = None,
    client_id: str = TEST_ACCOUNT,
    client_secret: str = TEST_SECURE_PASSWORD,
) -> str:
    """Ask ``sandbox`` for an access token the way CDEK documents it (form body)."""
    session = session or requests.Session()
    session.trust_env = False
    answer = session.post(
        f"{sandbox.base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture
def sandbox_token(sandbox: RunningSandbox, http: requests.Session) -> str:
    """A valid access token for the ``sandbox`` fixture's default (CDEK test) account."""
    return get_token(sandbox, http)


@pytest.fixture
def cdek_server(httpserver, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """A local HTTP server standing in for CDEK that answers ``{"ok": true}`` to anything."""
    import re

    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(re.compile("^/v2/")).respond_with_json({"ok": True})
    return httpserver


@pytest.fixture(autouse=True)
def _no_tokens_between_tests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tokens held in memory or configured in code never leak from one test to the next."""
    from oint_cdek import auth

    auth.forget_tokens()
    monkeypatch.setattr(auth, "_configured", None)
    yield
    auth.forget_tokens()


def sandbox_log(sandbox: RunningSandbox) -> list[dict]:
    """Every /v2 request the sandbox saw, oldest first."""
    session = requests.Session()
    session.trust_env = False
    return session.get(f"{sandbox.root_url}/_sandbox/requests", timeout=5).json()


def token_fetches(sandbox: RunningSandbox) -> int:
    return sum(1 for r in sandbox_log(sandbox) if r["path"] == "/v2/oauth/token")
