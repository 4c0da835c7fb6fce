"""Every CDEK method works on the sandbox, through the CLI and the library; print-and-download,
the helper CDEK's asynchronous model calls for, does what it says (all pages: test_paging)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oint_core
from oint_cdek.docs_examples import World
from oint_cdek.plugin import PROVIDER
from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import start_sandbox
from oint_core import Kind, TransportError
from oint_core.testing import run_cli

METHODS = PROVIDER.load_methods()

BY_NAME = {m.name: m for m in METHODS}


def cli_text(kind: Kind, value: Any) -> str:
    """A Python value as a user would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One sandbox for the whole module, with the entities the examples need."""
    with start_sandbox(SandboxConfig(processing_delay=0.0)) as sandbox:
        yield World(sandbox.base_url)


@pytest.fixture
def on_world(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", world.base)
    return world


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_through_the_library(on_world: World, name: str) -> None:
    result = oint_core.dispatch("cdek", name, **on_world.params(name))
    if BY_NAME[name].returns_binary(on_world.params(name)):
        assert isinstance(result, bytes) and result[:4] in (b"%PDF", b"PK\x03\x04")
    else:
        assert isinstance(result, (dict, list))


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_through_the_cli(on_world: World, name: str, tmp_path: Path) -> None:
    method = BY_NAME[name]
    values = on_world.params(name)
    args = ["cdek", name]
    for param in method.params:
        if param.keyword in values:
            args += [param.option, cli_text(param.kind, values[param.keyword])]
    if method.returns_binary(values):
        args += ["--out", str(tmp_path / "result.bin")]
    result = run_cli(args)
    assert result.exit_code == 0, f"{name}: {result.stderr}"
    if method.returns_binary(values):
        assert (tmp_path / "result.bin").read_bytes()[:4] in (b"%PDF", b"PK\x03\x04")
    else:
        assert isinstance(json.loads(result.stdout), (dict, list))


# -- print and download ------------------------------------------------------------------------


def test_print_receipt_writes_a_real_pdf(on_world: World, tmp_path: Path) -> None:
    waybill = tmp_path / "waybill.pdf"
    result = run_cli(
        [
            "cdek",
            "PrintReceipt",
            "--uuids",
            on_world.order,
            "--out",
            str(waybill),
            "--token",
            on_world.token,
        ]
    )
    assert result.exit_code == 0, result.stderr
    data = waybill.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in data


def test_print_barcode_returns_bytes_to_the_library(on_world: World) -> None:
    data = oint_core.dispatch(
        "cdek", "PrintBarcode", token=on_world.token, uuid_array=[on_world.order], format="A6"
    )
    assert data.startswith(b"%PDF-")


def test_a_form_that_ends_invalid_is_a_clear_error(on_world: World, tmp_path: Path) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = run_cli(
        [
            "cdek",
            "PrintReceipt",
            "--uuids",
            unknown,
            "--out",
            str(tmp_path / "x.pdf"),
            "--token",
            on_world.token,
        ]
    )
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "ended INVALID" in line
    assert not (tmp_path / "x.pdf").exists()


def test_a_form_not_ready_in_time_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sandbox takes 30 s to process anything: the form is still ACCEPTED when --wait ends.
    with start_sandbox(SandboxConfig(processing_delay=30)) as sandbox:
        monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
        token = oint_core.dispatch("cdek", "GetToken", account=_account(), password=_secret())
        started = time.monotonic()
        with pytest.raises(TransportError, match=r"is still ACCEPTED after 0.6 s"):
            oint_core.dispatch(
                "cdek",
                "PrintReceipt",
                token=token["access_token"],
                uuid_array=["00000000-0000-4000-8000-000000000000"],
                wait=0.6,
            )
        assert time.monotonic() - started < 3


def _account() -> str:
    from oint_cdek.sandbox.app import TEST_ACCOUNT

    return TEST_ACCOUNT


def _secret() -> str:
    from oint_cdek.sandbox.app import TEST_SECURE_PASSWORD

    return TEST_SECURE_PASSWORD
