"""Test-wide isolation: no real CDEK host, no user token, a fresh plugin registry per test."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

import oint_cdek
import oint_core
from oint_core.registry import reset_default_registry

CHECKOUT = Path(__file__).resolve().parents[1]


def _origin(module: object) -> Path:
    return Path(str(getattr(module, "__file__", ""))).resolve().parent


def pytest_report_header() -> str:
    return f"oint under test: {_origin(oint_core)}, {_origin(oint_cdek)}"


def pytest_configure(config: pytest.Config) -> None:
    """With OINT_TEST_INSTALLED=1 (CI), the suite must test the installed package: running it
    against the checkout by mistake would hide a module missing from the wheel."""
    if os.environ.get("OINT_TEST_INSTALLED") != "1":
        return
    for module in (oint_core, oint_cdek):
        if CHECKOUT in _origin(module).parents or _origin(module) == CHECKOUT:
            raise pytest.UsageError(
                f"OINT_TEST_INSTALLED=1 but {module.__name__} was imported from the checkout"
                f" ({_origin(module)}); run pytest from outside it with --import-mode=importlib"
            )


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
