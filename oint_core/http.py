"""The core's HTTP layer: one shared session, timeouts, retries, debug output, error mapping.

``requests`` is imported on the first request, not at start-up, so that ``oint --help``
and argument errors never pay for the network stack.

Retry policy (one place, urllib3's ``Retry``; see ``retry_policy``):

- reads (GET, HEAD, OPTIONS) are retried on connection failures, on a connection broken
  while reading, and on 429/502/503/504, with exponential back-off and jitter, honouring
  ``Retry-After``;
- writes (POST, PUT, PATCH, DELETE) are retried only when the request certainly did not
  reach the server (connection refused, DNS, connect timeout) or was refused unprocessed
  (429); never after a read timeout, a connection reset after sending, or a 5xx: CDEK has no
  idempotency key, and a write sent twice can be billed twice;
- no retry starts past the call's deadline (``--timeout``), and none at all with
  ``retries=0``.

The deadline also cuts bytes in flight (``guarded``: a watchdog shuts the socket down), and
every body is streamed under a size cap (``max_body``), decoded chunk by chunk. After a
write went out, every transport failure says it may have been processed.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from . import notices
from .errors import ApiError, Sent, TransportError, UsageError
from .output import printable
from .redact import Redactor

if TYPE_CHECKING:
    import requests

    from .guarded import Watch

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
# Without --timeout a call still ends: no retry starts after this many seconds.
DEFAULT_DEADLINE = 120.0
DEFAULT_RETRIES = 3
BACKOFF_FACTOR = 0.5  # urllib3: 0 s, then 1 s, 2 s, 4 s, … (plus jitter), at most BACKOFF_MAX
BACKOFF_JITTER = 0.25
BACKOFF_MAX = 8.0
READS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES_READ = frozenset({429, 502, 503, 504})
RETRY_STATUSES_WRITE = frozenset({429})  # "Too Many Requests" means: not processed

MIB = 1024 * 1024
MAX_BODY_ENV = "OINT_MAX_BODY"
DEFAULT_MAX_BODY = 64 * MIB  # JSON answers: CDEK's largest (all offices) are ~30 MiB
DEFAULT_MAX_FILE = 512 * MIB  # print forms and photo archives
# Body chunks: small, so that even a decoder without an output bound (urllib3 < 2.6)
# inflates one chunk to at most ~32 MiB (deflate's ratio is at most ~1:1032).
CHUNK = 32 * 1024

# What an Authorization header can carry: visible ASCII, no spaces.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")

_session: requests.Session | None = None
_session_lock = threading.Lock()


#: Connections a session keeps open per host (requests' own default): more threads than
#: this would each open, then discard, a connection of their own.
DEFAULT_POOL_SIZE = 10


def get_session(pool_size: int | None = None) -> requests.Session:
    """The process-wide session, so library callers reuse connections across calls.

    ``dispatch`` and the CLI use it; a client (``oint_core.connect``) has its own
    (``new_session``), so two clients never share connections or cookies. ``pool_size``:
    keep at least that many connections per host open (``oint batch --concurrency``); a
    larger pool replaces the session's adapters once, before the calls that need it.
    """
    global _session
    if _session is None or (pool_size is not None and _pool_size(_session) < pool_size):
        with _session_lock:
            if _session is None:
                _session = new_session(pool_size)
            elif pool_size is not None and _pool_size(_session) < pool_size:
                _mount(_session, pool_size)
    return _session


def _pool_size(session: requests.Session) -> int:
    size: int = getattr(session.get_adapter("https://"), "_pool_maxsize", DEFAULT_POOL_SIZE)
    return size


def _mount(session: requests.Session, pool_size: int) -> None:
    from .retrying import PolicyAdapter

    adapter = PolicyAdapter(pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def new_session(pool_size: int | None = None) -> requests.Session:
    """A session configured as oint sends requests: no ``.netrc``, oint's User-Agent, only
    the encodings oint decodes, and the core's retry policy mounted; ``pool_size``
    connections per host kept open (default ``DEFAULT_POOL_SIZE``)."""
    import requests

    from . import __version__

    session = requests.Session()
    # oint sends the credentials the method gives; with no auth of its own, a session would
    # read ~/.netrc for every request and let an entry for the host replace the bearer token
    # with Basic auth.
    session.auth = _credentials_from_the_method_only
    session.headers["User-Agent"] = f"oint/{__version__} python-requests/{requests.__version__}"
    # Only the encodings oint decodes itself, in bounded steps (see ``_body``); requests would
    # also offer br/zstd when those modules happen to be installed.
    session.headers["Accept-Encoding"] = "gzip, deflate"
    _mount(session, pool_size or DEFAULT_POOL_SIZE)
    return session


def _credentials_from_the_method_only(request: requests.PreparedRequest) -> Any:
    return request


def retry_policy(
    method: str, retries: int, deadline: float, on_retry: Callable[[str], None] | None = None
) -> Any:
    """urllib3's ``Retry`` configured for ``method``, ending at ``deadline`` (monotonic)."""
    from .retrying import DeadlineRetry

    write = method.upper() not in READS
    return DeadlineRetry(
        total=retries,
        connect=retries,
        read=0 if write else retries,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=WRITES if write else READS,
        status_forcelist=RETRY_STATUSES_WRITE if write else RETRY_STATUSES_READ,
        backoff_factor=BACKOFF_FACTOR,
        backoff_jitter=BACKOFF_JITTER,
        backoff_max=BACKOFF_MAX,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
        deadline=deadline,
        on_retry=on_retry,
    )


