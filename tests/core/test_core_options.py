"""``--timeout`` and ``--retries`` (``timeout=``/``retries=`` in the library) are checked by
one path before anything is sent: a value that is not finite, or out of its sane range, is a
usage error naming the option, never a write sent and then an internal error."""

from __future__ import annotations

import math

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import UsageError
from oint_core.dispatcher import MAX_RETRIES, MAX_TIMEOUT
from oint_core.testing import run_cli

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(f"/v2/orders/{ORDER}/refusal").respond_with_json(
        {"entity": {"uuid": ORDER}, "requests": []}, status=202
    )
    return httpserver


def refuse(*core: str):  # noqa: ANN201
    return run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", "t-1234567890", *core])


BAD_TIMEOUTS = [
    "inf",
    "Infinity",
    "nan",
    "-1",
    "0",
    "1e9",
    "86400.5",
    "abc",
    "1_0",
    "0x10",
    "",
    "٣",
    "５",
]


@pytest.mark.parametrize("value", BAD_TIMEOUTS)
def test_a_bad_timeout_is_a_usage_error_and_nothing_is_sent(cdek: HTTPServer, value: str) -> None:
    result = refuse("--timeout", value)
    assert result.exit_code == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "--timeout" in line and repr(value) in line
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert cdek.log == []


@pytest.mark.parametrize("value", ["-1", str(MAX_RETRIES + 1), "1.5", "١", "1_0", "many"])
def test_bad_retries_are_a_usage_error_and_nothing_is_sent(cdek: HTTPServer, value: str) -> None:
    result = refuse("--retries", value)
    assert result.exit_code == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "--retries" in line
    assert cdek.log == []


@pytest.mark.parametrize("value", ["0.5", "30", "+2.5e1", str(int(MAX_TIMEOUT))])
def test_a_sane_timeout_is_taken(cdek: HTTPServer, value: str) -> None:
    result = refuse("--timeout", value, "--retries", "0")
    assert result.exit_code == 0, result.stderr
    assert len(cdek.log) == 1


@pytest.mark.parametrize(
    "timeout", [math.inf, -math.inf, math.nan, 0, -5, MAX_TIMEOUT * 2, True, "10", None]
)
def test_the_library_refuses_the_same_timeouts(cdek: HTTPServer, timeout: object) -> None:
    if timeout is None:  # the default: taken
        oint_core.dispatch("cdek", "CreateRefusal", token="t-1234567890", uuid=ORDER)
        assert len(cdek.log) == 1
        return
    with pytest.raises(UsageError, match="timeout"):
        oint_core.dispatch(
            "cdek", "CreateRefusal", token="t-1234567890", uuid=ORDER, timeout=timeout
        )
    assert cdek.log == []


@pytest.mark.parametrize("retries", [-1, MAX_RETRIES + 1, 1.0, True, "3", math.inf])
def test_the_library_refuses_the_same_retries(cdek: HTTPServer, retries: object) -> None:
    with pytest.raises(UsageError, match="retries"):
        oint_core.dispatch(
            "cdek", "CreateRefusal", token="t-1234567890", uuid=ORDER, retries=retries
        )
    assert cdek.log == []
