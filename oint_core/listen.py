"""``oint listen PROVIDER``: receive a provider's webhook events on a local HTTP server.

Nothing here knows a provider: what an event is, how to check it and how to subscribe come
from the provider's ``oint_webhooks`` hook (``oint_core.webhooks``). The receiver:

- takes ``POST <path>?token=<secret>`` only; a wrong or missing secret is 401, compared in
  constant time, and nothing is printed (the secret is never printed except in the URL line);
- refuses a body over the size limit (413), one that is not an event (400, with one line
  saying why), and passes through an event of a type the provider's plugin does not know
  (200, one warning on stderr per type);
- drops redeliveries by the event's key (``WebhookEvent.key``), remembering the last
  ``SEEN_LIMIT`` keys;
- writes each new event as one compact JSON line to standard output or appends it to a
  file, flushed and fsync'ed *before* answering 200, under one lock (lines never
  interleave; an event answered 200 is on disk). A failed write is a 500, so the provider
  delivers the event again;
- optionally relays each new event to a local app (``Forwarder``) from a background queue
  with retries, never delaying the 200.

``listen`` runs it in the foreground until SIGINT or SIGTERM, optionally subscribing the URL
first and removing exactly those subscriptions on the way out.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import queue
import secrets
import signal
import stat
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from . import notices
from .errors import EXIT_USAGE, ApiError, OintError, UsageError, one_line
from .http import is_loopback
from .redact import Redactor
from .webhooks import Call, Subscription, WebhookEvent, Webhooks

if TYPE_CHECKING:
    from types import FrameType

    from werkzeug.serving import BaseWSGIServer

    from .registry import Registry

#: The environment variable ``--secret`` is read from when not given.
SECRET_ENV = "OINT_LISTEN_SECRET"
#: The query parameter the secret travels in.
TOKEN_PARAM = "token"
DEFAULT_PORT = 8090
#: The largest body accepted, in bytes (events are a few hundred bytes).
DEFAULT_MAX_BODY = 1 << 20
#: How many event keys the receiver remembers to drop redeliveries.
SEEN_LIMIT = 100_000
#: Forwarding: attempts per event, the first pause between them (doubling), its cap.
FORWARD_ATTEMPTS = 5
FORWARD_BACKOFF = 0.5
FORWARD_BACKOFF_CAP = 8.0
FORWARD_TIMEOUT = 10.0
#: Events waiting to be forwarded; beyond this, new ones are written but not forwarded.
FORWARD_QUEUE = 10_000
#: Seconds the forwarder gets on exit to deliver what is queued.
FORWARD_GRACE = 5.0
#: Seconds a write in progress gets on exit (a reader of stdout may have stopped reading).
CLOSE_GRACE = 5.0
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: the reader of standard output is gone

Say = Callable[[str], None]


def provider_webhooks(registry: Registry, provider: str) -> Webhooks:
    """The provider's ``Webhooks`` from its plugin, or a usage error naming who has some."""
    name = registry.provider(provider).name  # an unknown provider: the registry says so
    manager = registry.loaded.manager if registry.loaded is not None else None
    found = manager.hook.oint_webhooks(provider=name) if manager is not None else None
    if found is None:
        raise UsageError(f"provider {name!r} offers no webhooks to listen to")
    if not isinstance(found, Webhooks):
        raise UsageError(
            f"provider {name!r}: its plugin returned {type(found).__name__}, not Webhooks"
        )
    return found


# -- where accepted events go ---------------------------------------------------------------


