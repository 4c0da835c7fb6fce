"""``oint listen``: the receiver knows no provider, so it is tested with a toy one.

The toy provider is an installed-looking plugin distribution (``write_plugin_distribution``);
``oint listen toy`` runs as a real process on a loopback port and the tests deliver events
to it over HTTP, as a provider would. A few tests drive the parts in-process (``Receiver``,
``Forwarder``) where a process would only make them slower.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from oint_core.listen import Forwarder, Receiver, Sink, make_server
from oint_core.testing import write_plugin_distribution
from oint_core.webhooks import Webhooks

from .conftest import oint_command

TOY = """
import json
from dataclasses import dataclass, field

from oint_core import Provider, hookimpl
from oint_core.webhooks import Webhooks


@dataclass(frozen=True)
class Event:
    type: str
    id: str
    raw: dict = field(repr=False)

    @property
    def known(self):
        return self.type in ("ping", "pong")

    @property
    def key(self):
        return f"{self.type}/{self.id}"


def parse(body):
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ValueError("an event is an object with an id")
    if not isinstance(data.get("type"), str):
        raise ValueError("type is missing")
    return Event(data["type"], data["id"], data)


@hookimpl
def oint_providers():
    return [
        Provider("toy", "A toy service", methods=[]),
        Provider("mute", "A service without webhooks", methods=[]),
    ]


@hookimpl
def oint_webhooks(provider):
    if provider == "toy":
        return Webhooks(types=("ping", "pong"), parse=parse, default_types=("ping",))
    return None
"""

URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/toy\?token=([A-Za-z0-9_-]{32})")
SECRET = "a-secret-of-24-characters"


@pytest.fixture
def toy_env(tmp_path: Path) -> dict[str, str]:
    folder = write_plugin_distribution(
        tmp_path / "site",
        distribution="oint-toy",
        modules={"oint_toy.py": TOY},
        entry_points={"toy": "oint_toy"},
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OINT_")}
    path = os.pathsep.join([str(folder), clean.get("PYTHONPATH", "")]).strip(os.pathsep)
    return {
        **clean,
        "PYTHONPATH": path,
        "OINT_CACHE_DIR": str(tmp_path / "cache"),
        "OINT_CONFIG": str(tmp_path / "config.toml"),
    }


class Listener:
    """A running ``oint listen`` process and the URL its first stderr line gave."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*oint_command(), "listen", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert self.process.stderr is not None
        self.first_line = self.process.stderr.readline().decode().rstrip("\n")
        self.url = self.first_line
        self.stdout = ""
        self.stderr = ""
        self.code: int | None = None

    def post(self, body: bytes | str | dict, url: str | None = None) -> requests.Response:
        data = json.dumps(body) if isinstance(body, dict) else body
        with requests.Session() as session:
            session.trust_env = False
            return session.post(url or self.url, data=data, timeout=10)

    def stop(self, signum: int = signal.SIGINT) -> int:
        if self.code is None:
            self.process.send_signal(signum)
            out, err = self.process.communicate(timeout=30)
            self.stdout += out.decode()
            self.stderr += err.decode()
            self.code = self.process.returncode
        return self.code

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines()]


@pytest.fixture
def listener(toy_env: dict[str, str]) -> Iterator[Any]:
    started: list[Listener] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Listener:
        one = Listener(list(args), {**toy_env, **(env or {})})
        started.append(one)
        return one

    yield start
    for one in started:
        if one.code is None:
            one.process.kill()
            one.process.communicate(timeout=30)


def ping(n: int, type: str = "ping", **extra: Any) -> dict[str, Any]:
    return {"type": type, "id": str(n), **extra}


# -- the URL line and the secret -------------------------------------------------------------


@pytest.mark.posix
def test_the_first_line_is_the_url_with_a_random_secret_and_ctrl_c_ends_cleanly(
    listener: Any,
) -> None:
    first, second = listener("toy", "--port", "0"), listener("toy", "--port", "0")
    for one in (first, second):
        assert URL_LINE.fullmatch(one.first_line), one.first_line
    assert URL_LINE.fullmatch(first.url)[2] != URL_LINE.fullmatch(second.url)[2]  # type: ignore[index]
    assert first.post(ping(1)).status_code == 200
    assert first.stop(signal.SIGINT) == 130
    assert second.stop(signal.SIGTERM) == 143
    for one in (first, second):
        secret = URL_LINE.fullmatch(one.first_line)[2]  # type: ignore[index]
        assert "Traceback" not in one.stderr
        assert secret not in one.stderr  # printed once: the first line, read before
    assert first.lines == [ping(1)]


