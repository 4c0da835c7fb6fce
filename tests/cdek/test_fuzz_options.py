"""Property tests: arbitrary text in every option of every method, through the CLI runner.

Whatever the text: never a traceback, an exit code from the documented set, nothing sent
when the answer is a usage error, and never exit 0 for a value an independent check calls
invalid for its kind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import uuid as uuidlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oint_cdek.plugin import PROVIDER
from oint_core import Kind, Param
from oint_core.testing import run_cli

METHODS = PROVIDER.load_methods()

TOKEN = "tok-FUZZ-1234567890"
VALID = {
    Kind.UUID: "f1799065-01de-448c-91cf-8afe7d4c0cfc",
    Kind.INTEGER: "1",
    Kind.NUMBER: "1.5",
    Kind.DATE: "2026-03-07",
    Kind.DATETIME: "2026-03-07T10:00:00",
    Kind.BOOLEAN: "true",
    Kind.OBJECT: "{}",
    Kind.STRING: "x",
}
TRUTHY = {"true", "1", "yes", "y", "on", "false", "0", "no", "n", "off"}
EXAMPLES = int(os.environ.get("OINT_FUZZ_EXAMPLES", "12"))


def valid_text(param: Param) -> str:
    if param.kind is Kind.CHOICE:
        return param.choices[0]
    if param.kind is Kind.LIST:
        return VALID[param.items] if param.items else "RU"
    if param.name == "Wait":
        return "0.05"  # print-and-download polls at most this long against the stub server
    return VALID[param.kind]


def clearly_invalid(param: Param, text: str) -> bool:
    """An oracle written apart from oint's readers: True when the text cannot be this kind."""
    value = text.strip()
    try:
        if param.kind is Kind.UUID:
            uuidlib.UUID(value)
        elif param.kind is Kind.INTEGER:
            int(value)
        elif param.kind is Kind.NUMBER:
            return not math.isfinite(float(value))
        elif param.kind is Kind.BOOLEAN:
            return value.lower() not in TRUTHY
        elif param.kind is Kind.CHOICE:
            return value.lower() not in {c.lower() for c in param.choices}
        elif param.kind in (Kind.DATE, Kind.DATETIME):
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return False
    except ValueError:
        return not (param.kind is Kind.DATE and _is_date(value))


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


OPTIONS = [(m, p) for m in METHODS for p in m.params if p.name != "TestAPI"]


@pytest.fixture
def stub(httpserver, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(re.compile("^/v2/")).respond_with_json({"ok": True})
    return httpserver


@pytest.mark.parametrize(
    ("method", "param"), OPTIONS, ids=[f"{m.name}{p.option}" for m, p in OPTIONS]
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=40))
def test_any_text_in_any_option(stub, method, param, text: str) -> None:
    if param.name == "Wait":
        with contextlib.suppress(ValueError):  # a long valid wait would only poll longer
            assume(not 0.2 < float(text) < math.inf)
    if param.kind is Kind.BOOLEAN:
        # A boolean option's value is optional (``--all`` alone means true, as in OPI), so
        # ``--all --debug`` is the flag followed by another option, not the value "--debug".
        assume(not text.startswith("-"))
    stub.clear_log()
    args = ["cdek", method.name, param.option, text]
    for other in method.params:
        if other is not param and other.required:
            args += [other.option, valid_text(other)]
    if "--token" in {p.option for p in method.params} and param.option != "--token":
        args += ["--token", TOKEN]
    if "--wait" in {p.option for p in method.params} and param.name != "Wait":
        args += ["--wait", "0.05"]

    result = run_cli(args)

    assert result.exit_code in (0, 1, 2, 3), result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    if result.exit_code == 2:
        assert stub.log == [], "a usage error must send nothing"
        assert len(result.stderr.splitlines()) == 1
    if clearly_invalid(param, text):
        assert result.exit_code == 2, f"{param.option} {text!r} was accepted"
