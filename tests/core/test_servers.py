"""``oint server stdio`` and ``oint server http`` as real processes, against the CDEK sandbox.

The stdio server is driven line by line through its pipes; the HTTP server over real
sockets with ``requests``. Every call reaches the sandbox, whose request log shows what was
sent (one token for many calls; a write whose connection dropped sent once, not repeated).
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import requests

from oint_cdek.testing import CdekSandbox

MISSING_ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
ORDER = {
    "number": "server-1",
    "tariff_code": 139,
    "recipient": {"name": "Тест", "phones": [{"number": "+79990000000"}]},
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"number": "1", "weight": 500}],
}
TOKEN = "test-server-token-0123456789"
WAIT = 30.0  # seconds any one answer may take before the test gives up (a hung server)


def oint(*args: str) -> list[str]:
    return [sys.executable, "-m", "oint_core", *args]


class Lines:
    """A stream's lines, read by a thread, so that a hung server fails the test."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)
        self.queue.put("")  # the end

    def next(self) -> str:
        try:
            return self.queue.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"no line within {WAIT} s")

    def rest(self) -> str:
        lines = []
        while (line := self.next()) != "":
            lines.append(line)
        return "".join(lines)


def token_requests(sandbox: CdekSandbox) -> int:
    return sum(r["path"].endswith("/oauth/token") for r in sandbox.requests())


@pytest.fixture
def order(cdek_sandbox: CdekSandbox) -> str:
    """A processed order's UUID; the request log starts empty after it."""
    created = cdek_sandbox.client().call("CreateOrder", order_description=ORDER)
    cdek_sandbox.advance(5)
    cdek_sandbox.clear_requests()
    return str(created["entity"]["uuid"])


# -- oint server stdio -----------------------------------------------------------------------


