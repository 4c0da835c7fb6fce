"""A misbehaving HTTP server on 127.0.0.1, written on raw sockets, with a mode per fault.

Byte-level faults (a header a byte a second, a gzip bomb, a ``103`` before the answer) are
out of reach of ordinary test servers, so this one parses just enough of each request to
log it and then does exactly what its mode says. Test modules get it through the
``hostile`` fixture (they may import only from conftest).
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from oint_core.testing import run_cli

Mode = Callable[[socket.socket], None]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str


class HostileServer:
    """Answers each request with the mode of the first route whose pattern is found in its
    path (else the default mode), then closes the connection; logs every request."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.requests: list[Seen] = []
        self.routes: list[tuple[str, Mode]] = []
        self.default: Mode = respond(404, b'{"errors": [{"code": "not_found"}]}')
        self._stopped = threading.Event()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def on(self, pattern: str, mode: Mode) -> HostileServer:
        self.routes.append((pattern, mode))
        return self

    def seen(self, pattern: str = "") -> int:
        """How many requests whose path matches ``pattern`` reached the server."""
        return sum(1 for r in list(self.requests) if re.search(pattern, r.path))

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            connection.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            while len(body) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.requests.append(Seen(method, path))
            mode = next((m for p, m in self.routes if re.search(p, path)), self.default)
            mode(connection)
        except OSError:
            pass  # the client gave up: that is what most modes are for
        finally:
            connection.close()


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


def respond(status: int, body: bytes, **headers: str) -> Mode:
    """An ordinary answer (``content_type``-style keywords become headers)."""
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    fields.update({k.replace("_", "-").title(): v for k, v in headers.items()})

    def mode(connection: socket.socket) -> None:
        connection.sendall(_head(status, fields) + body)

    return mode


def raw(data: bytes) -> Mode:
    """Exactly these bytes."""
    return lambda connection: connection.sendall(data)


def slow_headers(interval: float = 1.0) -> Mode:
    """A status line, then one header byte every ``interval`` seconds, for ever."""

    def mode(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        while True:
            connection.sendall(b"X")
            time.sleep(interval)

    return mode


def slow_body(interval: float = 1.0, length: int = 10_000) -> Mode:
    """Headers at once, then the body one byte every ``interval`` seconds."""

    def mode(connection: socket.socket) -> None:
        headers = {"Content-Type": "application/json", "Content-Length": str(length)}
        connection.sendall(_head(200, headers) + b"[")
        while True:
            time.sleep(interval)
            connection.sendall(b" ")

    return mode


def endless_body(declare: int | None = None) -> Mode:
    """A body of zeros (inside a JSON string) that never ends, sent as fast as it is read;
    ``declare`` puts that Content-Length in the headers."""

    def mode(connection: socket.socket) -> None:
        headers = {"Content-Type": "application/json"}
        if declare is not None:
            headers["Content-Length"] = str(declare)
        connection.sendall(_head(200, headers) + b'"')
        block = b"0" * 65536
        while True:
            connection.sendall(block)

    return mode


@functools.lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of zeros (64 members of 16 MiB each)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = packer.compress(bytes(16 << 20)) + packer.flush()
    return member * 64


def bomb(status: int = 200) -> Mode:
    def mode(connection: socket.socket) -> None:
        body = gzip_bomb()
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Content-Length": str(len(body)),
        }
        connection.sendall(_head(status, headers) + body)

    return mode


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    """A hostile server, with ``OINT_CDEK_BASE_URL`` pointing at it."""
    server = HostileServer()
    monkeypatch.setenv("OINT_CDEK_BASE_URL", server.base_url)
    yield server
    server.close()


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


#: Runs a command as its own child and writes that child's exit status and peak RSS to the
#: file named first. The detour matters: a child forked straight from pytest starts as a
#: copy of pytest (hundreds of MB in a full run), and Linux counts that copy in the child's
#: peak; forked from this small launcher, the peak is the command's own.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_oint(
    *args: str,
    tmp: Path,
    env: dict[str, str] | None = None,
    limit: float = 60,
    stdout: int | None = None,
) -> Run:
    """``oint ARGS`` as a separate process (real stdout/stderr encodings), with its time and
    its own peak memory; killed (with its launcher) after ``limit`` seconds. ``stdout``: a
    file descriptor to write to instead of a file (say ``/dev/full``, or a pipe whose
    reader is gone); ``Run.stdout`` is then empty."""
    out, err, report = tmp / "stdout", tmp / "stderr", tmp / "report"
    report.unlink(missing_ok=True)
    started = time.monotonic()
    with out.open("wb") as captured, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(report), *oint_command(), *args],
            stdout=captured if stdout is None else stdout,
            stderr=stderr,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        killer = threading.Timer(limit, lambda: os.killpg(process.pid, signal.SIGKILL))
        killer.start()
        process.wait()
        killer.cancel()
    code, peak_kb = report.read_text().split() if report.exists() else ("-9", "0")
    return Run(
        code=int(code),
        stdout=out.read_text(encoding="utf-8"),
        stderr=err.read_text(encoding="utf-8"),
        seconds=time.monotonic() - started,
        peak_rss_mb=int(peak_kb) / 1024,  # kilobytes on Linux
    )


def oint_command() -> list[str]:
    """The installed ``oint`` console script, else ``python -m oint``."""
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint"]


# -- CreateRefusal against a local CDEK (test_cli, test_dispatcher, test_http...) ---------------

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-S3CRET-abcdef123456"
PATH = f"/v2/orders/{ORDER}/refusal"
ACCEPTED = {
    "entity": {"uuid": ORDER},
    "requests": [
        {
            "request_uuid": "72753031-1e7c-4b1b-8b5c-3c6c2a0a0001",
            "type": "CREATE_REFUSAL",
            "date_time": "2026-08-01T14:34:18+0000",
            "state": "ACCEPTED",
            "errors": [],
            "warnings": [],
        }
    ],
    "related_entities": [],
}
NOT_FOUND = {
    "requests": [
        {
            "type": "CREATE_REFUSAL",
            "state": "INVALID",
            "date_time": "2026-08-01T14:34:18+0000",
            "errors": [{"code": "v2_entity_not_found", "message": "Заказ не найден"}],
            "warnings": [],
        }
    ]
}


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    return httpserver


def refuse(*extra: str, token: str | None = TOKEN, env: dict | None = None):  # noqa: ANN201
    args = ["cdek", "CreateRefusal", "--uuid", ORDER, *extra]
    if token is not None:
        args += ["--token", token]
    return run_cli(args, env=env)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
