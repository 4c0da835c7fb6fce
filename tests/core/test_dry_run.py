"""``--test`` (OPI's): the request a call would send is printed as JSON, secrets masked, and
nothing is sent: not the request, not a token fetch. Every test here counts what reached the
server (the sandbox's own request log, or pytest-httpserver's) over real sockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer

from oint_cdek import auth
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox
from oint_core.dryrun import describe
from oint_core.redact import Redactor
from oint_core.testing import run_cli

from .conftest import run_oint

ORDER = "72753031-1111-2222-3333-444444444444"
TOKEN = "tok-3f9a8b7c6d5e4f3a2b1c"  # long enough to be masked wherever it would appear
SHIPMENT = {
    "tariff_code": 136,
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"weight": 500, "length": 10, "width": 10, "height": 10}],
}


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as running:
        monkeypatch.setenv("OINT_CDEK_BASE_URL", running.base_url)
        yield running


def sandbox_log(sandbox: RunningSandbox) -> list[dict]:
    session = requests.Session()
    session.trust_env = False
    return session.get(f"{sandbox.root_url}/_sandbox/requests", timeout=5).json()


def token_file(sandbox: RunningSandbox) -> Path:
    path = auth.token_file(auth.cache_key(TEST_ACCOUNT, sandbox.base_url))
    assert path is not None
    return path


def test_the_request_is_printed_and_nothing_is_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    run = run_oint(
        "cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN, "--test", tmp=tmp_path
    )
    assert run.code == 0, run.stderr
    shown = json.loads(run.stdout)
    assert shown["method"] == "POST"
    assert shown["url"] == f"{sandbox.base_url}/orders/{ORDER}/refusal"
    assert shown["headers"]["Authorization"] == "Bearer ***"
    assert shown["headers"]["Accept"] == "application/json"
    assert shown["body"] is None
    assert TOKEN not in run.stdout + run.stderr
    assert "nothing was sent" in run.stderr
    assert sandbox_log(sandbox) == []


def test_a_managed_token_is_neither_fetched_nor_stored(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    account = {"OINT_CDEK_ACCOUNT": TEST_ACCOUNT, "OINT_CDEK_PASSWORD": TEST_SECURE_PASSWORD}
    args = ("cdek", "CreateRefusal", "--uuid", ORDER)
    run = run_oint(*args, "--test", tmp=tmp_path, env=account)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["headers"]["Authorization"] == "Bearer ***"
    assert TEST_SECURE_PASSWORD not in run.stdout + run.stderr
    assert sandbox_log(sandbox) == []
    assert not token_file(sandbox).exists()
    # The same command without --test fetches a token and keeps it: the checks above can fail.
    real = run_oint(*args, tmp=tmp_path, env=account)
    assert real.code == 1, real.stderr  # the sandbox has no such order; the request went out
    assert [r["path"] for r in sandbox_log(sandbox)] == [
        "/v2/oauth/token",
        f"/v2/orders/{ORDER}/refusal",
    ]
    assert token_file(sandbox).exists()


def test_without_any_token_the_usage_error_stays(sandbox: RunningSandbox, tmp_path: Path) -> None:
    run = run_oint("cdek", "CreateRefusal", "--uuid", ORDER, "--test", tmp=tmp_path)
    assert run.code == 2
    assert "no CDEK token" in run.stderr and run.stdout == ""
    assert sandbox_log(sandbox) == []


@pytest.mark.parametrize(
    "args",
    [
        ("CreateRefusal", "--uuid", "not-a-uuid"),
        ("CreateRefusal",),
        ("GetRegionsList", "--size", "many"),
        ("CalculateTariff", "--shipment", "{broken"),
    ],
)
def test_usage_errors_come_first(sandbox: RunningSandbox, args: tuple[str, ...]) -> None:
    result = run_cli(["cdek", *args, "--token", TOKEN, "--test"])
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert sandbox_log(sandbox) == []


def test_the_shown_request_is_the_one_a_real_call_sends(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Method, URL, body and every header but the masked token match what the server gets
    when the same command runs without --test."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/calculator/tariff").respond_with_json({"total_sum": 1})
    args = ["cdek", "CalculateTariff", "--shipment", json.dumps(SHIPMENT), "--token", TOKEN]
    shown_run = run_cli([*args, "--test"])
    assert shown_run.exit_code == 0, shown_run.stderr
    assert httpserver.log == []
    shown = json.loads(shown_run.stdout)

    assert run_cli(args).exit_code == 0
    [(sent, _)] = httpserver.log
    assert shown["method"] == sent.method == "POST"
    assert shown["url"] == sent.url
    assert shown["body"] == json.loads(sent.get_data()) == SHIPMENT
    received = dict(sent.headers)
    assert received.pop("Authorization") == f"Bearer {TOKEN}"
    assert shown["headers"].pop("Authorization") == "Bearer ***"
    received.pop("Host")  # added by the connection, not part of the prepared request
    assert shown["headers"] == received


def test_the_query_is_in_the_url(sandbox: RunningSandbox) -> None:
    result = run_cli(
        ["cdek", "GetRegionsList", "--token", TOKEN, "--size", "2", "--lang", "eng", "--test"]
    )
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["method"] == "GET"
    assert shown["url"].startswith(f"{sandbox.base_url}/location/regions?")
    assert "size=2" in shown["url"] and "lang=eng" in shown["url"]
    assert sandbox_log(sandbox) == []


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (("PrintReceipt", "--uuids", ORDER), ("POST", "/print/orders")),
        (("GetRegionsList", "--all", "true"), ("GET", "/location/regions?")),
    ],
)
def test_a_call_of_several_requests_shows_its_first_and_says_so(
    sandbox: RunningSandbox, args: tuple[str, ...], first: tuple[str, str]
) -> None:
    result = run_cli(["cdek", *args, "--token", TOKEN, "--test"])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["method"] == first[0]
    assert shown["url"].startswith(sandbox.base_url + first[1])
    assert "first request" in result.stderr
    assert sandbox_log(sandbox) == []


def test_the_first_page_of_all_is_page_zero(sandbox: RunningSandbox) -> None:
    result = run_cli(["cdek", "GetRegionsList", "--all", "true", "--token", TOKEN, "--test"])
    assert "page=0" in json.loads(result.stdout)["url"]


def test_a_print_request_shows_its_body(sandbox: RunningSandbox) -> None:
    result = run_cli(["cdek", "PrintReceipt", "--uuids", ORDER, "--token", TOKEN, "--test"])
    body = json.loads(result.stdout)["body"]
    assert body == {"orders": [{"order_uuid": ORDER}], "copy_count": 2, "type": "tpl_russia"}


def test_a_method_that_sends_nothing_answers_as_usual(sandbox: RunningSandbox) -> None:
    usual = run_cli(["cdek", "GetOrderDescription"])
    tested = run_cli(["cdek", "GetOrderDescription", "--test"])
    assert tested.exit_code == usual.exit_code == 0
    assert tested.stdout == usual.stdout and json.loads(tested.stdout)
    assert "sends no request" in tested.stderr
    assert sandbox_log(sandbox) == []


def test_credentials_in_the_base_url_are_masked(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "base-url-password-77"
    url = sandbox.base_url.replace("http://", f"http://someone:{password}@")
    monkeypatch.setenv("OINT_CDEK_BASE_URL", url)
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN, "--test"])
    assert result.exit_code == 0, result.stderr
    assert password not in result.stdout + result.stderr
    assert json.loads(result.stdout)["url"].startswith("http://***@127.0.0.1:")
    assert sandbox_log(sandbox) == []


def test_a_short_secret_is_masked_in_the_shown_form(sandbox: RunningSandbox) -> None:
    """The Redactor leaves secrets under 4 characters in free text; a field that is exactly
    the secret is masked however short."""
    result = run_cli(["cdek", "GetToken", "--account", "acct", "--pass", "abc", "--test"])
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)["body"]
    assert body == {"grant_type": "client_credentials", "client_id": "acct", "client_secret": "***"}
    assert sandbox_log(sandbox) == []


def test_a_short_secret_is_masked_in_a_shown_json_body() -> None:
    prepared = requests.Request(
        "POST", "http://127.0.0.1:9/x", json={"password": "ab", "list": ["ab", "abc"], "n": 1}
    ).prepare()
    shown = describe(prepared, Redactor(["ab"]), shown_url="http://127.0.0.1:9/x")
    assert shown["body"] == {"password": "***", "list": ["***", "abc"], "n": 1}


def test_the_request_goes_to_out_in_any_form(sandbox: RunningSandbox, tmp_path: Path) -> None:
    target = tmp_path / "request.json"
    args = ["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN, "--test"]
    assert run_cli([*args, "--out", str(target)]).exit_code == 0
    shown = json.loads(target.read_text(encoding="utf-8"))
    assert shown["method"] == "POST"
    hexed = run_cli([*args, "--out", "_hex_"])
    assert json.loads(bytes.fromhex(hexed.stdout.strip())) == shown
    assert sandbox_log(sandbox) == []