class Stdio:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            oint("server", "stdio", *args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.out = Lines(self.process.stdout)
        self.err = Lines(self.process.stderr)

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def ask(self, line: str) -> dict[str, Any]:
        self.send(line)
        answer = self.out.next()
        assert answer.endswith("\n") and answer.count("\n") == 1
        record: dict[str, Any] = json.loads(answer)
        return record

    def close(self) -> tuple[int, str, str]:
        """End of input: the exit status, the rest of stdout and all of stderr."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=WAIT)
        return code, self.out.rest(), self.err.rest()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def stdio() -> Iterator[type[Stdio]]:
    started: list[Stdio] = []

    class Started(Stdio):
        def __init__(self, *args: str) -> None:
            super().__init__(*args)
            started.append(self)

    yield Started
    for server in started:
        server.kill()


def test_stdio_answers_each_line_and_keeps_one_token(
    cdek_sandbox: CdekSandbox, order: str, stdio: type[Stdio]
) -> None:
    server = stdio()
    for _ in range(3):
        answer = server.ask(f"cdek GetOrder --uuid {order}")
        assert answer["ok"] is True
        assert answer["result"]["entity"]["uuid"] == order
    log = cdek_sandbox.requests()
    assert [r["path"] for r in log].count(f"/v2/orders/{order}") == 3
    assert token_requests(cdek_sandbox) == 1  # the token stayed warm between calls
    code, rest, errors = server.close()
    assert (code, rest, errors) == (0, "", "")


def test_stdio_parses_a_line_as_the_cli_does(
    order: str, stdio: type[Stdio], tmp_path: Path
) -> None:
    server = stdio()
    # Quotes and option spellings as on a shell command line; --out text forms answer text.
    answer = server.ask(f"cdek   getorder  --uuid '{order}' --retries 0 --timeout 5")
    assert answer["ok"] is True and answer["result"]["entity"]["uuid"] == order
    answer = server.ask(f'cdek GetOrder --uuid "{order}" --out _utf8_')
    assert answer["ok"] is True and isinstance(answer["result"], str)
    assert json.loads(answer["result"])["entity"]["uuid"] == order
    answer = server.ask(f"cdek GetOrder --uuid {order} --test")
    assert answer["ok"] is True
    assert answer["result"]["method"] == "GET" and "***" in json.dumps(answer["result"])
    # --out FILE writes the file and answers where and how much.
    target = tmp_path / "order.json"
    answer = server.ask(f"cdek GetOrder --uuid {order} --out '{target}'")
    assert answer == {"ok": True, "result": {"file": str(target), "size": target.stat().st_size}}
    assert json.loads(target.read_text(encoding="utf-8"))["entity"]["uuid"] == order
    assert server.close()[0] == 0


def test_stdio_answers_a_file_as_base64(order: str, stdio: type[Stdio]) -> None:
    server = stdio()
    answer = server.ask(f"cdek PrintReceipt --uuids {order} --wait 30")
    assert answer["ok"] is True, answer
    result = answer["result"]
    assert result["media_type"] == "application/pdf"
    data = base64.b64decode(result["base64"])
    assert data.startswith(b"%PDF") and len(data) == result["size"]
    assert server.close()[0] == 0


def test_stdio_answers_bad_lines_and_keeps_serving(
    cdek_sandbox: CdekSandbox, order: str, stdio: type[Stdio]
) -> None:
    server = stdio()
    bad = {
        "cdek GetOrder --uuid 'unbalanced": "cannot split the line",
        "nope GetOrder": "unknown provider 'nope'",
        "cdek NoSuchMethod": "unknown method 'NoSuchMethod'",
        "cdek": "give a method after 'cdek'",
        "oint cdek GetOrder": "leave out 'oint'",
        "cdek GetOrder --uuid not-a-uuid": "--uuid: 'not-a-uuid' is not a UUID",
        "cdek GetOrder --bogus 1": "--bogus",  # click words it by version: name only
        "cdek GetOrder --uuid {order} --timeout inf": "--timeout",
        "cdek CreateOrder --order -": "'-' (standard input) cannot be read here",
    }
    for line, message in bad.items():
        answer = server.ask(line.format(order=order))
        assert answer["ok"] is False, line
        assert answer["error"]["kind"] == "usage", line
        assert message in answer["error"]["message"], line
        assert answer["sent"] == "no", line
    assert cdek_sandbox.requests() == []  # nothing was sent for any of them
    server.send("")  # blank lines get no answer
    server.send("   \t")
    help_answer = server.ask("cdek GetOrder --help")
    assert help_answer["ok"] is True
    assert help_answer["result"].startswith("Usage: oint cdek GetOrder [OPTIONS]")
    answer = server.ask(f"cdek GetOrder --uuid {order}")  # still serving
    assert answer["ok"] is True
    code, rest, errors = server.close()
    assert (code, rest, errors) == (0, "", "")


def test_stdio_answers_an_api_error_with_the_body(
    cdek_sandbox: CdekSandbox, stdio: type[Stdio]
) -> None:
    server = stdio()
    answer = server.ask(f"cdek GetOrder --uuid {MISSING_ORDER}")
    assert answer["ok"] is False
    error = answer["error"]
    assert error["kind"] == "api" and error["status"] >= 400
    assert error["codes"] and isinstance(error["body"], dict)
    assert answer["sent"] == "yes"  # a read: nothing changed, safe to repeat
    assert server.close()[0] == 0


def test_stdio_writes_a_separator_line_after_each_answer(order: str, stdio: type[Stdio]) -> None:
    server = stdio("--sprt", "---END---")
    for line in (f"cdek GetOrder --uuid {order}", "cdek NoSuchMethod"):
        server.ask(line)
        assert server.out.next() == "---END---\n"
    code, rest, errors = server.close()
    assert (code, rest, errors) == (0, "", "")


def test_stdio_refuses_a_separator_of_two_lines() -> None:
    done = subprocess.run(
        oint("server", "stdio", "--sprt", "a\nb"),
        input="",
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--sprt" in done.stderr


def test_stdio_ends_at_end_of_input_without_a_line(stdio: type[Stdio]) -> None:
    assert stdio().close() == (0, "", "")


@pytest.mark.posix
def test_stdio_stops_cleanly_on_ctrl_c(stdio: type[Stdio]) -> None:
    server = stdio()
    assert server.ask("cdek NoSuchMethod")["ok"] is False  # up, and waiting for a line
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=WAIT) == 130
    assert server.out.rest() == ""
    assert server.err.rest() == ""


def test_stdio_config_dash_does_not_swallow_the_next_lines(stdio: type[Stdio]) -> None:
    """``--config -`` would read standard input, which carries the server's commands: it is
    refused like ``--order -``, and the line after it is still answered."""
    server = stdio()
    server.send("cdek GetOrderDescription --config -")
    server.send("cdek GetOrderDescription")
    code, rest, _ = server.close()
    answers = [json.loads(line) for line in rest.splitlines()]
    assert code == 0
    assert [a["ok"] for a in answers] == [False, True], rest[:300]
    assert answers[0]["error"]["kind"] == "usage"
    assert "standard input" in answers[0]["error"]["message"]


@pytest.mark.posix
def test_stdio_out_naming_its_own_stdout_keeps_one_json_line_per_answer(
    stdio: type[Stdio],
) -> None:
    """stdout carries answers only: ``--out /dev/stdout`` (or ``/dev/fd/1``) is refused, not
    written through to the answer stream as many lines of pretty JSON."""
    server = stdio()
    for out in ("/dev/stdout", "/dev/fd/1"):
        server.send(f"cdek GetOrderDescription --out {out}")
    server.send("cdek GetOrderDescription --out -")
    code, rest, _ = server.close()
    lines = rest.splitlines()
    assert code == 0
    assert len(lines) == 3, rest[:300]
    answers = [json.loads(line) for line in lines]
    assert [a["ok"] for a in answers] == [False, False, True]
    for refused in answers[:2]:
        assert refused["error"]["kind"] == "usage" and "--out" in refused["error"]["message"]


def test_stdio_answers_a_line_that_is_not_utf8(stdio: type[Stdio]) -> None:
    server = stdio()
    assert server.process.stdin is not None
    server.process.stdin.buffer.write(b"cdek GetOrder --uuid \xff\n")  # type: ignore[attr-defined]
    server.process.stdin.flush()
    answer = json.loads(server.out.next())
    assert answer["ok"] is False and "not UTF-8" in answer["error"]["message"]
    assert server.close()[0] == 0


# -- oint server http ------------------------------------------------------------------------


class Http:
    """A running ``oint server http``: its URL, and calls with (or without) the token."""

    def __init__(self, *args: str, token: str | None = TOKEN) -> None:
        given = ["--auth-token", token] if token is not None else []
        self.process = subprocess.Popen(
            oint("server", "http", "--port", "0", *given, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self.process.stderr is not None and self.process.stdout is not None
        self.err = Lines(self.process.stderr)
        first = self.err.next()
        found = re.search(r"(http://127\.0\.0\.1:\d+/)", first)
        assert found, first
        self.url = found.group(1)
        self.token = token
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only, whatever proxy the environment names

    def call(self, verb: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        token = self.token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        return self.session.request(
            verb, self.url + path.lstrip("/"), headers=headers, timeout=WAIT, **kwargs
        )

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=body, **kwargs)

    def stop(self) -> None:
        self.session.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def http() -> Iterator[type[Http]]:
    started: list[Http] = []

    class Started(Http):
        def __init__(self, *args: str, token: str | None = TOKEN) -> None:
            super().__init__(*args, token=token)
            started.append(self)

    yield Started
    for server in started:
        server.stop()


def assert_failure(response: Any, status: int, kind: str, sent: str = "no") -> dict[str, Any]:
    assert response.status_code == status, response.text
    record: dict[str, Any] = response.json()
    assert record["ok"] is False and record["error"]["kind"] == kind
    assert record["sent"] == sent
    assert response.headers["X-Oint-Error"] == kind
    assert response.headers["X-Oint-Sent"] == sent
    assert "\n" not in record["error"]["message"]
    return record


def test_http_requires_the_bearer_token(cdek_sandbox: CdekSandbox, http: type[Http]) -> None:
    server = http()
    missing = server.call("GET", "/", token="")
    assert_failure(missing, 401, "usage")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = server.post("/cdek/GetOrder", {"uuid": MISSING_ORDER}, token=TOKEN + "x")
    record = assert_failure(wrong, 401, "usage")
    assert "invalid_token" in wrong.headers["WWW-Authenticate"]
    assert TOKEN not in wrong.text and TOKEN not in json.dumps(record)
    other_scheme = server.call("GET", "/", headers={"Authorization": f"Basic {TOKEN}"})
    assert other_scheme.status_code == 401
    assert cdek_sandbox.requests() == []  # nothing unauthenticated reached the service
    assert server.call("GET", "/").status_code == 200


def test_http_calls_a_method_and_keeps_one_token(
    cdek_sandbox: CdekSandbox, order: str, http: type[Http]
) -> None:
    server = http()
    for _ in range(3):
        response = server.post("/cdek/GetOrder", {"uuid": order, "test_api": False})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["entity"]["uuid"] == order
    assert token_requests(cdek_sandbox) == 1
    # Method names match case-insensitively, as on the command line.
    assert server.post("/cdek/getorder", {"uuid": order}).status_code == 200


def test_http_serves_concurrent_calls_with_one_token(
    cdek_sandbox: CdekSandbox, order: str, http: type[Http]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    server = http()

    def get(_: int) -> int:
        with requests.Session() as session:
            session.trust_env = False
            response = session.post(
                server.url + "cdek/GetOrder",
                json={"uuid": order},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=WAIT,
            )
            return int(response.status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(get, range(16)))
    assert statuses == [200] * 16
    assert token_requests(cdek_sandbox) == 1  # the threads waited for one token


def test_http_lists_the_served_methods(http: type[Http]) -> None:
    listing = http().call("GET", "/").json()["methods"]
    by_name = {m["name"]: m for m in listing}
    assert by_name["GetOrder"] == {
        "provider": "cdek",
        "name": "GetOrder",
        "summary": by_name["GetOrder"]["summary"],
        "read_only": True,
        "path": "/cdek/GetOrder",
    }
    assert by_name["CreateRefusal"]["read_only"] is False
    assert "GetToken" not in by_name  # a credential is never served


def test_http_serves_only_what_allow_selects(http: type[Http], order: str) -> None:
    server = http("--allow", "cdek.Get*", "--allow", "cdek.CalculateTariff")
    names = {m["name"] for m in server.call("GET", "/").json()["methods"]}
    assert "GetOrder" in names and "CalculateTariff" in names
    assert not {n for n in names if not n.startswith("Get")} - {"CalculateTariff"}
    assert "CreateRefusal" not in names and "GetToken" not in names
    assert_failure(server.post("/cdek/CreateRefusal", {"uuid": order}), 404, "usage")
    assert server.post("/cdek/GetOrder", {"uuid": order}).status_code == 200


def test_http_refuses_an_allow_that_selects_nothing() -> None:
    done = subprocess.run(
        oint("server", "http", "--port", "0", "--allow", "cdek.Nothing*"),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "oint: usage error: --allow cdek.Nothing* selects no method\n"


def test_http_refuses_bad_requests_before_sending(
    cdek_sandbox: CdekSandbox, http: type[Http]
) -> None:
    server = http("--max-body", "2000")
    raw = {"headers": {"Content-Type": "application/json"}}
    cases = [
        (server.call("POST", "/cdek/GetOrder", data=b"{not json", **raw), 400, "not JSON"),
        (server.call("POST", "/cdek/GetOrder", data=b"[1, 2]", **raw), 400, "JSON object"),
        (server.call("POST", "/cdek/GetOrder", data=b'{"uuid": NaN}', **raw), 400, "not JSON"),
        (server.post("/cdek/GetOrder", {"uuid": "nope"}), 400, "'nope' is not a UUID"),
        (server.post("/cdek/GetOrder", {"uuids": 1}), 400, "no parameter 'uuids'"),
        (server.post("/cdek/GetOrder", {}), 400, "missing required parameter: uuid"),
        (server.post("/cdek/GetOrder", {"uuid": MISSING_ORDER, "timeout": 0}), 400, "timeout"),
        (server.post("/cdek/GetOrder", {"uuid": MISSING_ORDER, "profile": "x"}), 400, "profile"),
        (server.post("/cdek/CreateOrder", {"order": "/etc/hostname"}), 400, "reads no files"),
        (server.post("/cdek/GetOrder", {"uuid": "x" * 3000}), 413, "larger than 2000 bytes"),
        (server.post("/nope/GetOrder", {}), 404, "not served"),
        (server.post("/cdek/NoSuchMethod", {}), 404, "not served"),
        (server.post("/cdek/GetOrder/extra", {}), 404, "not served"),
        (server.call("GET", "/cdek/GetOrder"), 405, "use POST"),
        (server.call("PUT", "/cdek/GetOrder"), 405, "use POST"),
        (server.call("POST", "/"), 405, "use GET"),
    ]
    for response, status, message in cases:
        record = assert_failure(response, status, "usage")
        assert message in record["error"]["message"], (status, record)
    assert server.call("GET", "/cdek/GetOrder").headers["Allow"] == "POST"
    assert cdek_sandbox.requests() == []


def test_http_refuses_secrets_in_requests(cdek_sandbox: CdekSandbox, http: type[Http]) -> None:
    server = http()
    secret = "a-token-of-the-callers-0123456789"
    response = server.post("/cdek/GetOrder", {"uuid": MISSING_ORDER, "token": secret})
    record = assert_failure(response, 400, "usage")
    assert "secrets come from the server's settings" in record["error"]["message"]
    assert secret not in response.text
    assert cdek_sandbox.requests() == []


def test_http_keeps_the_status_and_body_of_an_api_error(
    cdek_sandbox: CdekSandbox, http: type[Http]
) -> None:
    server = http()
    response = server.post("/cdek/GetOrder", {"uuid": MISSING_ORDER})
    served = [r for r in cdek_sandbox.requests() if r["path"].endswith(MISSING_ORDER)]
    assert len(served) == 1
    record = assert_failure(response, served[0]["status"], "api", sent="yes")
    assert record["error"]["status"] == served[0]["status"] >= 400
    body = record["error"]["body"]
    assert isinstance(body, dict) and body["requests"][0]["errors"]
    assert record["error"]["codes"] == [e["code"] for e in body["requests"][0]["errors"]]


def test_http_says_a_dropped_write_may_have_been_processed(
    cdek_sandbox: CdekSandbox, order: str, http: type[Http]
) -> None:
    server = http()
    assert server.post("/cdek/GetOrder", {"uuid": order}).status_code == 200  # a token first
    cdek_sandbox.inject_fault("drop", path="/refusal$")
    response = server.post("/cdek/CreateRefusal", {"uuid": order, "timeout": 5})
    record = assert_failure(response, 502, "transport", sent="unknown")
    assert "may have been processed" in record["error"]["message"]
    refusals = [r for r in cdek_sandbox.requests() if r["path"].endswith("/refusal")]
    assert len(refusals) == 1  # sent once, never repeated


def test_http_answers_504_when_the_service_is_too_slow(
    cdek_sandbox: CdekSandbox, order: str, http: type[Http]
) -> None:
    server = http()
    cdek_sandbox.inject_fault("delay", path=f"/orders/{order}$", seconds=3, count=5)
    response = server.post("/cdek/GetOrder", {"uuid": order, "timeout": 1, "retries": 0})
    assert_failure(response, 504, "transport", sent="yes")


def test_http_generates_a_token_on_loopback(http: type[Http]) -> None:
    server = http(token=None)
    line = server.err.next()
    found = re.fullmatch(r"oint: bearer token \(random, for this run\): (\S{32,})\n", line)
    assert found, line
    assert server.call("GET", "/", token=found.group(1)).status_code == 200
    assert server.call("GET", "/", token="x" * 43).status_code == 401


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--host", "0.0.0.0"], {}, "--host 0.0.0.0 is not a loopback address: give --auth-token"),
        (["--host", "192.0.2.1"], {}, "is not a loopback address"),
        (["--auth-token", "short"], {}, "--auth-token: give at least 16 characters"),
        (["--host", "0.0.0.0"], {"OINT_SERVER_TOKEN": "short"}, "at least 16 characters"),
    ],
)
def test_http_refuses_to_start_unprotected(
    args: list[str], env: dict[str, str], message: str
) -> None:
    done = subprocess.run(
        oint("server", "http", "--port", "0", *args),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
        env={**os.environ, **env},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


def test_http_says_a_taken_port_in_one_line(http: type[Http]) -> None:
    server = http()
    port = server.url.rsplit(":", 1)[1].strip("/")
    done = subprocess.run(
        oint("server", "http", "--port", port, "--auth-token", TOKEN),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"oint: usage error: cannot listen on 127.0.0.1:{port}: ")
    assert done.stderr.count("\n") == 1


@pytest.mark.posix
def test_http_stops_cleanly_on_ctrl_c(http: type[Http]) -> None:
    server = http()
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=WAIT) == 130
    assert server.err.rest() == ""


def test_http_serves_a_file_as_itself(
    cdek_sandbox: CdekSandbox, order: str, http: type[Http], tmp_path: Path
) -> None:
    server = http("--allow", "cdek.PrintReceipt")
    response = server.post("/cdek/PrintReceipt", {"uuids": [order], "wait": 30})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


PROFILE_TOKEN = "a-wrong-token-of-the-profile-0123"


@pytest.fixture
def profiles(cdek_sandbox: CdekSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A config file whose profile ``stale`` holds a token the sandbox refuses, and whose
    profile ``plain`` sets nothing (the environment's account is used)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profile.stale.cdek]\ntoken = "{PROFILE_TOKEN}"\n\n'
        "[profile.plain.cdek]\ntestapi = false\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    monkeypatch.setenv("OINT_CONFIG", str(config))


@pytest.mark.usefixtures("profiles")
def test_stdio_profile_is_the_default_of_each_line(order: str, stdio: type[Stdio]) -> None:
    server = stdio("--profile", "stale")
    answer = server.ask(f"cdek GetOrder --uuid {order}")
    assert answer["ok"] is False and answer["error"]["kind"] == "api"
    assert answer["error"]["status"] == 401
    assert server.ask(f"cdek GetOrder --uuid {order} --profile plain")["ok"] is True
    code, rest, errors = server.close()
    assert code == 0 and PROFILE_TOKEN not in rest + errors


@pytest.mark.usefixtures("profiles")
def test_http_calls_with_the_servers_profile(order: str, http: type[Http]) -> None:
    server = http("--profile", "stale")
    response = server.post("/cdek/GetOrder", {"uuid": order})
    # The service refused the server's own credentials: not the caller's 401.
    record = assert_failure(response, 502, "api", sent="yes")
    assert record["error"]["status"] == 401
    assert PROFILE_TOKEN not in response.text
    assert "WWW-Authenticate" not in response.headers


TOY = """
from oint_core import Kind, Method, Param, Provider, hookimpl

def boom(ctx, name):
    raise RuntimeError(f"broke on {name} with key {ctx.values['key']}")

def noisy(ctx):
    print("noise on stdout")
    return {"quiet": True}

KEY = Param("Key", "--key", Kind.STRING, "API key", secret=True, env="OINT_TOY_KEY")

@hookimpl
def oint_providers():
    return [Provider("toy", "A toy service", methods=[
        Method("Boom", "Fails", "Toys", boom,
               params=(KEY, Param("Name", "--name", Kind.STRING, "Name", required=True)),
               effect="read"),
        Method("Noisy", "Prints", "Toys", noisy, effect="local"),
    ], context_params=("key",))]
"""
TOY_KEY = "toy-secret-key-0123456789"


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider whose method fails with a bug (naming its secret) and one that prints."""
    from oint_core.testing import write_plugin_distribution

    folder = write_plugin_distribution(
        tmp_path / "site",
        distribution="oint-toy",
        modules={"oint_toy.py": TOY},
        entry_points={"toy": "oint_toy"},
    )
    path = os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]).strip(os.pathsep)
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("OINT_TOY_KEY", TOY_KEY)


