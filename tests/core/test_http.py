"""The HTTP layer's rules: no credentials over plain http beyond loopback, no proxy for
loopback, redirects reported not followed, nothing sent past the deadline, malformed tokens
refused unshown; INVALID 2xx; warnings."""

from __future__ import annotations

import json
import time

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import ApiError, TransportError, UsageError
from oint_core.http import HttpClient, display_url, host_of, is_loopback
from oint_core.redact import Redactor
from oint_core.testing import run_cli

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-TRANSPORT-123456"
PATH = f"/v2/orders/{ORDER}/refusal"


@pytest.mark.parametrize(
    "base", ["http://example.com/v2", "http://10.0.0.5:8080/v2", "http://[2001:db8::1]/v2"]
)
def test_credentials_are_never_sent_over_plain_http_beyond_loopback(monkeypatch, base) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", base)
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "refusing to send credentials over plain http://" in line
    assert TOKEN not in line
    with pytest.raises(UsageError, match="plain http"):
        oint_core.dispatch("cdek", "GetToken", account="a", password="p-123456")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("128.0.0.1", False),
    ],
)
def test_loopback_is_127_slash_8_and_localhost(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("url", "shown", "host"),
    [
        ("http://u:pw-77@h:1/x", "http://***@h:1/x", "h:1"),
        ("http://u:pw-77@[::1", "http://***@[::1", "[::1"),  # urlsplit: ValueError
        ("http://u:pw-77@h:99999", "http://***@h:99999", "h:99999"),
        ("u:pw-77@proxy:3128", "***@proxy:3128", "***@proxy:3128"),  # no scheme: no host
        ("http://[::1/v2", "http://[::1/v2", "[::1"),
        ("http://h/a@b", "http://h/a@b", "h"),
        ("", "", ""),
    ],
)
def test_urls_are_shown_without_credentials_whatever_the_text(
    url: str, shown: str, host: str
) -> None:
    assert display_url(url) == shown
    assert host_of(url) == host


def test_a_malformed_proxy_url_is_a_usage_error_without_its_password(cdek) -> None:
    config = json.dumps({"proxy": "http://u:pw-7788@[::1"})
    result = run_cli(["cdek", "GetRegionsList", "--token", TOKEN, "--config", config])
    assert result.exit_code == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert "--config proxy: 'http://***@[::1' is not an http:// or https:// proxy URL" in line
    assert "pw-7788" not in line and cdek.log == []


@pytest.mark.parametrize("base", ["http://[::1/v2", "ftp://127.0.0.1/v2", "127.0.0.1:8080/v2"])
def test_a_malformed_base_url_is_a_usage_error_naming_the_setting(
    cdek, monkeypatch, base: str
) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", base)
    result = run_cli(["cdek", "GetRegionsList", "--token", TOKEN])
    assert result.exit_code == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("oint: usage error: OINT_CDEK_BASE_URL: ")
    assert cdek.log == []
    with pytest.raises(UsageError, match="OINT_CDEK_BASE_URL"):
        oint_core.dispatch("cdek", "GetToken", account="a", password="p-123456")


def envelope(state: str, errors=(), warnings=()) -> dict:
    return {
        "entity": {"uuid": ORDER},
        "requests": [
            {
                "request_uuid": "r-1",
                "type": "CREATE_REFUSAL",
                "state": state,
                "errors": list(errors),
                "warnings": list(warnings),
            }
        ],
    }


def test_a_2xx_write_whose_request_is_invalid_is_an_error_and_not_repeated(cdek) -> None:
    busy = {"code": "v2_similar_request_still_processed", "message": "Подождите"}
    cdek.expect_request(f"/v2/orders/{ORDER}/refusal").respond_with_json(
        envelope("INVALID", errors=[busy]), status=202
    )
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "v2_similar_request_still_processed" in line and "try again later" in line
    assert json.loads(result.stdout)["requests"][0]["state"] == "INVALID"
    assert len(cdek.log) == 1
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateRefusal", uuid=ORDER, token=TOKEN)
    assert caught.value.codes == ["v2_similar_request_still_processed"]


