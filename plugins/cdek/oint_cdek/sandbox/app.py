"""The CDEK API v2 sandbox as a WSGI app: routing, authentication, turning errors into
CDEK's answers, faults and the request log, and the observers of answers.

What it emulates, its error codes and its control endpoints are described in
``docs/sandbox.md``. The parts: ``urls`` (routes), ``handlers`` (one module per resource),
``control`` (the ``/_sandbox/`` plane and faults), ``backend`` (``SandboxState``: what a
sandbox remembers, its clock, asynchronous settling), ``models`` (entities and their rules),
``validation`` and ``exceptions``. The names other code imports from here are re-exported.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from .backend import SandboxState
from .config import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig, format_datetime
from .control import fault_response
from .exceptions import InputError, _ApiError, _AuthFailure, _error
from .models import (
    ACCEPTED,
    FAULT_KINDS,
    INVALID,
    STATUS_NAMES,
    SUCCESSFUL,
    WEBHOOK_TYPES,
)
from .responses import JSON_CONTENT_TYPE, _cdek_error, _root_url
from .urls import Endpoint, url_map

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "ACCEPTED",
    "FAULT_KINDS",
    "INVALID",
    "JSON_CONTENT_TYPE",
    "STATUS_NAMES",
    "SUCCESSFUL",
    "TEST_ACCOUNT",
    "TEST_SECURE_PASSWORD",
    "WEBHOOK_TYPES",
    "SandboxApp",
    "SandboxConfig",
    "SandboxState",
    "create_app",
    "format_datetime",
    "observing_answers",
]


_MAX_BODY = 16 * 1024 * 1024
#: Query parameters the request log keeps masked (a client may send its secret that way).
_SECRET_KEYS = frozenset({"client_secret", "password", "secret", "token", "access_token"})


def _masked_query(query: str) -> str:
    """``query`` with the value of every secret parameter masked, its name read as the
    server reads it (percent- and plus-decoded: ``client%5Fsecret`` is ``client_secret``)."""
    pairs = []
    for pair in query.split("&"):
        name, sep, _ = pair.partition("=")
        if sep and unquote_plus(name).strip().lower() in _SECRET_KEYS:
            pair = f"{name}=***"
        pairs.append(pair)
    return "&".join(pairs)


class _SandboxRequest(Request):
    # Orders are small; refuse anything absurd instead of buffering it.
    max_content_length = _MAX_BODY


_METHOD_REQUEST_TYPES = {"GET": "GET", "HEAD": "GET", "POST": "CREATE", "PATCH": "UPDATE"}

# Callables told of every /v2 answer a sandbox in this process gives (faults aside); the test
# suite registers one to check each answer against CDEK's specification.
_OBSERVERS: list[Callable[[Request, Response], None]] = []


@contextlib.contextmanager
def observing_answers(observer: Callable[[Request, Response], None]) -> Iterator[None]:
    """Call ``observer(request, response)`` for every /v2 answer while the block runs."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


class SandboxApp:
    """The WSGI application; ``config`` is how it behaves, ``state`` what it remembers."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.state = SandboxState(self.config)
        self.url_map = url_map()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _SandboxRequest(environ)
        response = self.dispatch(request)
        # An answer given without reading the body (a fault, an unknown path) must still
        # consume it: on a kept-alive connection the leftover bytes would be read as the
        # next request line. (An oversized body was refused unread: werkzeug closes that
        # connection.)
        with contextlib.suppress(RequestEntityTooLarge):
            request.get_data()
        return response(environ, start_response)

    # --- dispatch ----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Answer one request; /v2 traffic is logged and may be faulted first. Then the
        events of what the request changed are handed to the webhook worker (before the
        answer leaves, so a client that reads the answer finds them queued)."""
        if self.state.root_url is None:
            self.state.root_url = _root_url(request)
        path = request.path
        if path == "/v2" or path.startswith("/v2/"):
            response = self._dispatch_api(request)
        else:
            response = self._route(request)
        self.state.publish_events()
        return response

    def _dispatch_api(self, request: Request) -> Response:
        query = _masked_query(request.query_string.decode("utf-8", "replace"))
        entry = self.state.log_request(request.method, request.path, query)
        self.state.update_log(entry, account=self._account(request))
        fault = self.state.take_fault(request.path)
        if fault is not None:
            self.state.update_log(entry, fault=fault.kind)
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                response = fault_response(fault, request)
                self.state.update_log(entry, status=response.status_code)
                return response  # a fault is broken on purpose: observers are not told
        response = self._route(request)
        self.state.update_log(entry, status=response.status_code)
        for observer in list(_OBSERVERS):
            observer(request, response)
        return response

    def _account(self, request: Request) -> str | None:
        """The account whose credentials ``request`` carries: the owner of its bearer token
        (expired or not), or, for the token endpoint, a client_id given with its right
        secret; None when it carries neither."""
        if request.path.rstrip("/") == "/v2/oauth/token":
            values = request.values
            client_id = values.get("client_id", "")
            expected = self.config.accounts.get(client_id)
            if client_id and expected is not None and expected == values.get("client_secret"):
                return client_id
            return None
        return self.state.account_of(request.headers.get("Authorization"))

    def _route(self, request: Request) -> Response:
        now = self.state.now()
        request_type = _METHOD_REQUEST_TYPES.get(request.method, request.method)
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            message = f"Method {request.method} is not allowed for {request.path}"
            return _cdek_error(
                405,
                request_type,
                [_error("v2_bad_request", message)],
                now,
                headers={"Allow": allowed},
            )
        except NotFound:
            message = f"Unknown endpoint {request.method} {request.path} (not emulated)"
            return _cdek_error(404, request_type, [_error("v2_bad_request", message)], now)
        except HTTPException as exc:  # e.g. a routing redirect: never what CDEK answers
            code = exc.code or 400
            return _cdek_error(code, request_type, [_error("v2_bad_request", str(exc))], now)

        assert isinstance(endpoint, Endpoint)
        try:
            if not endpoint.authenticated:
                answer: Response = endpoint.handler(self.state, request, **args)
                return answer
            with self.state.lock:
                client = self.state._client_for(request.headers.get("Authorization"), now)
            answer = endpoint.handler(self.state, request, client, **args)
            return answer
        except _AuthFailure as exc:
            return _cdek_error(401, "AUTH", [_error(exc.code, exc.message)], now)
        except _ApiError as exc:
            return _cdek_error(exc.status, exc.request_type or request_type, exc.errors, now)
        except InputError as exc:
            return _cdek_error(exc.status, request_type, exc.errors, now)
        except RequestEntityTooLarge:
            # CDEK's specification gives these operations 400 as their one error status.
            message = f"Bad request: the body is larger than {_MAX_BODY // 2**20} MiB"
            return _cdek_error(400, request_type, [_error("v2_bad_request", message)], now)
        except HTTPException as exc:
            code = exc.code or 400
            return _cdek_error(code, request_type, [_error("v2_bad_request", exc.name)], now)
        except Exception as exc:  # noqa: BLE001 - a sandbox bug, answered as CDEK would
            # CDEK's envelope, not werkzeug's HTML page: the suite's contract check sees the
            # 500 (no operation documents one) and fails the test that met the bug.
            message = f"Internal error of the sandbox: {type(exc).__name__}"
            return _cdek_error(500, request_type, [_error("v2_internal_error", message)], now)


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a fresh sandbox; each app has its own state, so tests never share orders."""
    return SandboxApp(config)
