"""Test-wide isolation: no real CDEK host, no user token, a fresh plugin registry per test."""

from __future__ import annotations

import socket

import pytest

from oint_core.registry import reset_default_registry


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    # Any test that forgets to point at a local server hits a closed loopback port,
    # never the internet.
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    for name in (
        "OINT_CDEK_TOKEN",
        "OINT_CDEK_ACCOUNT",
        "OINT_CDEK_PASSWORD",
        "OINT_PLUGINS_STRICT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    reset_default_registry()
    yield
    reset_default_registry()