def test_an_error_status_carries_the_services_whole_error_text(cdek) -> None:
    """CDEK's messages can be long (field lists, limits): none is cut, in str(ApiError) or on
    the CLI's one stderr line; only the line breaks inside a message are folded."""
    long = "Поле recipient.phones[0].number заполнено неверно: " + "ожидается +7XXXXXXXXXX; " * 12
    errors = [
        {"code": "v2_field_is_empty", "message": long + "\nконец"},
        {"code": "v2_x", "message": "b"},
    ]
    cdek.expect_request(f"/v2/orders/{ORDER}").respond_with_json({"errors": errors}, status=400)
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, token=TOKEN)
    whole = " ".join((long + " конец").split())
    assert f"v2_field_is_empty: {whole}; v2_x: b" in str(caught.value)
    result = run_cli(["cdek", "GetOrder", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert whole in line


def test_a_read_showing_an_old_invalid_request_is_still_a_result(cdek) -> None:
    cdek.expect_request(f"/v2/orders/{ORDER}").respond_with_json(
        envelope("INVALID", errors=[{"code": "v2_x", "message": "old"}])
    )
    assert run_cli(["cdek", "GetOrder", "--uuid", ORDER, "--token", TOKEN]).exit_code == 0


def test_warnings_of_a_success_go_to_stderr_one_line_each(cdek) -> None:
    body = envelope(
        "ACCEPTED",
        warnings=[
            {"code": "v2_cost_change_by_weight", "message": "Стоимость изменена"},
            {"code": "v2_late_intake", "message": "Поздний забор"},
        ],
    )
    cdek.expect_request(f"/v2/orders/{ORDER}/refusal").respond_with_json(body, status=202)
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == body  # stdout unchanged
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "oint: warning: cdek CreateRefusal: v2_cost_change_by_weight: Стоимость изменена"
    )
    assert "v2_late_intake" in lines[1]


@pytest.fixture
def proxy(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """A 'proxy' on loopback that refuses everything: it only records what reached it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", httpserver.url_for("/"))
    monkeypatch.setenv("HTTP_PROXY", httpserver.url_for("/"))
    httpserver.no_handler_status_code = 502
    return httpserver


def test_loopback_is_never_sent_through_a_proxy(proxy: HTTPServer, monkeypatch) -> None:
    from pytest_httpserver import HTTPServer as Server

    with Server(host="127.0.0.1") as cdek:
        cdek.expect_request(f"/v2/orders/{ORDER}").respond_with_json({"entity": {"uuid": ORDER}})
        monkeypatch.setenv("OINT_CDEK_BASE_URL", cdek.url_for("/v2"))
        result = run_cli(["cdek", "GetOrder", "--uuid", ORDER, "--token", TOKEN])
        assert result.exit_code == 0, result.stderr
        assert len(cdek.log) == 1
    assert proxy.log == []


def test_other_hosts_use_the_environments_proxy(proxy: HTTPServer, monkeypatch) -> None:
    # The proxy is on this machine and refuses the tunnel: nothing leaves the machine.
    monkeypatch.delenv("OINT_CDEK_BASE_URL")
    result = run_cli(["cdek", "GetOrder", "--uuid", ORDER, "--token", TOKEN, "--retries", "0"])
    assert result.exit_code == 3
    [(request, _)] = proxy.log
    assert request.method == "CONNECT"
    assert request.environ["REQUEST_URI"] == "api.cdek.ru:443"  # the tunnel asked for


@pytest.mark.posix  # ~/.netrc and its file mode
def test_a_netrc_entry_for_the_host_does_not_replace_the_credentials(
    cdek: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """requests reads ~/.netrc when a request has no auth of its own and lets an entry for
    the host overwrite the Authorization header; oint's bearer token must win, and the token
    request must not carry the netrc password."""
    host = cdek.url_for("/").split("//")[1].split(":")[0]
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login someone password netrc-secret-42\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    cdek.expect_request(f"/v2/orders/{ORDER}/refusal").respond_with_json(
        envelope("ACCEPTED"), status=202
    )
    cdek.expect_request("/v2/oauth/token").respond_with_json(
        {"access_token": "tok-X-1234567", "expires_in": 3600}
    )
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    oint_core.dispatch("cdek", "GetToken", account="acc", password="pass-123456")
    refusal, token_request = (request for request, _ in cdek.log)
    assert refusal.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in token_request.headers


def test_a_redirect_is_reported_not_followed(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}
    )
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 1
    assert "302" in result.stderr and "not followed" in result.stderr
    assert len(cdek.log) == 1


def test_nothing_is_sent_once_the_deadline_has_passed(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH).respond_with_json({})
    client = HttpClient(service="cdek", redactor=Redactor(), timeout=0.05)
    time.sleep(0.1)
    with pytest.raises(TransportError, match="nothing was sent"):
        client.request("POST", cdek.url_for(PATH), bearer=TOKEN)
    assert cdek.log == []


@pytest.mark.parametrize("token", ["two words-12345", "line-break-12345\n", "кириллица-12345"])
def test_a_malformed_token_is_refused_without_showing_it(cdek, token: str) -> None:
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", token])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "token is malformed" in line
    for part in token.split():
        assert part not in line
    assert cdek.log == []
