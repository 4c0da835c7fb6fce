"""``--config`` (OPI's advanced call): timeout, retries, proxy and adv_response for one call,
each checked before anything is sent; ``--config`` alone lists them. Real sockets only: a
pytest-httpserver standing in for CDEK, the CDEK sandbox, and a small recording proxy."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from oint_core.testing import run_cli

from ..conftest import closed_port

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-7e6d5c4b3a2f1e0d9c8b"
SETTINGS = {"timeout", "retries", "proxy", "adv_response"}


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    return httpserver


def regions(*extra: str):  # noqa: ANN201
    return run_cli(["cdek", "GetRegionsList", "--token", TOKEN, "--size", "1", *extra])


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that records each request's head and answers it itself."""

    ANSWER = [{"region": "via proxy", "region_code": 1, "country_code": "RU", "country": "R"}]

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.heads: list[list[str]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.heads.append(data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n"))
                body = json.dumps(self.ANSWER).encode()
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    server = RecordingProxy()
    yield server
    server.close()


# -- listing -----------------------------------------------------------------------------------


def test_config_without_a_value_lists_the_settings(cdek: HTTPServer) -> None:
    result = run_cli(["cdek", "CreateRefusal", "--config"])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["method"] == "CreateRefusal"
    assert set(listed["settings"]) == SETTINGS
    assert all(s["type"] and s["description"] for s in listed["settings"].values())
    assert cdek.log == []


def test_config_without_a_value_before_other_options_still_lists(cdek: HTTPServer) -> None:
    result = run_cli(["cdek", "CreateRefusal", "--config", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    assert set(json.loads(result.stdout)["settings"]) == SETTINGS
    assert cdek.log == []


# -- checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ('{"tiemout": 5}', "'tiemout'"),
        ('{"timeout": "abc"}', "timeout"),
        ('{"timeout": 0}', "timeout"),
        ('{"timeout": true}', "timeout"),
        ('{"retries": 1.5}', "retries"),
        ('{"retries": 99}', "retries"),
        ('{"proxy": 8080}', "proxy"),
        ('{"proxy": "socks5://127.0.0.1:1080"}', "proxy"),
        ('{"proxy": "127.0.0.1:3128"}', "proxy"),
        ('{"proxy": "http://127.0.0.1:3128/some/path"}', "proxy"),
        ('{"adv_response": "yes"}', "adv_response"),
        ('{"adv_response": 1}', "adv_response"),
        ("[1, 2]", "JSON object"),
        ("{broken", "--config"),
    ],
)
def test_a_bad_setting_is_a_usage_error_naming_it(
    cdek: HTTPServer, config: str, named: str
) -> None:
    result = regions("--config", config)
    assert result.exit_code == 2, result.stdout
    [line] = result.stderr.strip().splitlines()
    assert "--config" in line and named in line
    assert cdek.log == []


def test_opi_single_quoted_settings_are_read(cdek: HTTPServer) -> None:
    cdek.expect_request("/v2/location/regions").respond_with_json([])
    result = regions("--config", "{'adv_response': true, 'timeout': 30}")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == 200


def test_a_proxy_password_never_shows_in_a_usage_error(cdek: HTTPServer) -> None:
    result = regions("--config", '{"proxy": "ftp://someone:proxy-pass-9911@host:21"}')
    assert result.exit_code == 2
    assert "proxy-pass-9911" not in result.stderr


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("{'proxy': 'http://user:hunter22@127.0.0.1:1'", "not valid JSON (line 1, column 2"),
        ("{'proxy': 'http://user:hunter22@127.0.0.1:1', 'timeout': Infinity}", "contains inf"),
    ],
)
def test_a_malformed_config_never_echoes_its_text(cdek: HTTPServer, config: str, says: str) -> None:
    """The text may hold a proxy password: the message says what is wrong, not the text."""
    result = regions("--config", config)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("oint: usage error: --config: ") and says in line
    assert "hunter22" not in line and "user" not in line


# -- adv_response ------------------------------------------------------------------------------


def test_adv_response_gives_status_headers_and_body(cdek: HTTPServer) -> None:
    body = [{"region": "Москва", "region_code": 81, "country_code": "RU", "country": "Россия"}]
    cdek.expect_request("/v2/location/regions").respond_with_json(
        body, headers={"X-Request-Id": "abc-1", "Set-Cookie": "session=secret-cookie-1"}
    )
    plain = regions()
    advanced = regions("--config", '{"adv_response": true}')
    assert plain.exit_code == advanced.exit_code == 0, advanced.stderr
    result = json.loads(advanced.stdout)
    assert set(result) == {"status", "headers", "body"}
    assert result["status"] == 200
    assert result["body"] == json.loads(plain.stdout) == body
    assert result["headers"]["X-Request-Id"] == "abc-1"
    assert result["headers"]["Content-Type"] == "application/json"
    assert result["headers"]["Set-Cookie"] == "***"
    assert "secret-cookie-1" not in advanced.stdout