class Sink:
    """Writes one line per event to a file descriptor, synced before returning.

    Unbuffered: a line is either wholly handed to the system or, when the write fails (a full
    disk), cut off again in a regular file, so no half line is left for the next one to run
    into. fsync is skipped where the descriptor cannot take it (a pipe, a terminal): there
    the line is with the reader when ``write`` returns.
    """

    def __init__(self, fd: int, *, close: bool = False) -> None:
        self._fd = fd
        self._close = close
        self._regular = stat.S_ISREG(os.fstat(fd).st_mode)
        self._sync = True

    @classmethod
    def to_file(cls, path: str) -> Sink:
        """Append to ``path``, made readable by its owner only if it is new."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        return cls(os.open(path, flags, 0o600), close=True)

    @classmethod
    def to_stdout(cls) -> Sink:
        sys.stdout.flush()
        return cls(sys.stdout.fileno())

    def write(self, line: bytes) -> None:
        size = os.lseek(self._fd, 0, os.SEEK_END) if self._regular else None
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            if self._sync:
                try:
                    os.fsync(self._fd)
                except OSError as exc:
                    if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EROFS):
                        raise
                    self._sync = False  # a pipe or a terminal: nothing more to make durable
        except OSError:
            if size is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, size)
            raise

    def close(self) -> None:
        if self._close:
            os.close(self._fd)


# -- relaying to a local app ----------------------------------------------------------------


def _shown_url(url: str) -> str:
    """``url`` without its query, user info and fragment: what may be printed of it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_forward_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--forward-to: {_shown_url(url)!r} is not an http:// or https:// URL with a host",
            option="--forward-to",
        )
    try:
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        raise UsageError(
            "--forward-to: the URL's port is not a number", option="--forward-to"
        ) from None
    return url


class Forwarder:
    """POSTs each event's body to ``url`` from a background thread, in the order received,
    retrying a failure (no answer, or a status other than 2xx) with back-off; an event that
    still fails is reported on ``say`` and dropped (it is already written)."""

    def __init__(
        self,
        url: str,
        say: Say,
        *,
        attempts: int = FORWARD_ATTEMPTS,
        backoff: float = FORWARD_BACKOFF,
        timeout: float = FORWARD_TIMEOUT,
    ) -> None:
        import requests

        self.url = url
        self._say = say
        self._attempts = attempts
        self._backoff = backoff
        self._timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # a local app: no proxy from the environment
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(FORWARD_QUEUE)
        self._stopping = threading.Event()
        self.forwarded = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="oint-forward", daemon=True)
        self._thread.start()

    def put(self, label: str, body: bytes) -> None:
        """Queue one event; never blocks."""
        try:
            self._queue.put_nowait((label, body))
        except queue.Full:
            self.failed += 1
            self._say(
                f"oint: warning: forward queue full ({FORWARD_QUEUE}); {label} was written"
                f" but not forwarded to {_shown_url(self.url)}"
            )

    def close(self, grace: float = FORWARD_GRACE) -> int:
        """Give the queue ``grace`` seconds to drain, then stop; returns how many events
        were left unforwarded (and says so)."""
        deadline = time.monotonic() + grace
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        self._stopping.set()
        left = self._queue.unfinished_tasks
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(timeout=1.0)
        if left:
            self._say(
                f"oint: warning: {left} event(s) were written but not forwarded to"
                f" {_shown_url(self.url)} (still queued at exit)"
            )
        self._session.close()
        return left

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None or self._stopping.is_set():
                    return
                self._deliver(*item)
            finally:
                self._queue.task_done()

    def _deliver(self, label: str, body: bytes) -> None:
        import requests

        pause = self._backoff
        reason = ""
        for attempt in range(1, self._attempts + 1):
            try:
                answer = self._session.post(
                    self.url,
                    data=body,
                    headers={"Content-Type": "application/json"},
                    timeout=self._timeout,
                    allow_redirects=False,
                )
                answer.close()
                if 200 <= answer.status_code < 300:
                    self.forwarded += 1
                    return
                reason = f"status {answer.status_code}"
            except requests.RequestException as exc:
                reason = type(exc).__name__
            if attempt < self._attempts and self._stopping.wait(pause):
                break
            pause = min(pause * 2, FORWARD_BACKOFF_CAP)
        self.failed += 1
        self._say(
            f"oint: warning: could not forward {label} to {_shown_url(self.url)}"
            f" ({reason}; {attempt} attempt(s)); it is in the output"
        )


# -- the receiver ---------------------------------------------------------------------------