@pytest.mark.posix
def test_a_wrong_or_missing_secret_is_401_and_nothing_is_printed(listener: Any) -> None:
    one = listener("toy", "--port", "0", "--secret", SECRET)
    assert one.url.endswith(f"/toy?token={SECRET}")
    base = one.url.partition("?")[0]
    for url in (base, f"{base}?token=", f"{base}?token={SECRET}x", f"{base}?token={SECRET[:-1]}"):
        answer = one.post(ping(1), url=url)
        assert answer.status_code == 401, url
        assert SECRET not in answer.text
    # A wrong secret learns nothing else either: not the path, not the method.
    assert one.post(ping(1), url=f"{base}/other?token=nope").status_code == 401
    assert one.stop() == 130
    assert one.stdout == ""
    assert one.stderr == ""


@pytest.mark.posix
def test_debug_lines_name_each_request_but_never_a_secret(listener: Any) -> None:
    one = listener("toy", "--port", "0", "--secret", SECRET, "--debug")
    base = one.url.partition("?")[0]
    assert one.post(ping(1)).status_code == 200
    assert one.post(ping(1)).status_code == 200
    assert one.post(ping(2), url=f"{base}?token=guessed-secret-123").status_code == 401
    assert one.stop() == 130
    lines = [re.sub(r" \([0-9.]+ ms\)$", "", line) for line in one.stderr.splitlines()]
    assert lines == [
        "oint: debug: 127.0.0.1 POST /toy 200 accepted",
        "oint: debug: 127.0.0.1 POST /toy 200 duplicate",
        "oint: debug: 127.0.0.1 POST /toy 401 unauthorized",
    ]
    assert SECRET not in one.stderr and "guessed" not in one.stderr


@pytest.mark.posix
def test_the_secret_can_come_from_the_environment(listener: Any) -> None:
    one = listener("toy", "--port", "0", env={"OINT_LISTEN_SECRET": SECRET})
    assert one.url.endswith(f"?token={SECRET}")
    assert one.post(ping(7)).status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(7)]


@pytest.mark.posix
def test_a_public_url_is_what_the_first_line_gives(listener: Any) -> None:
    one = listener(
        "toy", "--port", "0", "--secret", SECRET, "--public-url", "https://h.example/in/"
    )
    assert one.first_line == f"https://h.example/in/toy?token={SECRET}"
    assert one.process.stderr is not None
    local = one.process.stderr.readline().decode().strip()
    port = re.fullmatch(r"oint: listening on http://127\.0\.0\.1:(\d+)/toy", local)
    assert port, local
    answer = one.post(ping(1), url=f"http://127.0.0.1:{port[1]}/toy?token={SECRET}")
    assert answer.status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(1)]
    assert SECRET not in one.stderr


def test_a_short_secret_is_refused(toy_env: dict[str, str]) -> None:
    done = subprocess.run(
        [*oint_command(), "listen", "toy", "--port", "0", "--secret", "short"],
        capture_output=True,
        text=True,
        env=toy_env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "oint: usage error: --secret: a secret must be at least 16 characters without spaces"
    ]


# -- what the receiver accepts ----------------------------------------------------------------


@pytest.mark.posix
def test_each_event_is_printed_once_however_often_it_is_delivered(listener: Any) -> None:
    one = listener("toy", "--port", "0")
    for body in (ping(1), ping(2), ping(1), ping(1, "pong"), ping(2)):
        answer = one.post(body)
        assert answer.status_code == 200
    # The same event in another spelling (key order, spaces) is the same event.
    assert one.post('{ "id": "1",  "type": "ping" }').status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(1), ping(2), ping(1, "pong")]
    assert one.stdout.splitlines()[0] == '{"type":"ping","id":"1"}'  # compact, one line
    assert one.stderr == ""


@pytest.mark.posix
def test_a_body_that_is_not_an_event_is_400_with_one_line_saying_why(listener: Any) -> None:
    one = listener("toy", "--port", "0")
    cases = {
        b"{not json": "Expecting property name",
        b"[1, 2]": "an event is an object with an id",
        b'{"id": "1"}': "type is missing",
        b"": "Expecting value",
    }
    for body, reason in cases.items():
        answer = one.post(body)
        assert answer.status_code == 400, body
        error = answer.json()["error"]
        assert reason in error and "\n" not in error
    assert one.post(ping(3)).status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(3)]
    assert one.stderr == ""


