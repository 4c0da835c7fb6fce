"""Hostile servers (issue 13, items 1, 2, 3 and the HTTP parts of 9): the core's HTTP layer
keeps its promises whatever the server does.

Each case runs the CLI (in-process, or as a process where stdout's real encoding or the peak
memory matters) and the library, and checks the exit code or exception, the time against
the deadline (generous margins), the one stderr line, no traceback, no secret, and how many
requests reached the server.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import ApiError, TransportError, UsageError
from oint_core.testing import run_cli

from ..conftest import closed_port
from .conftest import (
    HostileServer,
    bomb,
    endless_body,
    raw,
    respond,
    run_oint,
    slow_body,
    slow_headers,
)

pytestmark = pytest.mark.posix  # run_oint measures peak memory with wait4

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
FORM = "0b6c1f5e-35c7-4d3e-9a8b-6c0d2e1f4a57"
TOKEN = "tok-HOSTILE-123456"
PASSWORD = "pw-HOSTILE-secret"
DEADLINE = 2.0
MARGIN = 1.5  # time beyond the deadline a call may take to stop (generous on a busy CI box)
READ, WRITE = "GetOrder", "CreateRefusal"
PATH = {READ: f"/orders/{ORDER}$", WRITE: "/refusal$"}


def cli(method: str, *extra: str) -> Any:
    return run_cli(["cdek", method, "--uuid", ORDER, "--token", TOKEN, *extra])


def library(method: str, **options: Any) -> Any:
    return oint_core.dispatch("cdek", method, uuid=ORDER, token=TOKEN, **options)


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert TOKEN not in stderr and PASSWORD not in stderr
    return lines[0]


def strict_json(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


# -- 1. the deadline bounds the whole call, bytes in flight included ----------------------

SLOW = {"headers": slow_headers, "body": slow_body}


@pytest.mark.parametrize("method", [READ, WRITE])
@pytest.mark.parametrize("slowness", sorted(SLOW))
def test_a_slow_answer_ends_at_the_deadline_cli(
    hostile: HostileServer, method: str, slowness: str
) -> None:
    hostile.on(PATH[method], SLOW[slowness](0.2))
    started = time.monotonic()
    result = cli(method, "--timeout", str(DEADLINE))
    elapsed = time.monotonic() - started
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert "did not answer in time: the call's 2 s deadline passed" in line
    # A write went out: whether CDEK processed it is unknown, and the line says so.
    assert ("may have been processed" in line) is (method == WRITE)
    assert "nothing was sent" not in line
    assert DEADLINE - 0.2 < elapsed < DEADLINE + MARGIN
    assert hostile.seen(PATH[method]) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("method", [READ, WRITE])
@pytest.mark.parametrize("slowness", sorted(SLOW))
def test_a_slow_answer_ends_at_the_deadline_library(
    hostile: HostileServer, method: str, slowness: str
) -> None:
    hostile.on(PATH[method], SLOW[slowness](0.2))
    started = time.monotonic()
    with pytest.raises(TransportError, match="deadline passed") as caught:
        library(method, timeout=DEADLINE)
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert ("may have been processed" in str(caught.value)) is (method == WRITE)
    assert hostile.seen(PATH[method]) == 1


def test_a_slow_token_endpoint_ends_at_the_deadline(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", "account-1")
    monkeypatch.setenv("OINT_CDEK_PASSWORD", PASSWORD)
    hostile.on("/oauth/token$", slow_headers(0.2))
    started = time.monotonic()
    result = run_cli(["cdek", READ, "--uuid", ORDER, "--timeout", str(DEADLINE)])
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert result.exit_code == 3
    assert "deadline passed" in one_line(result.stderr)
    started = time.monotonic()
    with pytest.raises(TransportError, match="deadline passed") as caught:
        oint_core.dispatch("cdek", READ, uuid=ORDER, timeout=DEADLINE)
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert PASSWORD not in str(caught.value)
    assert hostile.seen("/oauth/token$") == 2  # one per call: a token POST is not retried
    assert hostile.seen(PATH[READ]) == 0


def test_a_call_waiting_for_another_calls_token_fetch_keeps_its_own_deadline(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads of one account share one token fetch; one with a shorter deadline does not
    wait past it for the fetch of one with a longer deadline."""
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", "account-2")
    monkeypatch.setenv("OINT_CDEK_PASSWORD", PASSWORD)
    hostile.on("/oauth/token$", slow_headers(0.2))

    def call(timeout: float) -> Any:
        return oint_core.dispatch("cdek", READ, uuid=ORDER, timeout=timeout)

    slow_call = threading.Thread(target=pytest.raises, args=(TransportError, call, DEADLINE * 3))
    slow_call.start()
    for _ in range(500):
        if hostile.seen("/oauth/token$"):
            break  # the slow call holds the account's lock now
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(TransportError, match="another call was fetching the CDEK token"):
        call(DEADLINE / 2)
    assert time.monotonic() - started < DEADLINE / 2 + MARGIN
    slow_call.join()
    assert hostile.seen("/oauth/token$") == 1


