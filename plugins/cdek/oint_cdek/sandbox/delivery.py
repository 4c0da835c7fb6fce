"""Sending webhook events: one background thread per sandbox POSTs each event to every
matching subscription, following CDEK's delivery rules, and records every attempt in the
request log (``"direction": "out"``).

CDEK's rules are the notes of the section on the structure of webhooks (the ``common`` tag
of its specification); the figures below are those notes', and ``SandboxConfig.
webhook_time_scale`` multiplies every time:

- connect timeout: ``CONNECT_TIMEOUT`` (the sandbox applies it to the whole exchange, connect
  and answer, however slowly the answer trickles, and never scales it below
  ``MIN_TIMEOUT``); a timeout is retried;
- at most ``MAX_ATTEMPTS`` attempts within ``ATTEMPTS_WINDOW`` (CDEK gives the count and the
  window, not the pauses: the sandbox waits ``2**n`` seconds after attempt n, so twelve
  attempts with their timeouts end within the window); then CDEK stops, and disables every
  active subscription on that URL;
- any other failure (an answer that is not 200 OK, a refused connection): not retried, and
  the subscription is removed ``FAILING_REMOVAL`` later.

A disabled or removed subscription leaves the account's list (CDEK's ``GET /v2/webhooks``
lists active ones); the control plane still shows it, with when and why.

Safety: the sandbox never sends outside loopback, nor to itself. Only ``http``/``https`` URLs
whose host is ``localhost``, a 127.0.0.0/8 address or ``::1`` are contacted (a name must
resolve to loopback only), on another port than the sandbox's own; an event for any other
subscription is logged as refused and never attempted.
Redirects are not followed (a 3xx is a failure) and at most ``MAX_ANSWER`` bytes of an
answer are read. Query values and user info of a URL are masked in the log.

Events of one subscription go out in the order they happened: the next waits until the one
before is delivered or given up.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .events import Event

if TYPE_CHECKING:
    from .backend import SandboxState
    from .models import _Webhook

CONNECT_TIMEOUT = 15.0
MAX_ATTEMPTS = 12
ATTEMPTS_WINDOW = 75 * 60.0
#: Seconds after a failed attempt (other than a timeout) before the subscription goes.
FAILING_REMOVAL = 24 * 3600.0
#: The pause after attempt n is ``BACKOFF_BASE ** n`` seconds (2, 4, ... 2048).
BACKOFF_BASE = 2.0
#: The shortest timeout a scaled one becomes: below it, a loopback exchange would time out
#: on a busy machine's scheduling rather than on the receiver.
MIN_TIMEOUT = 0.05
#: Bytes of a receiver's answer read at most (the rest is never read).
MAX_ANSWER = 64 * 1024
#: How often, at most, the worker settles the sandbox's pending changes on its own while
#: subscriptions on loopback exist, so events go out without waiting for the next request.
_SETTLE_EVERY = 0.5
_USER_AGENT = "cdek-sandbox-webhooks/1"


def backoff(attempt: int) -> float:
    """Seconds (unscaled) to wait after failed attempt number ``attempt`` (1-based)."""
    return float(BACKOFF_BASE**attempt)


def redact(url: str) -> str:
    """``url`` with every query value and any user info masked, for logs and listings."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "***"
    if ":" in host:
        host = f"[{host}]"
    netloc = ("***@" if parts.username or parts.password else "") + host
    if port is not None:
        netloc += f":{port}"
    query = "&".join(
        f"{name}=***" if sep else name
        for name, sep, _ in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def refusal(url: str) -> str | None:
    """Why the sandbox will not send to ``url``; None for an http(s) URL on loopback."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs are contacted"
    if not host:
        return "the URL names no host"
    if host.lower() == "localhost":
        try:
            found = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
        except OSError:
            return "localhost does not resolve here"
        addresses = [str(info[4][0]) for info in found]
        if addresses and all(_is_loopback(a) for a in addresses):
            return None
        return "localhost resolves beyond loopback here"
    if _is_loopback(host):
        return None
    return "the sandbox sends webhooks to loopback addresses only (127.0.0.0/8, ::1, localhost)"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass
class _Attempted:
    status: int | None
    error: str | None
    timed_out: bool


def post(url: str, body: bytes, timeout: float) -> _Attempted:
    """One POST of ``body`` to a loopback ``url`` (checked by the caller), never following a
    redirect, reading at most ``MAX_ANSWER`` bytes of the answer."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": _USER_AGENT}
    # The socket's timeout bounds each read; the whole exchange is bounded by hanging up when
    # ``timeout`` has passed, so an answer trickled a byte at a time times out too.
    deadline = time.monotonic() + timeout
    cut = threading.Event()

    def hang_up() -> None:
        cut.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer: threading.Timer | None = None
    try:
        connection.connect()  # bounded by the socket's timeout
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), hang_up)
        timer.daemon = True
        timer.start()
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER)
        if cut.is_set():
            return _Attempted(None, "timed out", True)
        return _Attempted(answer.status, None, False)
    except TimeoutError:
        return _Attempted(None, "timed out", True)
    except (OSError, http.client.HTTPException) as exc:
        if cut.is_set():
            return _Attempted(None, "timed out", True)
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return _Attempted(None, str(reason), False)
    finally:
        if timer is not None:
            timer.cancel()
        connection.close()