def test_adv_response_of_a_write_gives_its_status(cdek: HTTPServer) -> None:
    cdek.expect_request(f"/v2/orders/{ORDER}/refusal", method="POST").respond_with_json(
        {"entity": {"uuid": ORDER}, "requests": []}, status=202
    )
    result = run_cli(
        ["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN]
        + ["--config", '{"adv_response": true}']
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == 202


def test_adv_response_of_a_file_is_base64(cdek: HTTPServer) -> None:
    pdf = b"%PDF-1.4\x00\xff binary \x1b[31m"
    form = "0f6a2a4e-3a1f-4b8c-9a52-6f0b3c2d1e0f"
    cdek.expect_request(f"/v2/print/orders/{form}").respond_with_json(
        {"entity": {"uuid": form, "url": cdek.url_for(f"/v2/print/orders/{form}.pdf")}}
    )
    cdek.expect_request(f"/v2/print/orders/{form}.pdf").respond_with_data(
        pdf, content_type="application/pdf"
    )
    args = ["cdek", "GetReceipt", "--uuid", form, "--getfile", "true", "--token", TOKEN]
    result = run_cli([*args, "--config", '{"adv_response": true}'])
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["encoding"] == "base64"
    assert base64.b64decode(answer["body"]) == pdf
    assert (answer["status"], answer["headers"]["Content-Type"]) == (200, "application/pdf")


def test_adv_response_of_a_method_that_sends_nothing(cdek: HTTPServer) -> None:
    result = run_cli(["cdek", "GetOrderDescription", "--config", '{"adv_response": true}'])
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] is None and answer["headers"] == {}
    assert answer["body"] == json.loads(run_cli(["cdek", "GetOrderDescription"]).stdout)


# -- timeout and retries -----------------------------------------------------------------------


def _slow(request: Request) -> Response:
    time.sleep(2)
    return Response("[]", content_type="application/json")


def test_the_config_timeout_bounds_the_call(cdek: HTTPServer) -> None:
    cdek.expect_request("/v2/location/regions").respond_with_handler(_slow)
    started = time.monotonic()
    result = regions("--config", '{"timeout": 0.5, "retries": 0}')
    assert result.exit_code == 3, result.stdout
    assert time.monotonic() - started < 1.9


def test_timeout_given_as_an_option_wins_over_the_config(cdek: HTTPServer) -> None:
    cdek.expect_request("/v2/location/regions").respond_with_handler(_slow)
    result = regions("--timeout", "10", "--config", '{"timeout": 0.5, "retries": 0}')
    assert result.exit_code == 0, result.stderr


def test_the_config_retries_are_used_and_the_option_wins(cdek: HTTPServer) -> None:
    cdek.expect_request("/v2/location/regions").respond_with_data("busy", status=503)
    assert regions("--config", '{"retries": 1}').exit_code == 1
    assert len(cdek.log) == 2
    cdek.clear_log()
    assert regions("--retries", "0", "--config", '{"retries": 2}').exit_code == 1
    assert len(cdek.log) == 1


# -- proxy -------------------------------------------------------------------------------------


def test_every_request_goes_through_the_proxy(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target is a closed port: an answer can only come from the proxy, which saw the
    request in the absolute form a proxy gets."""
    target = f"http://127.0.0.1:{closed_port()}/v2"
    monkeypatch.setenv("OINT_CDEK_BASE_URL", target)
    result = regions("--config", json.dumps({"proxy": proxy.url}))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == RecordingProxy.ANSWER
    [head] = proxy.heads
    assert head[0] == f"GET {target}/location/regions?page=0&size=1&lang=rus HTTP/1.1"
    assert f"Authorization: Bearer {TOKEN}" in head


def test_proxy_credentials_are_sent_to_the_proxy_and_never_printed(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    password = "proxy-secret-4242"
    url = proxy.url.replace("http://", f"http://someone:{password}@")
    result = regions("--debug", "--config", json.dumps({"proxy": url}))
    assert result.exit_code == 0, result.stderr
    [head] = proxy.heads
    expected = base64.b64encode(f"someone:{password}".encode()).decode()
    assert f"Proxy-Authorization: Basic {expected}" in head
    assert password not in result.stdout + result.stderr
    assert expected not in result.stdout + result.stderr


def test_a_proxy_that_refuses_is_named_not_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    api, dead = closed_port(), closed_port()
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{api}/v2")
    proxy = f"http://someone:proxy-secret-6464@127.0.0.1:{dead}"
    result = regions("--retries", "0", "--config", json.dumps({"proxy": proxy}))
    assert result.exit_code == 3, result.stderr
    [line] = result.stderr.splitlines()
    assert f"connection refused by the proxy 127.0.0.1:{dead}" in line
    assert f":{api}" not in line
    assert "proxy-secret-6464" not in line and "someone" not in line


def test_without_the_setting_no_proxy_is_used(proxy: RecordingProxy, cdek: HTTPServer) -> None:
    cdek.expect_request("/v2/location/regions").respond_with_json([])
    assert regions().exit_code == 0
    assert proxy.heads == [] and len(cdek.log) == 1


def test_a_dry_run_sends_nothing_to_the_proxy_either(
    proxy: RecordingProxy, cdek: HTTPServer
) -> None:
    password = "proxy-secret-5353"
    url = proxy.url.replace("http://", f"http://someone:{password}@")
    result = regions("--test", "--config", json.dumps({"proxy": url}))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["proxy"] == f"http://***@127.0.0.1:{proxy.port}"
    assert password not in result.stdout + result.stderr
    assert proxy.heads == [] and cdek.log == []


def test_the_session_keeps_no_proxy_between_calls(proxy: RecordingProxy, cdek: HTTPServer) -> None:
    """One call's proxy is that call's: the next call in the same process goes direct."""
    cdek.expect_request("/v2/location/regions").respond_with_json([])
    assert regions("--config", json.dumps({"proxy": proxy.url})).exit_code == 0
    assert regions().exit_code == 0
    assert len(proxy.heads) == 1 and len(cdek.log) == 1
