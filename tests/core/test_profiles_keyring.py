"""A profile's password from the system keyring: ``password = {keyring = "SERVICE"}``.

The keyring here is a real ``keyring`` backend kept in this process's memory (set with
``keyring.set_keyring``), so no system service is needed; only in-process tests use it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oint_core
from oint_cdek.auth import forget_tokens
from oint_cdek.sandbox.config import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

keyring = pytest.importorskip("keyring")
backend = pytest.importorskip("keyring.backend")
errors = pytest.importorskip("keyring.errors")


class MemoryKeyring(backend.KeyringBackend):  # type: ignore[misc]
    """A keyring that lives in a dict: what a test stores is what it reads back."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.asked: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.asked.append((service, username))
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with start_sandbox() as running:
        monkeypatch.setenv("OINT_CDEK_BASE_URL", running.base_url)
        forget_tokens()
        yield running
        forget_tokens()


def use_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("OINT_CONFIG", str(path))
    return path


SHOP = f"""\
[profile.shop.cdek]
account = "{TEST_ACCOUNT}"
password = {{ keyring = "oint-cdek" }}
"""


def test_a_password_from_the_keyring_gets_a_token(
    memory_keyring: MemoryKeyring,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    use_config(monkeypatch, tmp_path, SHOP)
    memory_keyring.set_password("oint-cdek", "shop", TEST_SECURE_PASSWORD)
    # GetToken's --pass reads OINT_CDEK_PASSWORD, which the profile gives from the keyring.
    answer: Any = oint_core.dispatch("cdek", "GetToken", profile="shop")
    assert answer["access_token"]
    # A method given no token fetches one with the profile's account and keyring password.
    regions = oint_core.dispatch("cdek", "GetRegionsList", profile="shop", size=1)
    assert isinstance(regions, list)
    assert ("oint-cdek", "shop") in memory_keyring.asked


def test_the_keyring_user_may_be_named_and_the_environment_still_wins(
    memory_keyring: MemoryKeyring,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    use_config(monkeypatch, tmp_path, SHOP.replace('"oint-cdek" }', '"svc", username = "me" }'))
    memory_keyring.set_password("svc", "me", TEST_SECURE_PASSWORD)
    assert oint_core.dispatch("cdek", "GetToken", profile="shop")["access_token"]
    memory_keyring.asked.clear()
    monkeypatch.setenv("OINT_CDEK_PASSWORD", "not-the-password")
    with pytest.raises(oint_core.ApiError):
        oint_core.dispatch("cdek", "GetToken", profile="shop")
    assert memory_keyring.asked == []  # the environment's value: the keyring is not asked


def test_a_password_missing_from_the_keyring_says_how_to_store_it(
    memory_keyring: MemoryKeyring,
    sandbox: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    path = use_config(monkeypatch, tmp_path, SHOP)
    with pytest.raises(oint_core.UsageError) as caught:
        oint_core.dispatch("cdek", "GetToken", profile="shop")
    message = str(caught.value)
    assert f"password of profile shop in {path}" in message
    assert "keyring set oint-cdek shop" in message


def test_a_keyring_that_fails_is_one_usage_error(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_config(monkeypatch, tmp_path, SHOP)

    def broken(service: str, username: str) -> str:
        raise errors.KeyringLocked("the keyring is locked\nplease unlock it")

    monkeypatch.setattr(memory_keyring, "get_password", broken)
    with pytest.raises(oint_core.UsageError, match="cannot be read: KeyringLocked: the keyring"):
        oint_core.dispatch("cdek", "GetToken", profile="shop")


def test_without_the_keyring_package_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    """A real process in which ``import keyring`` fails, as where the extra is not installed."""
    path = tmp_path / "config.toml"
    path.write_text(SHOP, encoding="utf-8")
    path.chmod(0o600)
    code = (
        "import sys; sys.modules['keyring'] = None\n"
        "from oint_core.cli import main\n"
        "sys.argv = ['oint', 'cdek', 'GetToken', '--profile', 'shop']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "OINT_CONFIG": str(path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("oint: usage error: password of profile shop in")
    assert "keyring package is not installed: pip install 'oint[keyring]'" in line
