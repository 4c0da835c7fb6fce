"""Connections that the call's deadline can cut, loaded with the network stack.

A socket timeout bounds one read, not an answer: a server sending a byte a second never
trips it. Each request therefore carries a ``Watch`` (a context variable, set around the
send and the body read): the connection it uses registers its socket there, and one
watchdog thread shuts that socket down when the call's deadline passes, so whatever read
is blocked returns at once, in the headers, the body or a TLS handshake alike. The watch
also records whether the request began to go out, so that a message can say truthfully
whether a write may have been processed.

The connections also skip informational answers (``103 Early Hints`` and other 1xx but
``101``): ``http.client`` only skips ``100 Continue`` and would take a 103 as the answer.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import http.client
import itertools
import os
import socket
import threading
import time
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# http.client's own limits on a header block.
_MAX_LINE = 65536
_MAX_HEADERS = 100


class Watch:
    """One request under a deadline (``time.monotonic``): the socket it uses, whether any
    of it was sent, whether the deadline cut it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sent = False
        self.expired = False
        self._socket: Any = None
        self._done = False
        self._lock = threading.Lock()

    def use(self, sock: Any) -> None:
        with self._lock:
            if self._done:
                return
            self._socket = sock
            if self.expired:
                _shut(sock)

    def fire(self) -> None:
        """The deadline passed: cut the socket in use, unless the request is finished."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            if self._socket is not None:
                _shut(self._socket)

    def close(self) -> None:
        """The request is over (answer read, or failed): the watchdog leaves it alone."""
        with self._lock:
            self._done = True
            self._socket = None

    @property
    def done(self) -> bool:
        return self._done


current_watch: contextvars.ContextVar[Watch] = contextvars.ContextVar("oint_watch")


def _shut(sock: Any) -> None:
    """Shut a socket down for both directions without touching its TLS state (another
    thread may be inside it): blocked reads and writes return, the file descriptor stays
    open until its owner closes it."""
    raw = sock if isinstance(sock, socket.socket) else getattr(sock, "socket", None)
    if isinstance(raw, socket.socket):
        with contextlib.suppress(OSError):  # already closed, or never connected
            socket.socket.shutdown(raw, socket.SHUT_RDWR)


class Watchdog:
    """One daemon thread firing watches at their deadlines (a heap, earliest first)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, watch: Watch) -> None:
        with self._wake:
            if len(self._heap) >= 4096:  # finished watches wait for their deadline: sweep
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="oint-deadline", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while True:
                    while self._heap and self._heap[0][2].done:
                        heapq.heappop(self._heap)
                    if not self._heap:
                        self._wake.wait()
                        continue
                    left = self._heap[0][0] - time.monotonic()
                    if left <= 0:
                        watch = heapq.heappop(self._heap)[2]
                        break
                    self._wake.wait(left)
            watch.fire()

    def after_fork(self) -> None:
        self._heap = []
        self._wake = threading.Condition()
        self._thread = None


WATCHDOG = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG.after_fork)


def _watch_socket(sock: Any) -> None:
    watch = current_watch.get(None)
    if watch is not None and sock is not None:
        watch.use(sock)


class SkipInformational(http.client.HTTPResponse):
    """An ``http.client`` response that reads past every 1xx answer but ``101``."""

    def _read_status(self) -> tuple[str, int, str]:
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            for _ in range(_MAX_HEADERS + 1):  # the informational answer's headers
                line = self.fp.readline(_MAX_LINE + 1)
                if line in (b"\r\n", b"\n", b""):
                    break


class _Guarded(HTTPConnection):
    """Registers its socket with the request's watch, and notes when sending starts."""

    response_class = SkipInformational

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch_socket(sock)  # before a TLS handshake, which a slow server can stretch too
        return sock

    def send(self, data: Any) -> None:
        if self.sock is None and self.auto_open:
            self.connect()  # as http.client would; a failed connect has sent nothing
        _watch_socket(self.sock)
        watch = current_watch.get(None)
        if watch is not None:
            watch.sent = True
        super().send(data)

    def getresponse(self) -> Any:
        _watch_socket(self.sock)
        return super().getresponse()


class GuardedHTTPConnection(_Guarded):
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": GuardedHTTPConnectionPool,
    "https": GuardedHTTPSConnectionPool,
}