def environment_settings(session: requests.Session, url: str) -> dict[str, Any]:
    """What ``Session.request`` would take from the environment (proxies, CA bundle).

    Loopback is never proxied: the sandbox and local test servers must not go through a
    proxy meant for the internet (and skipping the environment scan saves time per call).
    """
    if is_loopback(urlsplit(url).hostname or ""):
        return {"proxies": {}, "verify": session.verify, "stream": False, "cert": None}
    return dict(session.merge_environment_settings(url, {}, None, None, None))


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# For text ``urlsplit`` refuses (``http://u:pw@[::1``) or reads without a host
# (``u:pw@proxy:3128``): the authority is what comes before the first / ? or #.
# Text, compiled on first use (only a malformed URL needs it).
_AUTHORITY = r"^(?P<scheme>(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?(?P<authority>[^/?#]*)"


def host_of(url: str) -> str:
    """The host (and port) of ``url``, never a ``user:password@`` it carries; any text is
    accepted, a malformed URL too."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        netloc = ""
    if not netloc:
        match = re.match(_AUTHORITY, url)
        netloc = match["authority"] if match and match["scheme"] else ""
    return netloc.rpartition("@")[2] if netloc else display_url(url)


def display_url(url: str) -> str:
    """``url`` safe to print: a ``user:password@`` in it becomes ``***@``, whatever the
    text (a malformed URL too)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None and parts.netloc:
        if "@" not in parts.netloc:
            return url
        return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
    match = re.match(_AUTHORITY, url)
    if match is None or "@" not in match["authority"]:
        return url
    host = match["authority"].rpartition("@")[2]
    return f"{match['scheme'] or ''}***@{host}{url[match.end() :]}"


def _first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def error_list(body: Any) -> list[dict[str, Any]]:
    """Every error object in an answer, whatever shape the service used.

    Seen shapes: ``{"requests": [{"errors": [...]}]}``, top-level ``{"errors": [...]}`` and
    OAuth's ``{"error": ..., "error_description": ...}``.
    """
    if not isinstance(body, dict):
        return []
    found: list[dict[str, Any]] = []
    for request in body.get("requests") or []:
        if isinstance(request, dict):
            found.extend(e for e in request.get("errors") or [] if isinstance(e, dict))
    found.extend(e for e in body.get("errors") or [] if isinstance(e, dict))
    if isinstance(body.get("error"), str):
        found.append({"code": body["error"], "message": body.get("error_description", "")})
    return found