class Receiver:
    """The WSGI application that takes deliveries (see the module's description)."""

    def __init__(
        self,
        webhooks: Webhooks,
        *,
        secret: str,
        path: str,
        sink: Sink,
        say: Say,
        forwarder: Forwarder | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        seen_limit: int = SEEN_LIMIT,
        debug: Say | None = None,
        on_reader_gone: Callable[[], None] | None = None,
    ) -> None:
        self.webhooks = webhooks
        #: Called when the reader of the output is gone (EPIPE): nothing can be stored again.
        self._on_reader_gone = on_reader_gone
        self.reader_gone = False
        self._secret = secret.encode("utf-8")
        self.path = path
        self._sink = sink
        self._say = say
        self._forwarder = forwarder
        self._max_body = max_body
        self._debug = debug
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._seen_limit = seen_limit
        self._warned_types: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.accepted = 0
        self.duplicates = 0

    def close(self, grace: float = CLOSE_GRACE) -> None:
        """Take no more events: a write in progress gets ``grace`` seconds to finish (one
        blocked on a reader that stopped reading is left behind: it was not answered 200);
        later ones get 503, so the provider delivers them again."""
        taken = self._lock.acquire(timeout=grace)
        self._closed = True
        if taken:
            self._lock.release()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        from werkzeug.exceptions import HTTPException
        from werkzeug.wrappers import Request, Response

        started = time.perf_counter()
        request = Request(environ)
        try:
            status, text = self.handle(request)
        except (OSError, HTTPException):  # the sender went away, or stalled, mid-body
            status, text = 400, {"error": "the body did not arrive whole"}
        except Exception as exc:  # a bug: one line, never the request (it holds the secret)
            self._say(f"oint: error: {type(exc).__name__} while taking an event: {exc}")
            status, text = 500, {"error": "internal error"}
        if self._debug is not None:  # the path only: the query holds the secret
            detail = text.get("status") or text.get("error") or ""
            took = (time.perf_counter() - started) * 1000
            self._debug(
                f"oint: debug: {request.remote_addr} {request.method} {request.path}"
                f" {status} {detail} ({took:.1f} ms)"
            )

        response = Response(json.dumps(text) + "\n", status=status, content_type="application/json")
        if status == 405:
            response.headers["Allow"] = "POST"
        if self.reader_gone and self._on_reader_gone is not None:
            # As a pipeline expects, listen ends; only once this answer went out whole.
            response.call_on_close(self._on_reader_gone)
        return response(environ, start_response)

    def authorized(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self._secret)

    def handle(self, request: Any) -> tuple[int, Any]:
        """``(status, answer)`` for one request (a werkzeug ``Request``)."""
        if not self.authorized(request.args.get(TOKEN_PARAM)):
            return 401, {"error": "unauthorized"}
        if request.path.rstrip("/") != self.path.rstrip("/"):
            return 404, {"error": "not found"}
        if request.method != "POST":
            return 405, {"error": "only POST"}
        length = request.content_length
        if length is not None and length > self._max_body:
            return 413, {"error": f"body over {self._max_body} bytes"}
        body = _read_at_most(request.stream, self._max_body + 1)
        if len(body) > self._max_body:  # a chunked body says its size only by coming
            return 413, {"error": f"body over {self._max_body} bytes"}
        try:
            event = self.webhooks.parse(body)
        except (ValueError, OintError) as exc:
            return 400, {"error": one_line(str(exc))}
        except Exception as exc:  # a bug in the provider's parser: the provider retries
            self._say(f"oint: error: parsing an event failed: {type(exc).__name__}: {exc}")
            return 500, {"error": "internal error"}
        return self.accept(event, body)

    def accept(self, event: WebhookEvent, body: bytes) -> tuple[int, Any]:
        """Write a parsed event unless its key was seen; 200 only once it is written."""
        # The seen-set holds a 16-byte digest per key, whatever the key's length.
        key = hashlib.blake2b(event.key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        line = event_line(event.raw, body)
        with self._lock:
            if self._closed:
                return 503, {"error": "shutting down"}
            if key in self._seen:
                self._seen.move_to_end(key)
                self.duplicates += 1
                return 200, {"status": "duplicate"}
            try:
                self._sink.write(line)
            except (OSError, ValueError) as exc:
                if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                    self.reader_gone = True  # the answer is sent, then listen ends
                    return 500, {"error": "could not store the event"}
                self._say(f"oint: error: could not write an event: {one_line(str(exc))}")
                return 500, {"error": "could not store the event"}
            self._seen[key] = None
            if len(self._seen) > self._seen_limit:
                self._seen.popitem(last=False)
            self.accepted += 1
            note = getattr(event, "warning", None)
            if not event.known:
                note = f"event type {event.type!r} is not one oint knows; passed through as it came"
            elif note:
                note = f"{event.type} event accepted as it came: {one_line(str(note))}"
            if note and event.type in self._warned_types:
                note = None
            if note:
                self._warned_types.add(event.type)
        if note:
            self._say(f"oint: warning: {note} (this is said once per type)")
        if self._forwarder is not None:
            self._forwarder.put(f"{event.type} event", body)
        return 200, {"status": "accepted"}


def event_line(raw: Mapping[str, Any], body: bytes) -> bytes:
    """The event as one compact JSON line (UTF-8), whatever valid JSON it came as."""
    try:
        text = json.dumps(dict(raw), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a number beyond a float (1e400) reads as inf: the body as it came
        one = body.removeprefix(b"\xef\xbb\xbf").strip()
        return one.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"  # none inside strings
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (an escape in the body): only one carries it
        return (json.dumps(dict(raw), separators=(",", ":")) + "\n").encode("ascii")


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``: never more is held, whatever the sender sends."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


# -- the server -----------------------------------------------------------------------------


def make_server(host: str, port: int, app: Receiver) -> BaseWSGIServer:
    """A threaded werkzeug server with no access log (its lines would carry the secret).

    Raises ``UsageError`` (``--port``/``--host``) when the address cannot be used.
    """
    import socket

    from werkzeug.serving import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_sockaddr,
        select_address_family,
    )

    # werkzeug's and socketserver's own lines (an access log, an error with its traceback)
    # would name the request, token included: none are written.
    class Quiet(WSGIRequestHandler):
        timeout = 60  # seconds a connection may sit idle or trickle

        def log(self, type: str, message: str, *args: Any) -> None:
            return None

    class Server(ThreadedWSGIServer):
        def log(self, type: str, message: str, *args: Any) -> None:
            return None

        def handle_error(self, request: Any, client_address: Any) -> None:
            return None  # a connection that broke: the sender delivers again

    # Bound here rather than by werkzeug, which prints its own lines and exits on a taken port.
    try:
        family = select_address_family(host, port)
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name == "posix":  # elsewhere SO_REUSEADDR would share a port in use
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(get_sockaddr(host, port, family))
            listener.listen(128)
        except BaseException:
            listener.close()
            raise
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)):
            raise UsageError(
                f"--port {port}: address {host}:{port} is already in use (--port 0 picks a"
                " free one)",
                option="--port",
            ) from None
        reason = exc.strerror or one_line(str(exc))
        raise UsageError(f"--host {host}: cannot listen there: {reason}", option="--host") from None
    with listener:
        return Server(host, port, app, Quiet, fd=listener.fileno())