def print_form_server(hostile: HostileServer) -> None:
    created = {"entity": {"uuid": FORM}, "requests": [{"state": "ACCEPTED", "errors": []}]}
    hostile.on("/print/orders$", respond(202, json.dumps(created).encode()))
    polled = {"entity": {"uuid": FORM, "statuses": [{"code": "PROCESSING"}]}}
    hostile.on(f"/print/orders/{FORM}$", respond(200, json.dumps(polled).encode()))


def test_print_receipt_polls_within_the_deadline_and_says_the_request_was_sent(
    hostile: HostileServer, tmp_path: Path
) -> None:
    print_form_server(hostile)
    started = time.monotonic()
    result = run_cli(
        [
            "cdek",
            "PrintReceipt",
            "--uuids",
            ORDER,
            "--token",
            TOKEN,
            "--timeout",
            str(DEADLINE),
            "--out",
            str(tmp_path / "receipt.pdf"),
        ]
    )
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert f"print form {FORM} is still PROCESSING at the call's deadline" in line
    assert "the print request was accepted" in line and "nothing was sent" not in line
    assert hostile.seen("/print/orders$") == 1
    assert hostile.seen(f"/print/orders/{FORM}$") >= 2
    started = time.monotonic()
    with pytest.raises(TransportError, match="the print request was accepted"):
        oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[ORDER], token=TOKEN, timeout=2)
    assert time.monotonic() - started < DEADLINE + MARGIN
    assert hostile.seen("/print/orders$") == 2


# -- 3. a cap on raw and decoded bodies -----------------------------------------------------


