"""``oint sandbox cdek``: added by the CDEK plugin, prints where it listens, stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from oint_core.testing import run_cli

from .conftest import loopback_session, token_answer


def oint_command() -> list[str]:
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]


@pytest.mark.posix  # signals
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_on_a_free_port_and_stops_on_a_signal(stop: signal.Signals) -> None:
    process = subprocess.Popen(
        [*oint_command(), "sandbox", "cdek", "--port", "0", "--account", "shop-1:pa55-word"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("OINT_CDEK_BASE_URL=http://127.0.0.1:")
        base_url = first.split("=", 1)[1]
        assert base_url.endswith("/v2") and not base_url.endswith(":0/v2")
        answer = token_answer(loopback_session(), base_url, "shop-1", "pa55-word")
        assert answer.status_code == 200  # the extra account given with --account works
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0
    assert "Traceback" not in stderr


def test_the_sandbox_command_comes_from_the_plugin_hook() -> None:
    result = run_cli(["--help"])
    assert "sandbox" in result.stdout
    listing = run_cli(["sandbox", "--help"])
    assert listing.exit_code == 0 and "cdek" in listing.stdout


def test_a_malformed_extra_account_is_a_usage_error() -> None:
    result = run_cli(["sandbox", "cdek", "--port", "0", "--account", "no-colon"])
    assert result.exit_code == 2
    assert "--account" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "fast"])
def test_a_webhook_time_scale_that_is_not_above_zero_is_a_usage_error(value: str) -> None:
    result = run_cli(["sandbox", "cdek", "--port", "0", "--webhook-time-scale", value])
    assert result.exit_code == 2
    assert "--webhook-time-scale" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_non_loopback_address_is_warned_about_and_a_failed_bind_is_one_clean_line() -> None:
    """192.0.2.1 (TEST-NET-1) is no address of this machine: nothing is bound or sent."""
    result = run_cli(["sandbox", "cdek", "--host", "192.0.2.1", "--port", "0"])
    assert result.exit_code == 1
    warning, error = result.stderr.strip().splitlines()
    assert "not a loopback address" in warning and "no authentication" in warning
    assert error.startswith("oint: error: cannot listen on 192.0.2.1:0")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.posix  # signals
def test_a_loopback_address_gets_no_warning() -> None:
    process = subprocess.Popen(
        [*oint_command(), "sandbox", "cdek", "--host", "127.0.0.2", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("OINT_CDEK_BASE_URL=http://127.0.0.2:")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert "warning" not in stderr