def listen_url(base: str | None, host: str, port: int, path: str, secret: str) -> str:
    """The URL to subscribe with: ``base`` (a public URL, e.g. a tunnel's) or this server's
    address, with ``path`` and the secret."""
    if base:
        parts = urlsplit(base)
        root = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        url = f"{root}{path}"
    else:
        shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        if ":" in shown:
            shown = f"[{shown}]"
        url = f"http://{shown}:{port}{path}"
    return f"{url}?{TOKEN_PARAM}={quote(secret, safe='')}"


def check_public_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise UsageError(
            "--public-url: give an http:// or https:// URL with a host and no query"
            f" (got {_shown_url(url)!r})",
            option="--public-url",
        )
    return url


def check_secret(secret: str, source: str) -> str:
    if len(secret) < 16 or any(c.isspace() for c in secret):
        raise UsageError(
            f"{source}: a secret must be at least 16 characters without spaces",
            option="--secret",
        )
    return secret


# -- subscriptions ---------------------------------------------------------------------------


def choose_types(webhooks: Webhooks, given: Sequence[str]) -> list[str]:
    """The event types to subscribe to: ``given`` (each one the provider knows, in any case,
    without repeats), else the provider's defaults."""
    known = {t.upper(): t for t in webhooks.types}
    chosen: list[str] = []
    for value in given or webhooks.default_types:
        name = known.get(value.strip().upper())
        if name is None:
            raise UsageError(
                f"--type: {value!r} is not an event type of this provider (one of:"
                f" {', '.join(webhooks.types)})",
                option="--type",
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise UsageError("--type: name at least one event type to subscribe to", option="--type")
    return chosen


def check_room(webhooks: Webhooks, call: Call, types: Sequence[str]) -> None:
    """Refuse (``UsageError``) when this provider cannot subscribe, or when ``types`` more
    subscriptions would take the account beyond its limit, counting the ones it holds."""
    subs = webhooks.subscriptions
    if subs is None:
        raise UsageError(
            "--subscribe: this provider's plugin cannot subscribe; subscribe the URL yourself",
            option="--subscribe",
        )
    if subs.limit is None:
        return
    existing = list(subs.list(call))
    if len(existing) + len(types) > subs.limit:
        held = ", ".join(f"{s.type} {s.id}" for s in existing) or "none"
        raise UsageError(
            f"--subscribe: the account may hold {subs.limit} subscription(s); it holds"
            f" {len(existing)} ({held}) and {len(types)} more were asked for"
            f" ({', '.join(types)}): remove some, or ask for fewer with --type",
            option="--subscribe",
        )


def subscribe(
    webhooks: Webhooks, call: Call, url: str, types: Sequence[str], say: Say
) -> list[Subscription]:
    """Subscribe ``url`` to each of ``types`` (after ``check_room``). If one creation fails,
    the ones made are removed and the error raised; when the failed one may have been made
    all the same (its answer was lost: ``sent`` "unknown"), the account's subscriptions to
    ``url`` (which carries this run's secret) are removed too."""
    subs = webhooks.subscriptions
    assert subs is not None
    made: list[Subscription] = []
    try:
        for kind in types:
            made.append(Subscription(subs.create(call, url, kind), url, kind))
            say(f"oint: subscribed to {kind} (subscription {made[-1].id})")
    except BaseException as exc:
        if getattr(exc, "sent", "no") == "unknown":
            known = {sub.id for sub in made}
            with contextlib.suppress(Exception):  # if the list fails too, say what is known
                made += [s for s in subs.list(call) if s.url == url and s.id not in known]
        unsubscribe(webhooks, call, made, say)
        raise
    return made


def unsubscribe(webhooks: Webhooks, call: Call, made: Iterable[Subscription], say: Say) -> bool:
    """Remove each of ``made``; say what was done. False when one could not be removed."""
    subs = webhooks.subscriptions
    done = True
    for sub in made:
        try:
            assert subs is not None
            subs.delete(call, sub.id)
        except Exception as exc:
            done = False
            say(
                f"oint: error: could not remove subscription {sub.id} ({sub.type}):"
                f" {one_line(str(exc))}; remove it yourself"
            )
        else:
            say(f"oint: unsubscribed from {sub.type} (subscription {sub.id})")
    return done


# -- the command -----------------------------------------------------------------------------


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    secret: str | None = None
    out: str | None = None
    forward_to: str | None = None
    public_url: str | None = None
    subscribe: bool = False
    types: tuple[str, ...] = ()
    profile: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    debug: bool = False


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by a second Ctrl-C or SIGTERM: stop waiting for anything."""


def listen(
    registry_of: Callable[[], Registry],
    provider: str,
    options: Options,
    *,
    environ: Mapping[str, str] = os.environ,
    stderr: Say | None = None,
) -> int:
    """Run ``oint listen``; returns the exit code (130 after SIGINT, 143 after SIGTERM).

    ``registry_of`` gives the providers (called here, so that warnings of loading them wait
    too). Errors before serving (options, the address, subscribing) raise ``OintError``;
    the caller prints them. Nothing printed carries the secret except the first line.
    Warnings (``oint_core.notices``) raised before the URL line is printed wait until it is.
    """
    held: list[str] = []
    previous_sink = notices.sink()
    notices.set_sink(held.append)
    try:
        return _listen(registry_of, provider, options, environ, stderr or _stderr, held)
    finally:
        notices.set_sink(previous_sink)
        for message in held:  # an error came before the URL line: they go before it
            if previous_sink is not None:
                previous_sink(message)
            else:
                _stderr(f"oint: warning: {message}")


def _listen(
    registry_of: Callable[[], Registry],
    provider: str,
    options: Options,
    environ: Mapping[str, str],
    raw_say: Say,
    held: list[str],
) -> int:
    registry = registry_of()
    webhooks = provider_webhooks(registry, provider)
    name = registry.provider(provider).name
    if options.secret is not None:
        secret = check_secret(options.secret, "--secret")
    elif environ.get(SECRET_ENV):
        secret = check_secret(environ[SECRET_ENV], SECRET_ENV)
    else:
        secret = secrets.token_urlsafe(24)
    redactor = Redactor([secret, quote(secret, safe="")])

    def say(line: str) -> None:
        raw_say(redactor(line))

    if options.forward_to is not None:
        check_forward_url(options.forward_to)
    if options.public_url is not None:
        check_public_url(options.public_url)
    if options.max_body < 1:
        raise UsageError("--max-body: give a positive number of bytes", option="--max-body")
    types = choose_types(webhooks, options.types) if options.subscribe else []
    call: Call | None = None
    if options.subscribe:
        call = _caller(registry, name, options.profile)
        try:
            check_room(webhooks, call, types)  # before anything listens or is created
        except ApiError as exc:
            raise _Redacted(redactor(str(exc)), exc.exit_code) from None

    sink = Sink.to_file(options.out) if options.out else Sink.to_stdout()
    forwarder = Forwarder(options.forward_to, say) if options.forward_to else None
    path = f"/{name}"
    signals = _Signals()
    app = Receiver(
        webhooks,
        secret=secret,
        path=path,
        sink=sink,
        say=say,
        forwarder=forwarder,
        max_body=options.max_body,
        debug=say if options.debug else None,
        on_reader_gone=lambda: signals.stop(EXIT_PIPE_CLOSED),
    )
    server: BaseWSGIServer | None = None
    serving = False
    made: list[Subscription] = []
    code = 0
    try:
        signals.install()
        server = make_server(options.host, options.port, app)
        url = listen_url(options.public_url, options.host, server.port, path, secret)
        raw_say(url)  # the one line with the secret: what to subscribe with
        notices.set_sink(lambda message: say(f"oint: warning: {message}"))
        for message in held:
            say(f"oint: warning: {message}")
        held.clear()
        if options.public_url:
            local = listen_url(None, options.host, server.port, path, "").partition("?")[0]
            say(f"oint: listening on {local}")
        if not is_loopback(options.host):
            say(
                f"oint: warning: {options.host} is not a loopback address: anyone who reaches"
                " the port can try the URL (only the secret keeps them out); prefer a tunnel"
            )
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        ).start()
        serving = True
        if call is not None:
            if not options.public_url and is_loopback(options.host):
                say(
                    "oint: note: this URL is on loopback: only a server on this machine (a"
                    " sandbox) can deliver to it; for one on the internet, give --public-url"
                    " (a tunnel)"
                )
            made = subscribe(webhooks, call, url, types, say)
        signals.wait()
        code = signals.code
    except _Stop:
        code = signals.code or EXIT_INTERRUPTED
    except ApiError as exc:  # one line; its body would mix with the events on stdout
        raise _Redacted(redactor(str(exc)), exc.exit_code) from None
    except OintError as exc:
        exc.args = (redactor(str(exc)),)
        raise
    finally:
        try:
            if made and call is not None and not unsubscribe(webhooks, call, made, say):
                code = code or 1
            if server is not None:
                if serving:
                    server.shutdown()
                server.server_close()
            if forwarder is not None:
                forwarder.close()
            app.close()
            sink.close()
        finally:
            signals.restore()
    return code


class _Redacted(OintError):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _caller(registry: Registry, provider: str, profile: str | None) -> Call:
    """``call(method, **params)`` through the dispatcher, with the user's settings."""
    from .client import BaseClient

    client = BaseClient(provider, profile, registry=registry)
    return client.call


def _stderr(line: str) -> None:
    from .output import printable

    try:
        sys.stderr.write(printable(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class _Signals:
    """SIGINT and SIGTERM end the wait (a second one stops whatever is running)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.code = 0
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # the caller stops it (tests running it in a thread)
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self._event.is_set()
        self.code = EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED
        self._event.set()
        if not first:
            raise _Stop

    def stop(self, code: int = 0) -> None:
        self.code = code
        self._event.set()

    def wait(self) -> None:
        while not self._event.wait(0.5):
            pass

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_PORT",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "SECRET_ENV",
    "Forwarder",
    "Options",
    "Receiver",
    "Sink",
    "listen",
    "listen_url",
    "make_server",
    "check_room",
    "subscribe",
    "unsubscribe",
]