@pytest.mark.usefixtures("toy")
def test_stdio_answers_a_bug_in_one_line_and_keeps_stdout_for_answers(
    stdio: type[Stdio],
) -> None:
    server = stdio()
    answer = server.ask("toy Boom --name x")
    assert answer["ok"] is False and answer["error"]["kind"] == "internal"
    assert "RuntimeError: broke on x" in answer["error"]["message"]
    assert TOY_KEY not in json.dumps(answer)
    assert server.ask("toy Noisy") == {"ok": True, "result": {"quiet": True}}
    code, rest, errors = server.close()
    assert (code, rest) == (0, "")
    assert errors == "noise on stdout\n"  # what a method prints goes to stderr
    assert TOY_KEY not in errors


@pytest.mark.usefixtures("toy")
def test_http_answers_a_bug_with_500_in_one_line(http: type[Http]) -> None:
    server = http("--allow", "toy.*")
    response = server.post("/toy/Boom", {"name": "x"})
    record = assert_failure(response, 500, "internal")
    assert "RuntimeError: broke on x" in record["error"]["message"]
    assert TOY_KEY not in response.text
    assert server.post("/toy/Boom", {"name": "x", "key": "mine-0123456789"}).status_code == 400
    server.stop()
    assert server.err.rest() == ""  # no traceback, no access log