def test_a_gzip_bomb_is_refused_in_bounded_memory(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.on(PATH[READ], bomb())
    result = run_oint(
        "cdek", READ, "--uuid", ORDER, "--token", TOKEN, "--timeout", "30", tmp=tmp_path
    )
    assert result.code == 3, result.stderr
    line = one_line(result.stderr)
    assert "answered with a body over 64 MiB, refused (raise OINT_MAX_BODY)" in line
    assert result.stdout == ""
    assert result.peak_rss_mb < 200, f"peak RSS {result.peak_rss_mb:.0f} MB"
    assert hostile.seen(PATH[READ]) == 1


def test_a_gzip_bomb_is_refused_by_the_library(hostile: HostileServer) -> None:
    hostile.on(PATH[WRITE], bomb())
    with pytest.raises(TransportError, match="over 64 MiB") as caught:
        library(WRITE)
    assert "the POST was sent and may have been processed" in str(caught.value)
    assert hostile.seen(PATH[WRITE]) == 1


@pytest.mark.parametrize("method", [READ, WRITE])
def test_a_body_declared_over_the_cap_is_refused_unread(
    hostile: HostileServer, method: str
) -> None:
    hostile.on(PATH[method], endless_body(declare=100 << 30))
    started = time.monotonic()
    result = cli(method)
    assert time.monotonic() - started < 5
    assert result.exit_code == 3
    line = one_line(result.stderr)
    assert "over 64 MiB" in line
    assert ("may have been processed" in line) is (method == WRITE)
    assert hostile.seen(PATH[method]) == 1


def test_an_endless_body_stops_at_the_configured_cap(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OINT_MAX_BODY", str(1 << 20))
    hostile.on(PATH[READ], endless_body())
    result = cli(READ, "--timeout", "30")
    assert result.exit_code == 3
    assert "answered with a body over 1 MiB" in one_line(result.stderr)
    with pytest.raises(TransportError, match="over 1 MiB"):
        library(READ, timeout=30)
    assert hostile.seen(PATH[READ]) == 2


@pytest.mark.parametrize("value", ["0", "-5", "1e6", "lots"])
def test_a_bad_body_cap_is_a_usage_error_before_anything_is_sent(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OINT_MAX_BODY", value)
    result = cli(WRITE)
    assert result.exit_code == 2
    assert "OINT_MAX_BODY" in one_line(result.stderr)
    with pytest.raises(UsageError, match="OINT_MAX_BODY"):
        library(WRITE)
    assert hostile.seen() == 0


# -- 2. a lone surrogate escape in an answer ------------------------------------------------

LONE = b'{"entity": {"uuid": "' + ORDER.encode() + b'"}, "note": "\\ud83d end"}'


def test_a_lone_surrogate_in_an_accepted_write_is_reported_as_accepted(
    hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.on(PATH[WRITE], respond(202, LONE))
    result = run_oint("cdek", WRITE, "--uuid", ORDER, "--token", TOKEN, tmp=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert '"note": "\\ud83d end"' in result.stdout  # the escape, as the server sent it
    assert json.loads(result.stdout)["note"] == "\ud83d end"
    assert library(WRITE)["note"] == "\ud83d end"
    assert hostile.seen(PATH[WRITE]) == 2


def test_a_lone_surrogate_in_an_error_body_is_printed_without_a_traceback(
    hostile: HostileServer, tmp_path: Path
) -> None:
    error = b'{"errors": [{"code": "v2_bad", "message": "bad \\udc00 value"}]}'
    hostile.on(PATH[WRITE], respond(400, error))
    result = run_oint("cdek", WRITE, "--uuid", ORDER, "--token", TOKEN, tmp=tmp_path)
    assert result.code == 1
    line = one_line(result.stderr)
    assert line.startswith("oint: error: cdek answered 400") and "v2_bad: bad \\udc00" in line
    assert json.loads(result.stdout)["errors"][0]["message"] == "bad \udc00 value"
    with pytest.raises(ApiError) as caught:
        library(WRITE)
    assert caught.value.codes == ["v2_bad"]
    str(caught.value).encode("utf-8")  # the message itself prints anywhere
    assert hostile.seen(PATH[WRITE]) == 2


# -- 9. NaN, 103 Early Hints, credentials in the base URL -----------------------------------


def test_nan_and_infinity_from_a_server_become_null_with_a_warning(
    hostile: HostileServer, tmp_path: Path
) -> None:
    body = b'{"a": NaN, "b": [Infinity, -Infinity], "c": 1e999, "d": 1.5}'
    hostile.on(PATH[READ], respond(200, body))
    result = run_oint("cdek", READ, "--uuid", ORDER, "--token", TOKEN, tmp=tmp_path)
    assert result.code == 0
    assert strict_json(result.stdout) == {"a": None, "b": [None, None], "c": None, "d": 1.5}
    assert "NaN or Infinity" in one_line(result.stderr)
    assert library(READ) == {"a": None, "b": [None, None], "c": None, "d": 1.5}


EARLY_HINTS = (
    b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
    b'Connection: close\r\n\r\n{"ok": true}'
)


@pytest.mark.parametrize("method", [READ, WRITE])
def test_103_early_hints_is_not_taken_as_the_answer(hostile: HostileServer, method: str) -> None:
    hostile.on(PATH[method], raw(EARLY_HINTS.replace(b"11", b"12")))
    result = cli(method)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"ok": True}
    assert library(method) == {"ok": True}
    assert hostile.seen(PATH[method]) == 2


def test_credentials_in_the_base_url_are_never_printed(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    userinfo = "shop:hunter2"
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://{userinfo}@127.0.0.1:{hostile.port}/v2")
    hostile.on(PATH[WRITE], respond(500, b'{"errors": [{"code": "v2_internal_error"}]}'))
    result = cli(WRITE, "--debug")
    assert result.exit_code == 1
    assert "hunter2" not in result.stderr + result.stdout
    assert "> POST http://***@127.0.0.1:" in result.stderr
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://{userinfo}@127.0.0.1:{closed_port()}/v2")
    result = cli(WRITE, "--debug", "--retries", "0")
    assert result.exit_code == 3
    assert "hunter2" not in result.stderr and "shop:" not in result.stderr
    assert "connection refused by 127.0.0.1:" in result.stderr.splitlines()[-1]
    with pytest.raises(TransportError) as caught:
        library(WRITE, retries=0)
    assert "hunter2" not in str(caught.value)
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://{userinfo}@10.0.0.5/v2")
    with pytest.raises(UsageError, match="plain http") as refused:
        library(WRITE)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_the_body_is_decoded_by_oint_in_bounded_steps(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, coding: str
) -> None:
    """oint asks only for gzip and deflate, decodes them itself (a multi-member gzip and a
    raw deflate stream included), and refuses an encoding it did not ask for."""
    import gzip as gzip_module
    import zlib

    payload = json.dumps({"entity": {"uuid": ORDER}, "n": list(range(2000))}).encode()
    if coding == "gzip":
        body = gzip_module.compress(payload[:100]) + gzip_module.compress(payload[100:])
    elif coding == "deflate":
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw, as servers send
        body = packer.compress(payload) + packer.flush()
    else:
        body = b"\x8b\x00\x80"  # not asked for; cannot be read
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(f"/v2/orders/{ORDER}").respond_with_data(
        body, headers={"Content-Encoding": coding, "Content-Type": "application/json"}
    )
    if coding == "br":
        with pytest.raises(TransportError, match="cannot be decoded"):
            oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, token=TOKEN)
    else:
        assert oint_core.dispatch("cdek", "GetOrder", uuid=ORDER, token=TOKEN)["n"][-1] == 1999
    [(request, _)] = httpserver.log
    assert request.headers["Accept-Encoding"] == "gzip, deflate"


# -- 9. values a server chooses never go into a URL unchecked -------------------------------

HOSTILE_FORMS = ["../../orders/" + ORDER, "http://127.0.0.1:1/steal", FORM + "\n", 12345, ""]


@pytest.mark.parametrize("form", HOSTILE_FORMS, ids=repr)
@pytest.mark.parametrize("method", ["PrintReceipt", "PrintBarcode"])
def test_a_print_form_uuid_that_is_not_a_uuid_is_never_requested(
    hostile: HostileServer, tmp_path: Path, method: str, form: Any
) -> None:
    kind = "orders" if method == "PrintReceipt" else "barcodes"
    created = {"entity": {"uuid": form}, "requests": [{"state": "ACCEPTED", "errors": []}]}
    hostile.on(f"/print/{kind}$", respond(202, json.dumps(created).encode()))
    hostile.default = respond(200, b'{"entity": {"url": "/steal"}}')
    args = ["cdek", method, "--uuids", ORDER, "--token", TOKEN, "--out", str(tmp_path / "f.pdf")]
    result = run_cli(args)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert line.startswith("oint: error: CDEK accepted the print request")
    assert "the print request was sent and may have been processed" in line
    assert "nothing more was sent" in line and "nothing was sent" not in line
    assert ("which is not a UUID" in line) is (form != "")
    assert json.loads(result.stdout) == created
    assert not (tmp_path / "f.pdf").exists()
    with pytest.raises(ApiError, match="sent and may have been processed") as caught:
        oint_core.dispatch("cdek", method, uuid_array=[ORDER], token=TOKEN)
    assert caught.value.body == created
    assert hostile.seen(f"/print/{kind}$") == 2
    assert hostile.seen() == 2  # the two print requests, nothing else


def test_a_canonical_uuid_in_capitals_is_polled_in_lower_case(hostile: HostileServer) -> None:
    created = {"entity": {"uuid": FORM.upper()}, "requests": [{"state": "ACCEPTED"}]}
    hostile.on("/print/orders$", respond(202, json.dumps(created).encode()))
    ready = {"entity": {"uuid": FORM, "url": "file:///etc/passwd"}}
    hostile.on(f"/print/orders/{FORM}$", respond(200, json.dumps(ready).encode()))
    with pytest.raises(ApiError, match="is not an http.s. URL") as caught:
        oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[ORDER], token=TOKEN)
    assert "the print request was accepted" in str(caught.value)
    assert hostile.seen(f"/print/orders/{FORM}$") == 1
    assert hostile.seen() == 2


@pytest.mark.parametrize("link", ["file:///etc/passwd", "/print/orders/x.pdf", "http://[::1"])
def test_a_print_form_link_that_is_not_an_http_url_is_refused(
    hostile: HostileServer, tmp_path: Path, link: str
) -> None:
    print_form_server(hostile)
    ready = {"entity": {"uuid": FORM, "url": link, "statuses": [{"code": "READY"}]}}
    hostile.routes[-1] = (f"/print/orders/{FORM}$", respond(200, json.dumps(ready).encode()))
    args = ["cdek", "PrintReceipt", "--uuids", ORDER, "--token", TOKEN]
    result = run_cli([*args, "--out", str(tmp_path / "f.pdf")])
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "is not an http(s) URL" in line and "the print request was accepted" in line
    assert not (tmp_path / "f.pdf").exists()
    with pytest.raises(ApiError, match=r"is not an http\(s\) URL; nothing more was sent"):
        oint_core.dispatch("cdek", "GetReceipt", uuid=FORM, get_file=True, token=TOKEN)
    assert hostile.seen() == 3


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_terminal_escapes_from_a_server_never_reach_the_terminal(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, content_type: str
) -> None:
    """An error body with ESC sequences (a retitled terminal) or a bidi override prints as
    escapes, on stderr's line and on stdout, whatever the body's type."""
    hostile_text = "bad \x1b]0;pwned\x07 \x1b[2J \u202egnp.exe\u202c"
    body = (
        json.dumps({"errors": [{"code": "x", "message": hostile_text}]})
        if content_type == "application/json"
        else hostile_text
    )
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(f"/v2/orders/{ORDER}").respond_with_data(
        body, status=400, content_type=content_type
    )
    result = run_cli(["cdek", "GetOrder", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 1
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\u001b]0;pwned" in result.stderr