class HttpClient:
    """Sends one call's requests with its timeout, redaction and debug sink."""

    def __init__(
        self,
        *,
        service: str,
        redactor: Redactor,
        timeout: float | None = None,
        retries: int | None = None,
        debug: Callable[[str], None] | None = None,
        started: float | None = None,
        dry_run: bool = False,
        proxy: str | None = None,
        progress: Callable[[str], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.service = service
        # A client's own session (``oint_core.connect``); None: the process-wide one.
        self.session = session
        self.redactor = redactor
        # --test: requests are prepared and described (``dryrun.WouldSend``), never sent.
        self.dry_run = dry_run
        # --config's proxy: every request of the call goes through it, loopback included.
        self.proxy = proxy
        if proxy:
            userinfo = urlsplit(proxy).netloc.rpartition("@")[0]
            for secret in (userinfo, userinfo.partition(":")[2]):
                self.redactor.add(secret)
                self.redactor.add(unquote(secret))
        # --timeout bounds the whole call: each attempt gets at most what is left of it, and
        # no retry starts after it.
        # ``started``: when the call began (``time.monotonic``); by default, now.
        started = time.monotonic() if started is None else started
        self.deadline = started + (DEFAULT_DEADLINE if timeout is None else timeout)
        self.attempt_timeout = (
            (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
            if timeout is None
            else (min(timeout, DEFAULT_CONNECT_TIMEOUT), timeout)
        )
        self.total = DEFAULT_DEADLINE if timeout is None else timeout
        self.retries = DEFAULT_RETRIES if retries is None else retries
        # Requests of this call that (began to) go out, for truthful messages after them.
        self.requests_sent = 0
        self.writes_sent = 0
        self.writes_refused = 0  # writes the service answered with an error status
        self.last_status: int | None = None  # of the last answer, for providers' checks
        self.last_headers: dict[str, str] = {}  # of the last answer, secrets masked
        self._debug = debug
        self._progress = progress  # the call's status line (a retry's back-off shows there)

    @staticmethod
    def refuse_plain_http(url: str, *, carries_secret: bool) -> None:
        """A token or password never travels unencrypted beyond this machine."""
        parts = urlsplit(url)
        if carries_secret and parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            raise UsageError(
                f"refusing to send credentials over plain http:// to {host_of(url)}:"
                " use https://, or http:// only for a loopback address (127.0.0.1, localhost)"
            )

    def debug(self, line: str) -> None:
        if self._debug is not None:
            self._debug(self.redactor(line))

    def request(
        self,
        method: str,
        url: str,
        *,
        bearer: str | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        binary: bool = False,
        changes: bool | None = None,
    ) -> Any:
        """Send a request and return the parsed JSON (or bytes when ``binary``).

        ``changes`` says whether the request changes anything at the service; by default,
        whether its verb is a write. A POST that only asks (a token request) passes False, so
        its failure never reads as a write that may have been processed.

        ``headers`` are extra request headers a method needs (CDEK's ``X-User-Lang``); the
        ``Authorization`` header is the core's and comes only from ``bearer``.

        Raises ``ApiError`` for an error status, ``TransportError`` when the exchange
        failed or a success body is unreadable, ``UsageError`` for a URL that cannot work.
        """
        import requests

        extra = dict(headers or {})
        if any(name.lower() == "authorization" for name in extra):
            raise ValueError("a method may not set the Authorization header; pass bearer=")
        headers = {"Accept": "application/pdf, */*" if binary else "application/json", **extra}
        if bearer is not None:
            self.redactor.add(bearer)
            if not _HEADER_SAFE.fullmatch(bearer):
                # Refused here, before requests quotes (part of) it in an error message.
                raise UsageError(
                    "the token is malformed: it contains spaces, control or non-ASCII characters",
                    option="--token",
                )
            headers["Authorization"] = f"Bearer {bearer}"
        host = host_of(url)
        userinfo = urlsplit(url).netloc.rpartition("@")[0]
        for secret in (userinfo, userinfo.partition(":")[2]):  # never printed, whatever
            self.redactor.add(secret)  # length or spelling (see display_url)
            self.redactor.add(unquote(secret))
        prepared = requests.Request(
            method, url, headers=headers, params=params, json=json_body, data=form
        )
        session = self.session if self.session is not None else get_session()
        try:
            request = session.prepare_request(prepared)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            shown = display_url(url)
            raise UsageError(
                self.redactor(f"invalid URL {shown!r}: {str(exc).replace(url, shown)}")
            ) from None
        if self._debug is not None:
            self.debug(f"> {request.method} {display_url(request.url or url)}")
            for name, value in self.redactor.headers(request.headers).items():
                self.debug(f"> {name}: {value}")
        self.refuse_plain_http(request.url or url, carries_secret=bearer is not None or bool(form))
        if self.dry_run:
            from .dryrun import WouldSend, describe

            shown = display_url(request.url or url)
            proxy = display_url(self.proxy) if self.proxy else None
            raise WouldSend(describe(request, self.redactor, shown_url=shown, proxy=proxy))
        limit = max_body(binary)
        verb = (request.method or method).upper()
        write = verb in WRITES if changes is None else changes
        started = time.perf_counter()
        policy = retry_policy(
            verb,
            self.retries,
            self.deadline,
            on_retry=self._on_retry if self._debug or self._progress else None,
        )
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:  # a write sent now could reach the server after we gave up on it
            raise TransportError(
                f"the call's deadline passed before the {verb} to {host} was sent;"
                f" {self.nothing_sent()} (raise --timeout)",
                host=host,
            )
        connect, read = self.attempt_timeout
        settings = {**environment_settings(session, request.url or url), "stream": True}
        if self.proxy:
            settings["proxies"] = {"http": self.proxy, "https": self.proxy}
            self.debug(f"> (through the proxy {host_of(self.proxy)})")
        from .guarded import WATCHDOG, Watch, current_watch
        from .retrying import current_policy

        watch = Watch(self.deadline)
        tokens = (current_policy.set(policy), current_watch.set(watch))
        WATCHDOG.add(watch)
        try:
            try:
                response = session.send(
                    request,
                    timeout=(min(connect, remaining), min(read, remaining)),
                    allow_redirects=False,  # a redirected write must not become a GET, nor a
                    **settings,  # secret go to a host refuse_plain_http never saw
                )
            except requests.exceptions.RequestException as exc:
                self.debug(f"< failed after {(time.perf_counter() - started) * 1000:.0f} ms")
                raise self._failure(
                    describe_failure(exc, self._failed_peer(exc, host)), verb, host, watch, write
                ) from None
            self.last_status = response.status_code
            self.last_headers = self.redactor.headers(response.headers)
            elapsed = (time.perf_counter() - started) * 1000
            self.debug(f"< {response.status_code} {response.reason} ({elapsed:.0f} ms)")
            body = self._body(response, verb, host, watch, limit, write)
        finally:
            watch.close()
            if watch.sent:
                self.requests_sent += 1
                self.writes_sent += write
            current_watch.reset(tokens[1])
            current_policy.reset(tokens[0])
        try:
            return self._read(response, body, host, binary, verb if write else "GET")
        except ApiError as exc:
            # A 4xx answer refuses the write; after a 5xx (a gateway's, a crash) it may
            # have been processed all the same.
            self.writes_refused += write and exc.status < 500
            raise

    def _failed_peer(self, exc: BaseException, host: str) -> str:
        """Who a failed exchange was with: the proxy when one is in use and it was the one
        that failed (refused, unreachable, tunnel refused), named without its credentials;
        else ``host``."""
        if self.proxy:
            chain = _causes(exc)
            if any(type(c).__name__ == "ProxyError" for c in chain) or any(
                isinstance(c, ConnectionRefusedError) for c in chain
            ):
                return f"the proxy {host_of(self.proxy)}"
        return host

    def _on_retry(self, line: str) -> None:
        """A retry is coming: a debug line, and the status line during its back-off."""
        self.debug(line)
        if self._progress is not None:
            self._progress(f"{self.service}: {line.removeprefix('< ')}")

    def time_left(self) -> float:
        """Seconds until the call's deadline (negative once it has passed)."""
        return self.deadline - time.monotonic()

    def nothing_sent(self) -> str:
        """How a message ends when a request of this call was not sent: "nothing was sent",
        or what earlier requests of the call did go out."""
        if self.writes_sent:
            return (
                "it was not sent, but an earlier write of this call was, and may have been"
                " processed"
            )
        return "nothing more was sent" if self.requests_sent else "nothing was sent"

    def write_refused(self) -> None:
        """The service refused a write of this call after accepting it (CDEK: a request it
        processed as INVALID): the write counts as refused, as one answered 4xx does."""
        self.writes_refused = min(self.writes_refused + 1, self.writes_sent)

    def sent(self) -> Sent:
        """What a failed call did at the service: "no" (no request went out), "unknown" (a
        write went out and was not refused with a 4xx status: no answer came, a 5xx came,
        or it was accepted and the call failed after it), or "yes" (requests went out, every
        write among them was refused)."""
        if not self.requests_sent:
            return "no"
        return "unknown" if self.writes_sent > self.writes_refused else "yes"

    def _failure(
        self, what: str, verb: str, host: str, watch: Watch, write: bool = True
    ) -> TransportError:
        """A TransportError saying what failed and, after a write went out, that it may
        have been processed (CDEK has no idempotency key: the caller must check)."""
        if watch.expired or (watch.sent and self.time_left() <= 0):
            what = f"{host} did not answer in time: the call's {self.total:g} s deadline passed"
        if watch.sent and write and verb in WRITES:
            what += (
                f"; the {verb} was sent and may have been processed: check before sending it again"
            )
        return TransportError(self.redactor(what), host=host)

    def _body(
        self,
        response: requests.Response,
        verb: str,
        host: str,
        watch: Watch,
        limit: int,
        write: bool = True,
    ) -> bytes:
        """The whole body, decoded (gzip, deflate), read in chunks under the size cap and
        the deadline; the connection is dropped if it is not read to its end."""
        import urllib3

        raw = response.raw
        finished = False
        try:
            coding = response.headers.get("Content-Encoding", "")
            if "," in coding:  # each layer multiplies: nobody sends this but a bomb
                raise self._failure(
                    f"{host} answered with stacked content encodings ({coding!r})",
                    verb,
                    host,
                    watch,
                    write,
                )
            declared = response.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                raise self._failure(too_big(host, limit), verb, host, watch, write)
            decoder = _Decoder(coding)
            body = bytearray()
            received = 0
            for raw_chunk in raw.stream(CHUNK, decode_content=False):
                received += len(raw_chunk)
                if received > limit:
                    raise self._failure(too_big(host, limit), verb, host, watch, write)
                # Decoded in steps of at most CHUNK bytes, each counted before the next: a
                # bomb (1 MB of gzip that inflates to GBs) costs at most ``limit`` + CHUNK.
                for piece in decoder.feed(raw_chunk):
                    body += piece
                    if len(body) > limit:
                        raise self._failure(too_big(host, limit), verb, host, watch, write)
                if watch.expired or self.time_left() <= 0:
                    watch.fire()
                    raise self._failure("", verb, host, watch, write)
            for piece in decoder.finish():
                body += piece
                if len(body) > limit:
                    raise self._failure(too_big(host, limit), verb, host, watch, write)
            if watch.expired:  # a cut header block or body can look complete: it is not
                raise self._failure("", verb, host, watch, write)
            finished = True
            return bytes(body)
        except (urllib3.exceptions.HTTPError, OSError, zlib.error, _Undecodable) as exc:
            if isinstance(exc, (zlib.error, _Undecodable)) and not watch.expired:
                what = f"{host} sent a body that cannot be decoded ({coding or 'identity'})"
            else:
                what = describe_failure(exc, host)
            raise self._failure(what, verb, host, watch, write) from None
        finally:
            if not finished:
                response.close()  # a half-read connection must not go back to the pool

    def _parse(self, text: str, host: str) -> Any:
        value, odd = parse_json(text)
        if odd:
            notices.warn(
                f"{self.service}: {host} answered with NaN or Infinity, which JSON does not"
                " have; read as null"
            )
        return value

    def _read(
        self, response: requests.Response, content: bytes, host: str, binary: bool, verb: str
    ) -> Any:
        status = response.status_code
        if 200 <= status < 300 and binary:
            return content
        # A service that echoes a secret back must not make us print it: a JSON body is
        # parsed first and its string values redacted (so a secret echoed as a ``\u`` escape
        # is found, and a short secret never masks digits of a number); other text is
        # redacted as text.
        text = content.decode("utf-8", "replace")
        if 200 <= status < 300:
            if not text.strip():
                return {}
            try:
                return self.redactor.value(self._parse(text, host))
            except ValueError:
                what = (
                    f"{host} answered {status} with a body that is not valid JSON:"
                    f" {printable(_first_line(self.redactor(text), 80))!r}"
                )
                if verb in WRITES:
                    what += f"; the {verb} was processed (status {status}): check its result"
                raise TransportError(what, host=host) from None
        try:
            body: Any = self.redactor.value(self._parse(text, host)) if text.strip() else ""
        except ValueError:
            body = self.redactor(text)
        errors = error_list(body)
        if 300 <= status < 400:
            detail = f"redirect to {response.headers.get('Location', '?')!r} not followed"
        elif errors:  # the service's whole error text, on one line: nothing cut
            detail = "; ".join(
                f"{e.get('code', '?')}: {' '.join(str(e.get('message', '')).split())}"
                for e in errors
            )
        elif isinstance(body, str) and body:
            detail = _first_line(body, 100)
        else:
            detail = "no error details"
        raise ApiError(
            printable(
                self.redactor(f"{self.service} answered {status} {response.reason}: {detail}")
            ),
            status=status,
            body=body,
            errors=errors,
        )


def parse_json(text: str) -> tuple[Any, bool]:
    """JSON as Python, and whether the text held values JSON does not have.

    ``NaN``, ``Infinity`` and numbers beyond a float's range (``1e999``) become ``None``, so
    that what oint prints is always JSON; nesting too deep to parse is a ``ValueError``
    like any other malformed text. Lone surrogate escapes (``"\\ud83d"``) are kept; the CLI
    prints them escaped (``output.to_json``).
    """
    odd = False

    def constant(_: str) -> None:
        nonlocal odd
        odd = True

    def number(text: str) -> float | None:
        value = float(text)
        if math.isfinite(value):
            return value
        constant(text)
        return None

    try:
        return json.loads(text, parse_constant=constant, parse_float=number), odd
    except RecursionError:
        raise ValueError("nested too deeply") from None


class _Undecodable(ValueError):
    """A content encoding oint did not ask for and cannot decode."""


class _Decoder:
    """Undo a body's ``Content-Encoding`` (identity, gzip, deflate) in bounded steps:
    ``feed`` yields pieces of at most ``CHUNK`` bytes however much a raw chunk inflates."""

    def __init__(self, coding: str) -> None:
        coding = coding.strip().lower()
        self._zlib: Any = None
        self._deflate = coding == "deflate"
        if coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._deflate:
            self._zlib = zlib.decompressobj()  # zlib-wrapped, as the standard says...
        elif coding not in ("", "identity"):
            raise _Undecodable(coding)
        self._first = True
        self._head = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            yield data
            return
        if self._deflate and self._first:
            data = self._head + data
            if len(data) < 2:  # the two bytes that tell zlib from raw deflate
                self._head = data
                return
            self._first = False
            if (data[0] & 0x0F) != 8 or (data[0] * 256 + data[1]) % 31:  # no zlib header:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as many send
        while data:
            piece = self._zlib.decompress(data, CHUNK)
            if piece:
                yield piece
            if self._zlib.eof:  # a gzip body may hold several members, one after another
                if self._deflate:
                    return  # a deflate stream is one: anything after its end is ignored
                data = self._zlib.unused_data
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            left = self._zlib.unconsumed_tail
            if not piece and left == data:
                break  # no progress: wait for more input
            data = left

    def finish(self) -> Iterator[bytes]:
        if self._head:  # a deflate body of one byte: let zlib say what it makes of it
            self._first, head, self._head = False, self._head, b""
            yield from self.feed(head)
        if self._zlib is not None:
            while True:
                piece = self._zlib.decompress(b"", CHUNK)  # drain, still bounded
                if not piece:
                    break
                yield piece


def max_body(binary: bool) -> int:
    """The most bytes an answer may have, raw or decoded: ``OINT_MAX_BODY`` when set, else
    64 MiB for JSON and 512 MiB for files (PDF, ZIP)."""
    text = os.environ.get(MAX_BODY_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_FILE if binary else DEFAULT_MAX_BODY
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise UsageError(f"{MAX_BODY_ENV}: {text!r} is not a positive whole number of bytes")
    return int(text)


def too_big(host: str, limit: int) -> str:
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"
    return f"{host} answered with a body over {size}, refused (raise {MAX_BODY_ENV})"


def describe_failure(exc: BaseException, host: str) -> str:
    """One line saying what went wrong with the exchange, in words a user can act on."""
    import requests

    chain = _causes(exc)
    names = {type(c).__name__ for c in chain}
    if isinstance(exc, requests.exceptions.SSLError) or "SSLError" in names:
        return f"TLS failure talking to {host}: {_root_reason(chain)}"
    if "NameResolutionError" in names or any(
        "Name or service not known" in str(c) or "getaddrinfo failed" in str(c) for c in chain
    ):
        return f"cannot resolve host {host}"
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return f"connection refused by {host}"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or (
        "ConnectTimeoutError" in names and "NewConnectionError" not in names
    ):
        return f"connecting to {host} timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout) or names & {
        "ReadTimeoutError",
        "TimeoutError",
        "timeout",
    }:
        return f"{host} did not answer in time (read timeout)"
    if any(isinstance(c, (ConnectionResetError, BrokenPipeError)) for c in chain) or names & {
        "RemoteDisconnected",
        "ProtocolError",
        "IncompleteRead",
    }:
        return f"{host} closed the connection without a complete answer"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"{host} sent a truncated answer"
    return f"request to {host} failed: {_root_reason(chain)}"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        reason = getattr(current, "reason", None)
        current = (
            reason
            if isinstance(reason, BaseException)
            else (current.__cause__ or current.__context__)
        )
        if current is None and seen[-1].args and isinstance(seen[-1].args[0], BaseException):
            current = seen[-1].args[0]
    return seen


def _root_reason(chain: list[BaseException]) -> str:
    return _first_line(f"{type(chain[-1]).__name__}: {chain[-1]}", 120)
