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
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ApiError, TransportError, UsageError
from .redact import Redactor

if TYPE_CHECKING:
    import requests

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

# What an Authorization header can carry: visible ASCII, no spaces.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")

_session: requests.Session | None = None
_session_lock = threading.Lock()


def get_session() -> requests.Session:
    """The process-wide session, so library callers reuse connections across calls."""
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                import requests

                from . import __version__

                session = requests.Session()
                # oint sends the credentials the method gives; with no auth of its own, a
                # session would read ~/.netrc for every request and let an entry for the
                # host replace the bearer token with Basic auth.
                session.auth = _credentials_from_the_method_only
                session.headers["User-Agent"] = (
                    f"oint/{__version__} python-requests/{requests.__version__}"
                )
                from .retrying import PolicyAdapter

                adapter = PolicyAdapter()
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                _session = session
    return _session


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


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


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
    ) -> None:
        self.service = service
        self.redactor = redactor
        # --timeout bounds the whole call: each attempt gets at most what is left of it, and
        # no retry starts after it.
        self.deadline = time.monotonic() + (DEFAULT_DEADLINE if timeout is None else timeout)
        self.attempt_timeout = (
            (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
            if timeout is None
            else (min(timeout, DEFAULT_CONNECT_TIMEOUT), timeout)
        )
        self.retries = DEFAULT_RETRIES if retries is None else retries
        self.last_status: int | None = None  # of the last answer, for providers' checks
        self._debug = debug

    @staticmethod
    def refuse_plain_http(url: str, *, carries_secret: bool) -> None:
        """A token or password never travels unencrypted beyond this machine."""
        parts = urlsplit(url)
        if carries_secret and parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            raise UsageError(
                f"refusing to send credentials over plain http:// to {parts.netloc}:"
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
    ) -> Any:
        """Send a request and return the parsed JSON (or bytes when ``binary``).

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
        prepared = requests.Request(
            method, url, headers=headers, params=params, json=json_body, data=form
        )
        session = get_session()
        try:
            request = session.prepare_request(prepared)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise UsageError(self.redactor(f"invalid URL {url!r}: {exc}")) from None
        if self._debug is not None:
            self.debug(f"> {request.method} {request.url}")
            for name, value in self.redactor.headers(request.headers).items():
                self.debug(f"> {name}: {value}")
        self.refuse_plain_http(request.url or url, carries_secret=bearer is not None or bool(form))
        started = time.perf_counter()
        policy = retry_policy(
            request.method or method,
            self.retries,
            self.deadline,
            on_retry=self.debug if self._debug else None,
        )
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:  # a write sent now could reach the server after we gave up on it
            raise TransportError(
                f"the call's deadline passed before the request to {host} was sent;"
                " nothing was sent (raise --timeout)",
                host=host,
            )
        connect, read = self.attempt_timeout
        settings = environment_settings(session, request.url or url)
        from .retrying import current_policy

        token = current_policy.set(policy)
        try:
            response = session.send(
                request,
                timeout=(min(connect, remaining), min(read, remaining)),
                allow_redirects=False,  # a redirected write must not become a GET, nor a
                **settings,  # secret go to a host refuse_plain_http never saw
            )
        except requests.exceptions.RequestException as exc:
            self.debug(f"< failed after {(time.perf_counter() - started) * 1000:.0f} ms")
            raise TransportError(self.redactor(describe_failure(exc, host)), host=host) from None
        finally:
            current_policy.reset(token)
        self.last_status = response.status_code
        elapsed = (time.perf_counter() - started) * 1000
        self.debug(f"< {response.status_code} {response.reason} ({elapsed:.0f} ms)")
        return self._read(response, host, binary)

    def _read(self, response: requests.Response, host: str, binary: bool) -> Any:
        status = response.status_code
        if 200 <= status < 300 and binary:
            return response.content
        # A service that echoes a secret back must not make us print it: a JSON body is
        # parsed first and its string values redacted (so a secret echoed as a ``\u`` escape
        # is found, and a short secret never masks digits of a number); other text is
        # redacted as text.
        text = response.content.decode("utf-8", "replace")
        if 200 <= status < 300:
            if not text.strip():
                return {}
            try:
                return self.redactor.value(json.loads(text))
            except ValueError:
                raise TransportError(
                    f"{host} answered {status} with a body that is not valid JSON:"
                    f" {_first_line(self.redactor(text), 80)!r}",
                    host=host,
                ) from None
        try:
            body: Any = self.redactor.value(json.loads(text)) if text.strip() else ""
        except ValueError:
            body = self.redactor(text)
        errors = error_list(body)
        if 300 <= status < 400:
            detail = f"redirect to {response.headers.get('Location', '?')!r} not followed"
        elif errors:
            detail = "; ".join(
                f"{e.get('code', '?')}: {_first_line(str(e.get('message', '')), 100)}"
                for e in errors
            )
        elif isinstance(body, str) and body:
            detail = _first_line(body, 100)
        else:
            detail = "no error details"
        raise ApiError(
            self.redactor(f"{self.service} answered {status} {response.reason}: {detail}"),
            status=status,
            body=body,
            errors=errors,
        )


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