@dataclass
class _Delivery:
    """One event on its way to one subscription."""

    hook: _Webhook
    event: dict[str, Any]
    body: bytes
    attempt: int = 0
    due: float = 0.0  # time.monotonic() of the next attempt


class Outbox:
    """The delivery worker of one sandbox: started on first need, a daemon thread, stopped
    by ``stop()``. Lock order: the state's lock, then the outbox's (never the reverse)."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._cond = threading.Condition()
        self._queues: dict[str, deque[_Delivery]] = {}
        #: hook uuid -> monotonic time it is removed (a failure other than a timeout).
        self._removals: dict[str, float] = {}
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._last_settle = 0.0

    @property
    def _scale(self) -> float:
        return float(self._state.config.webhook_time_scale)

    # --- called by the state, its lock held -----------------------------------------------

    def send(self, event: Event, hooks: list[_Webhook]) -> None:
        """Queue ``event`` for each of ``hooks`` (or log it refused); never blocks."""
        payload = event.to_json()
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        now = time.monotonic()
        for hook in hooks:
            reason = refusal(hook.url) or self._itself(hook.url)
            if reason is not None:
                self._log(hook, payload, 0, None, reason, "refused")
                continue
            with self._cond:
                self._queues.setdefault(hook.uuid, deque()).append(
                    _Delivery(hook, payload, body, due=now)
                )
                self._cond.notify_all()
        self.start()

    def _itself(self, url: str) -> str | None:
        """Why not to send to a loopback ``url`` on this sandbox's own port: its control
        plane would act on the event (``/_sandbox/webhooks/trigger`` sends the next one, an
        endless storm; ``/_sandbox/reset`` wipes it)."""
        root = self._state.root_url
        try:
            own = urlsplit(root).port if root else None
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None
        return "the sandbox does not send webhooks to itself" if port == own else None

    def drop(self, hook_uuid: str) -> None:
        """Forget what is queued for a subscription that is gone."""
        with self._cond:
            self._queues.pop(hook_uuid, None)
            self._removals.pop(hook_uuid, None)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._queues.clear()
            self._removals.clear()
            self._cond.notify_all()

    # --- the thread ------------------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            if self._thread is not None or self._stopping:
                return
            self._thread = threading.Thread(
                target=self._run, name="cdek-sandbox-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (an attempt under way ends within its timeout)."""
        with self._cond:
            self._stopping = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def pending(self) -> int:
        """Deliveries queued or under way."""
        with self._cond:
            return sum(len(q) for q in self._queues.values()) + self._busy

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or under way; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while any(self._queues.values()) or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping:
                    return False
                self._cond.wait(left)
            return True

    def _run(self) -> None:
        while True:
            delivery = self._next()
            if delivery is None:
                return
            if isinstance(delivery, str):  # a removal due, or time to settle
                self._housekeeping(delivery)
                continue
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _next(self) -> _Delivery | str | None:
        """The next due delivery (taken off its queue's head), "settle"/"remove:..." for
        housekeeping, or None to stop."""
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                wake: list[float] = []
                for queue in self._queues.values():
                    if queue and queue[0].due <= now:
                        self._busy += 1
                        return queue.popleft()
                    if queue:
                        wake.append(queue[0].due)
                for hook_uuid, at in self._removals.items():
                    if at <= now:
                        return f"remove:{hook_uuid}"
                    wake.append(at)
                if self._deliverable():
                    if now - self._last_settle >= _SETTLE_EVERY:
                        self._last_settle = now
                        return "settle"
                    wake.append(self._last_settle + _SETTLE_EVERY)
                self._cond.wait(max(0.0, min(wake) - now) if wake else None)
            return None

    def _deliverable(self) -> bool:
        """Whether a subscription exists that events can be sent to (on loopback): only
        then does the worker settle changes on its own (reading the sandbox's clock)."""
        hooks = list(self._state.webhooks.values())
        return any(refusal(hook.url) is None for hook in hooks)

    def _housekeeping(self, task: str) -> None:
        if task == "settle":
            self._state.publish_events(settle=True)
            return
        hook_uuid = task.split(":", 1)[1]
        with self._state.lock:
            self._state.disable_webhooks(
                [hook_uuid], "removed: a delivery failed (not a timeout) 24 h before"
            )
        self.drop(hook_uuid)

    def _attempt(self, delivery: _Delivery) -> None:
        hook = delivery.hook
        delivery.attempt += 1
        with self._state.lock:
            active = self._state.webhooks.get(hook.uuid) is hook
        if not active:
            return
        timeout = max(CONNECT_TIMEOUT * self._scale, MIN_TIMEOUT)
        result = post(hook.url, delivery.body, timeout)
        if result.status == 200:
            self._log(hook, delivery.event, delivery.attempt, 200, None, "delivered")
            return
        if result.timed_out and delivery.attempt < MAX_ATTEMPTS:
            self._log(hook, delivery.event, delivery.attempt, None, result.error, "retrying")
            delivery.due = time.monotonic() + backoff(delivery.attempt) * self._scale
            with self._cond:  # back at its queue's head: later events wait for it
                self._queues.setdefault(hook.uuid, deque()).appendleft(delivery)
                self._cond.notify_all()
            return
        if result.timed_out:
            self._log(hook, delivery.event, delivery.attempt, None, result.error, "gave_up")
            with self._state.lock:
                gone = [h.uuid for h in self._state.webhooks.values() if h.url == hook.url]
                reason = f"disabled: {MAX_ATTEMPTS} attempts timed out"
                self._state.disable_webhooks(gone, reason)
            for hook_uuid in gone:
                self.drop(hook_uuid)
            return
        error = result.error or f"answered {result.status}, not 200"
        self._log(hook, delivery.event, delivery.attempt, result.status, error, "failed")
        with self._cond:
            self._removals.setdefault(hook.uuid, time.monotonic() + FAILING_REMOVAL * self._scale)
            self._cond.notify_all()

    def _log(
        self,
        hook: _Webhook,
        event: dict[str, Any],
        attempt: int,
        status: int | None,
        error: str | None,
        outcome: str,
    ) -> None:
        shown = redact(hook.url)
        parts = urlsplit(shown)
        entry = {
            "direction": "out",
            "method": "POST",
            "url": shown,
            "path": parts.path or "/",
            "query": parts.query,
            "status": status,
            "fault": None,
            "account": hook.owner,
            "webhook": hook.uuid,
            "type": event["type"],
            "uuid": event["uuid"],
            "date_time": event["date_time"],
            "attempt": attempt,
            "outcome": outcome,
            "error": error,
        }
        self._state.log_entry(entry)