@pytest.mark.posix
def test_an_oversized_body_is_413_and_the_next_event_still_arrives(listener: Any) -> None:
    one = listener("toy", "--port", "0", "--max-body", "200")
    assert one.post(ping(1, padding="x" * 500)).status_code == 413
    # Without a Content-Length (chunked), the limit holds as the body is read.
    chunks = iter([json.dumps(ping(2, padding="y" * 500)).encode()])
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(one.url, data=chunks, timeout=10)
    assert answer.status_code == 413
    assert one.post(ping(3)).status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(3)]


@pytest.mark.posix
def test_a_sender_that_hangs_up_mid_body_costs_nothing(listener: Any) -> None:
    one = listener("toy", "--port", "0", "--secret", SECRET)
    port = int(one.url.split(":")[2].split("/")[0])
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(
                f"POST /toy?token={SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                '\r\n{"type": "ping"'.encode()
            )
    assert one.post(ping(1)).status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(1)]
    assert one.stderr == ""  # no traceback, no line naming the request


@pytest.mark.posix
def test_an_unknown_type_is_passed_through_with_one_warning(listener: Any) -> None:
    one = listener("toy", "--port", "0")
    for n in range(3):
        assert one.post(ping(n, "boom")).status_code == 200
    assert one.post(ping(9)).status_code == 200
    assert one.stop() == 130
    assert one.lines == [ping(0, "boom"), ping(1, "boom"), ping(2, "boom"), ping(9)]
    assert one.stderr.splitlines() == [
        "oint: warning: event type 'boom' is not one oint knows; passed through as it came"
        " (this is said once per type)"
    ]


@pytest.mark.posix
def test_only_post_on_the_providers_path(listener: Any) -> None:
    one = listener("toy", "--port", "0", "--secret", SECRET)
    base, _, query = one.url.partition("?")
    with requests.Session() as session:
        session.trust_env = False
        assert session.get(one.url, timeout=10).status_code == 405
        assert session.post(f"{base}x?{query}", data="{}", timeout=10).status_code == 404
    assert one.stop() == 130
    assert one.stdout == ""


# -- many senders at once -----------------------------------------------------------------------

SENDERS, EACH = 8, 200


def deliver_all(url: str) -> list[int]:
    """8 senders, each delivering its 200 distinct events (and every 10th one twice), at once."""

    def send(sender: int) -> list[int]:
        statuses = []
        with requests.Session() as session:
            session.trust_env = False
            for n in range(EACH):
                body = json.dumps(ping(sender * EACH + n, sender=sender))
                statuses.append(session.post(url, data=body, timeout=30).status_code)
                if n % 10 == 0:  # a redelivery
                    statuses.append(session.post(url, data=body, timeout=30).status_code)
        return statuses

    with ThreadPoolExecutor(SENDERS) as pool:
        return [s for statuses in pool.map(send, range(SENDERS)) for s in statuses]


def check_all_once(lines: list[str]) -> None:
    events = [json.loads(line) for line in lines]  # every line whole: none interleaved
    ids = sorted(int(e["id"]) for e in events)
    assert ids == list(range(SENDERS * EACH))  # each exactly once: none lost, none doubled


@pytest.mark.posix
def test_eight_senders_at_once_every_event_in_the_file_exactly_once(
    listener: Any, tmp_path: Path
) -> None:
    out = tmp_path / "events.jsonl"
    one = listener("toy", "--port", "0", "--out", str(out))
    statuses = deliver_all(one.url)
    assert set(statuses) == {200}
    # Every event was answered 200, so every one is in the file already, before any exit.
    check_all_once(out.read_text(encoding="utf-8").splitlines())
    assert one.stop() == 130
    assert one.stdout == ""
    check_all_once(out.read_text(encoding="utf-8").splitlines())


@pytest.mark.posix
def test_eight_senders_at_once_every_event_on_stdout_exactly_once(listener: Any) -> None:
    one = listener("toy", "--port", "0")
    assert set(deliver_all(one.url)) == {200}
    assert one.stop() == 130
    check_all_once(one.stdout.splitlines())


@pytest.mark.posix
def test_a_write_that_fails_half_way_leaves_no_half_line(
    toy_env: dict[str, str], tmp_path: Path
) -> None:
    """The file may grow only to two lines and a bit (RLIMIT_FSIZE): the third event, written
    half, is cut off again and answered 500 (its sender delivers it again); the lines before
    stay whole, and no half line is left for the next one to run into."""
    import resource

    size = len(json.dumps(ping(0, pad="x" * 5), separators=(",", ":"))) + 1
    cap = 2 * size + size // 2

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

    out = tmp_path / "events.jsonl"
    process = subprocess.Popen(
        [*oint_command(), "listen", "toy", "--port", "0", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=toy_env,
        preexec_fn=limit,
    )
    assert process.stderr is not None
    url = process.stderr.readline().decode().strip()
    with requests.Session() as session:
        session.trust_env = False
        statuses = [
            session.post(url, data=json.dumps(ping(n, pad="x" * 5)), timeout=10).status_code
            for n in range(4)
        ]
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert statuses == [200, 200, 500, 500]
    assert out.read_text(encoding="utf-8") == "".join(
        json.dumps(ping(n, pad="x" * 5), separators=(",", ":")) + "\n" for n in range(2)
    )
    assert err.decode().splitlines() == 2 * [
        "oint: error: could not write an event: [Errno 27] File too large"
    ]


def test_out_appends_to_what_is_there(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    out.write_text('{"earlier":1}\n', encoding="utf-8")
    sink = Sink.to_file(str(out))
    sink.write(b'{"later":2}\n')
    sink.close()
    assert out.read_text(encoding="utf-8") == '{"earlier":1}\n{"later":2}\n'


# -- forwarding ---------------------------------------------------------------------------------


@pytest.mark.posix
def test_forward_to_relays_each_new_event_with_retries(
    listener: Any, httpserver: HTTPServer
) -> None:
    seen: list[bytes] = []
    failures = {"left": 2}  # the app fails twice, then takes everything

    def app(request: Request) -> Response:
        if failures["left"]:
            failures["left"] -= 1
            return Response("busy", status=503)
        seen.append(request.get_data())
        return Response("ok")

    httpserver.expect_request("/hooks", method="POST").respond_with_handler(app)
    one = listener("toy", "--port", "0", "--forward-to", httpserver.url_for("/hooks?key=app1"))
    bodies = ['{"type": "ping", "id": "1"}', '{"type":"ping","id":"2"}']
    for body in [*bodies, bodies[0]]:
        started = time.monotonic()
        assert one.post(body).status_code == 200
        assert time.monotonic() - started < 5  # answered without waiting for the app
    deadline = time.monotonic() + 20
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert one.stop() == 130
    assert seen == [b.encode() for b in bodies]  # the original bytes, in order, once each
    assert one.lines == [ping(1), ping(2)]
    assert one.stderr == ""


def test_a_forward_that_keeps_failing_is_reported_not_retried_forever() -> None:
    said: list[str] = []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    forwarder = Forwarder(f"http://127.0.0.1:{closed}/hooks?key=s3cret", said.append, backoff=0.01)
    forwarder.put("ping event", b"{}")
    assert forwarder.close(grace=20) == 0
    assert forwarder.failed == 1
    assert said == [
        f"oint: warning: could not forward ping event to http://127.0.0.1:{closed}/hooks"
        " (ConnectionError; 5 attempt(s)); it is in the output"
    ]


def test_forward_to_must_be_an_http_url(toy_env: dict[str, str]) -> None:
    done = subprocess.run(
        [*oint_command(), "listen", "toy", "--forward-to", "ftp://x/y"],
        capture_output=True,
        text=True,
        env=toy_env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("oint: usage error: --forward-to:")
    assert len(done.stderr.splitlines()) == 1


# -- ports, providers, options ------------------------------------------------------------------


def test_a_port_in_use_is_one_line_and_exit_2(toy_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*oint_command(), "listen", "toy", "--port", str(port)],
            capture_output=True,
            text=True,
            env=toy_env,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"oint: usage error: --port {port}: address 127.0.0.1:{port} is already in use"
        " (--port 0 picks a free one)"
    ]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["mute"], "oint: usage error: provider 'mute' offers no webhooks to listen to"),
        (["nope"], "oint: usage error: unknown provider 'nope' (available: "),
        (
            ["toy", "--subscribe"],
            "oint: usage error: --subscribe: this provider's plugin cannot subscribe;"
            " subscribe the URL yourself",
        ),
        (["toy", "--type", "ping"], "oint: usage error: Invalid value for --type: only with"),
        (["toy", "--port", "70000"], "oint: usage error: Invalid value for '--port'"),
    ],
)
def test_refusals_are_one_line_exit_2_and_nothing_listens(
    toy_env: dict[str, str], args: list[str], line: str
) -> None:
    done = subprocess.run(
        [*oint_command(), "listen", "--port", "0", *args],
        capture_output=True,
        text=True,
        env=toy_env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(line), done.stderr
    assert "http://" not in done.stderr


# -- in-process: the receiver without a process around it ----------------------------------------


class Kept:
    """An event as a provider's parse returns it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.type = str(data["type"])
        self.raw = data
        self.known = True
        self.key = str(data["id"])


def test_a_failed_write_is_a_500_and_the_redelivery_is_taken(tmp_path: Path) -> None:
    """An event that could not be stored is not remembered as seen: its redelivery is
    written, so nothing answered 200 is lost and nothing unanswered is dropped."""

    class Flaky:
        def __init__(self) -> None:
            self.lines: list[bytes] = []
            self.fail = True

        def write(self, line: bytes) -> None:
            if self.fail:
                self.fail = False
                raise OSError(28, "No space left on device")
            self.lines.append(line)

        def close(self) -> None:
            pass

    said: list[str] = []
    sink = Flaky()
    hooks = Webhooks(types=("ping",), parse=lambda body: Kept(json.loads(body)))
    app = Receiver(hooks, secret=SECRET, path="/toy", sink=sink, say=said.append)  # type: ignore[arg-type]
    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.port}/toy?token={SECRET}"
        with requests.Session() as session:
            session.trust_env = False
            assert session.post(url, data=json.dumps(ping(1)), timeout=10).status_code == 500
            assert session.post(url, data=json.dumps(ping(1)), timeout=10).status_code == 200
            assert session.post(url, data=json.dumps(ping(1)), timeout=10).json() == {
                "status": "duplicate"
            }
    finally:
        server.shutdown()
        server.server_close()
    assert sink.lines == [b'{"type":"ping","id":"1"}\n']
    assert said == ["oint: error: could not write an event: [Errno 28] No space left on device"]


def test_the_seen_keys_are_bounded() -> None:
    lines: list[bytes] = []

    class Memory:
        def write(self, line: bytes) -> None:
            lines.append(line)

        def close(self) -> None:
            pass

    hooks = Webhooks(types=("ping",), parse=lambda body: Kept(json.loads(body)))
    app = Receiver(
        hooks,
        secret=SECRET,
        path="/toy",
        sink=Memory(),
        say=print,
        seen_limit=3,  # type: ignore[arg-type]
    )
    for n in (1, 2, 3, 1, 4, 5, 6, 1):  # 1 is forgotten once three newer ones were seen
        app.accept(Kept(ping(n)), b"")
    assert [json.loads(line)["id"] for line in lines] == ["1", "2", "3", "4", "5", "6", "1"]


def test_listen_stays_out_of_oint_starts() -> None:
    """``oint --help`` and ``import oint_core`` load neither the receiver nor werkzeug."""
    code = (
        "import sys\n"
        "from oint_core.cli import cli\n"
        "import oint_core.registry\n"
        "oint_core.registry.default_registry()\n"
        "print(' '.join(m for m in ('oint_core.listen', 'oint_core.webhooks', 'werkzeug',"
        " 'oint_cdek.webhooks') if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert loaded == []


# -- a reader of standard output that stalls or goes away ----------------------------------------


@pytest.mark.posix
def test_sigterm_ends_listen_while_its_stdout_reader_is_stalled(toy_env: dict[str, str]) -> None:
    """The reader of standard output stops reading (the pipe fills): the event being written
    is not answered (its sender delivers it again), and SIGTERM still ends ``oint listen``."""
    process = subprocess.Popen(
        [*oint_command(), "listen", "toy", "--port", "0"],
        stdout=subprocess.PIPE,  # never read until the end
        stderr=subprocess.PIPE,
        env=toy_env,
    )
    try:
        assert process.stderr is not None
        url = process.stderr.readline().decode().strip()
        with requests.Session() as session:
            session.trust_env = False
            with pytest.raises(requests.Timeout):  # more than a pipe holds: the write blocks
                session.post(url, data=json.dumps(ping(1, pad="x" * 300_000)), timeout=2)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
    assert code == 143


@pytest.mark.posix
def test_listen_ends_when_the_reader_of_its_stdout_is_gone(toy_env: dict[str, str]) -> None:
    """``oint listen toy | head -n 1``: when the reader has gone, the event is answered 500
    (not lost: its sender delivers it again) and listen ends, as a pipeline expects (141,
    128 + SIGPIPE, as ``oint server stdio``)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [*oint_command(), "listen", "toy", "--port", "0"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env=toy_env,
    )
    os.close(write_end)
    try:
        assert process.stderr is not None
        url = process.stderr.readline().decode().strip()
        os.close(read_end)  # the reader is gone
        with requests.Session() as session:
            session.trust_env = False
            assert session.post(url, data=json.dumps(ping(1)), timeout=10).status_code == 500
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
    assert code == 141
