"""``oint server http``: the methods over HTTP, ``POST /<provider>/<Method>``.

The body is a JSON object of parameters by their keywords, as ``dispatch`` takes them
(``{"uuid": "…", "test_api": true}``; ``timeout``, ``retries`` and ``wait`` as in
``dispatch``); the answer is the result: JSON, or a file as itself with its media type.
``GET /`` lists the served methods.

Failures answer ``outcomes.failed``'s record (``{"ok": false, "error": {…}, "sent": …}``,
the service's body in ``error.body``) with ``X-Oint-Error`` (the kind) and ``X-Oint-Sent``
headers, and a status that says who failed: 400 (usage: nothing was sent), the service's
own status (an API error; 502 when the service said 401 or 407: those are about the
server's credentials, not the caller's), 502 or 504 (transport: 504 when the service did
not answer in time), 500 (internal), 401 (no or a wrong bearer token), 404 (not served),
405 (wrong verb), 413 (body too large).

Secrets never come from requests: a secret parameter (a token, a password) in a body is
refused; the calls take them from the server's settings (environment, ``--profile``), as
``oint mcp`` does. A method whose answer is a credential (CDEK's GetToken) is not served.
Nothing reads a file or standard input for a caller: an object parameter is JSON.
"""

from __future__ import annotations

import fnmatch
import hmac
import json
import secrets
import socket
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .context import CallOptions, check_retries, check_timeout
from .dispatcher import call_method, check_wait, own_wait
from .errors import ApiError, InternalError, OintError, UsageError, interrupted, one_line
from .http import is_loopback
from .metadata import Kind, Method, Provider
from .outcomes import failed, kind_of
from .registry import Registry

if TYPE_CHECKING:
    from collections.abc import Callable

#: Effects of a method that changes nothing (as ``oint mcp`` reads them).
READ_ONLY_EFFECTS = frozenset({"read", "local"})
#: Keys of a body that are options of the call, as ``dispatch``'s keywords.
CALL_OPTIONS = ("timeout", "retries", "wait")
#: Environment variable holding the bearer token (``--auth-token``'s default).
TOKEN_ENV = "OINT_SERVER_TOKEN"
#: The shortest bearer token accepted: shorter ones can be guessed.
MIN_TOKEN = 16
_REALM = 'Bearer realm="oint"'


def served(method: Method) -> bool:
    """Whether a method may be served at all: never one whose answer is a credential."""
    return method.effect != "credential"


def select(registry: Registry, patterns: Sequence[str]) -> list[tuple[Provider, Method]]:
    """The methods ``--allow``'s globs (matched against ``provider.Method``) select; all
    without patterns. A ``UsageError`` when patterns select nothing."""
    wanted = [p.strip() for pattern in patterns for p in pattern.split(",") if p.strip()]
    chosen = [
        (registry.provider(name), method)
        for name in registry.provider_names
        for method in registry.methods(name)
        if served(method)
    ]
    if wanted:
        chosen = [
            (provider, method)
            for provider, method in chosen
            if any(fnmatch.fnmatchcase(f"{provider.name}.{method.name}", p) for p in wanted)
        ]
        if not chosen:
            raise UsageError(f"--allow {','.join(wanted)} selects no method", option="--allow")
    return chosen


class HttpService:
    """The WSGI application: authentication, routing, the body, the call, the answer."""

    def __init__(
        self,
        registry: Registry,
        *,
        allow: Sequence[str] = (),
        profile: str | None = None,
        max_body: int = 1 << 20,
        token: str = "",
    ) -> None:
        self.registry = registry
        self.methods = {(p.name, m.name): (p, m) for p, m in select(registry, allow)}
        self.profile = profile
        self.max_body = max_body
        self.token = token

    def listing(self) -> dict[str, Any]:
        """``GET /``'s answer: ``{"methods": [{provider, name, summary, read_only, path}]}``."""
        methods = [
            {
                "provider": provider.name,
                "name": method.name,
                "summary": method.summary,
                "read_only": method.effect in READ_ONLY_EFFECTS,
                "path": f"/{provider.name}/{method.name}",
            }
            for provider, method in self.methods.values()
        ]
        return {"methods": methods}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        from werkzeug.wrappers import Request

        request = Request(environ)
        try:
            response = self.respond(request)
        except Exception as exc:  # the last guard: one line, never a traceback
            if interrupted(exc):
                raise KeyboardInterrupt from None
            error = InternalError(f"internal error: {type(exc).__name__}: {one_line(str(exc))}")
            error.sent = "unknown"
            response = failure(error, 500)
        return response(environ, start_response)

    def respond(self, request: Any) -> Any:
        refused = self.authenticate(request.headers.get("Authorization"))
        if refused is not None:
            return refused
        parts = request.path.strip("/").split("/")
        if parts == [""]:
            if request.method not in ("GET", "HEAD"):
                return wrong_verb(request.method, "GET")
            return reply(self.listing())
        found = self.find(parts)
        if found is None:
            return failure(UsageError(f"not served here: {request.path}"), 404)
        if request.method != "POST":
            return wrong_verb(request.method, "POST")
        provider, method = found
        try:
            body = self.read_body(request)
            given, options = self.prepare(provider, method, body)
            result = call_method(provider, method, given, options=options)
        except _TooLarge as exc:
            return failure(UsageError(str(exc)), 413)
        except OintError as exc:
            return failure(exc, status_of(exc))
        return reply(result)

    def authenticate(self, header: str | None) -> Any:
        """None when ``header`` carries the bearer token; else the 401 answer."""
        scheme, _, given = (header or "").strip().partition(" ")
        if not header:
            return failure(UsageError("give 'Authorization: Bearer TOKEN'"), 401, _REALM)
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8", "surrogateescape"), self.token.encode("utf-8")
        )
        if ok:
            return None
        return failure(
            UsageError("the bearer token is wrong"), 401, f'{_REALM}, error="invalid_token"'
        )

    def find(self, parts: list[str]) -> tuple[Provider, Method] | None:
        if len(parts) != 2:
            return None
        try:
            provider = self.registry.provider(parts[0])
            method = self.registry.method(provider.name, parts[1])
        except UsageError:
            return None
        return self.methods.get((provider.name, method.name))

    def read_body(self, request: Any) -> dict[str, Any]:
        """The request's JSON object (an empty body: no parameters)."""
        length = request.content_length
        if length is not None and length > self.max_body:
            raise _TooLarge(f"the body is larger than {self.max_body} bytes")
        data = request.stream.read(self.max_body + 1)
        if len(data) > self.max_body:
            raise _TooLarge(f"the body is larger than {self.max_body} bytes")
        if not data.strip():
            return {}
        try:
            body = json.loads(data, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
            raise UsageError(f"the body is not JSON: {reason}") from None
        if not isinstance(body, dict):
            kind = type(body).__name__.replace("NoneType", "null")
            raise UsageError(f"the body must be a JSON object of parameters, not {kind}")
        return body

    def prepare(
        self, provider: Provider, method: Method, body: Mapping[str, Any]
    ) -> tuple[dict[str, Any], CallOptions]:
        """The call's parameters and options from a body; what a caller may not give is
        refused here, before anything is sent."""
        given = dict(body)
        timeout, retries, wait = (given.pop(key, None) for key in CALL_OPTIONS)
        if "profile" in given:
            raise UsageError("profile cannot be given here: the server's --profile is used")
        refuse_secrets(method, given)
        refuse_sources(method, given)
        given, wait = own_wait(method, given, wait)
        options = CallOptions(
            timeout=None if timeout is None else check_timeout(timeout),
            retries=None if retries is None else check_retries(retries),
            profile=self.profile,
            wait=check_wait(wait),
        )
        return given, options


class _TooLarge(Exception):
    pass


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def refuse_secrets(method: Method, given: Mapping[str, Any]) -> None:
    """A secret parameter in a request is refused: the server's settings hold secrets."""
    names = {name for p in method.params if p.secret for name in (p.keyword, p.alias)}
    refused = sorted(set(given) & names)
    if refused:
        raise UsageError(
            f"{method.name}: {', '.join(map(repr, refused))} cannot be given in a request:"
            " secrets come from the server's settings (its environment or --profile)"
        )


def refuse_sources(method: Method, given: Mapping[str, Any]) -> None:
    """An object parameter is JSON here: text that is not inline JSON would name a file of
    the server's (or its standard input), which a caller never reads."""
    for param in method.params:
        if param.kind is not Kind.OBJECT:
            continue
        for name in {param.keyword, param.alias}:
            value = given.get(name)
            if isinstance(value, str) and not value.strip().startswith(("{", "[")):
                raise UsageError(
                    f"{name}: give a JSON object (the server reads no files for a caller)"
                )


def status_of(error: OintError) -> int:
    """The HTTP status a failed call answers with (see the module's docstring)."""
    kind = kind_of(error)
    if kind == "usage":
        return 400
    if isinstance(error, ApiError):
        ok = 400 <= error.status <= 599 and error.status not in (401, 407)
        return error.status if ok else 502
    if kind == "transport":
        text = str(error)
        timed_out = "in time" in text or "timed out" in text or "deadline" in text
        return 504 if timed_out else 502
    return 500


def _json_bytes(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only an escape carries it
        return json.dumps(value, allow_nan=False).encode("ascii")


def reply(result: Any, status: int = 200) -> Any:
    """The answer for a result: JSON, or bytes as themselves with their media type."""
    from werkzeug.wrappers import Response

    if isinstance(result, (bytes, bytearray)):
        from .output import media_type

        data = bytes(result)
        return Response(data, status=status, mimetype=media_type(data))
    try:
        data = _json_bytes(result)
    except (TypeError, ValueError) as exc:
        error = InternalError(f"internal error: the result is not JSON: {one_line(str(exc))}")
        error.sent = "unknown"
        return failure(error, 500)
    return Response(data, status=status, content_type="application/json; charset=utf-8")


def failure(error: OintError, status: int, authenticate: str | None = None) -> Any:
    """The answer for a failure: ``outcomes.failed``'s record, with the kind and ``sent``
    in headers too."""
    from werkzeug.wrappers import Response

    record = failed(error, body=True)
    headers = {"X-Oint-Error": record["error"]["kind"], "X-Oint-Sent": record["sent"]}
    if authenticate is not None:
        headers["WWW-Authenticate"] = authenticate
    try:
        data = _json_bytes(record)
    except (TypeError, ValueError):  # a body JSON cannot carry (NaN): as text
        record["error"]["body"] = str(record["error"].get("body"))
        data = _json_bytes(record)
    return Response(
        data, status=status, headers=headers, content_type="application/json; charset=utf-8"
    )


def wrong_verb(verb: str, allowed: str) -> Any:
    response = failure(UsageError(f"{verb} is not served here: use {allowed}"), 405)
    response.headers["Allow"] = allowed
    return response


# -- starting -------------------------------------------------------------------------------


def bearer_token(host: str, given: str | None) -> tuple[str, bool]:
    """The token to require, and whether it was generated: ``given`` when there is one
    (long enough), a random one on loopback, else a ``UsageError``."""
    if given is not None:
        if len(given.strip()) < MIN_TOKEN:
            raise UsageError(
                f"--auth-token: give at least {MIN_TOKEN} characters", option="--auth-token"
            )
        return given.strip(), False
    if not is_loopback(host):
        raise UsageError(
            f"--host {host} is not a loopback address: give --auth-token (or {TOKEN_ENV})"
            " to serve on it",
            option="--host",
        )
    return secrets.token_urlsafe(32), True


def url_of(host: str, port: int) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(service: HttpService, host: str, port: int, token: str | None) -> None:
    """Listen on ``host:port`` until Ctrl-C; the URL on stderr's first line. Returns after
    the Ctrl-C (the CLI then exits 130)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    service.token, generated = bearer_token(host, token)

    class Quiet(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 60  # seconds a connection may sit idle: idle ones would each hold a thread

        def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002
            pass  # no access log: stderr carries only the start lines and warnings

    try:  # bound here, so that a taken port is one line (werkzeug would print its own)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listening = socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        reason = one_line(exc.strerror or str(exc))
        raise UsageError(f"cannot listen on {host}:{port}: {reason}", option="--port") from None
    with listening:
        server = make_server(
            host.strip("[]"),
            port,
            service,
            threaded=True,
            request_handler=Quiet,
            fd=listening.fileno(),
        )
    # Nothing of werkzeug's or socketserver's own reporting (tracebacks) reaches stderr:
    # every failure of a request is its answer.
    setattr(server, "log", _silent)  # noqa: B010
    setattr(server, "handle_error", _silent)  # noqa: B010
    names = len(service.methods)
    try:  # a Ctrl-C right after the URL, before serving began, ends it as quietly
        _stderr(f"oint: serving {names} methods at {url_of(host, server.port)} (Ctrl-C stops)")
        if generated:
            _stderr(f"oint: bearer token (random, for this run): {service.token}")
        server.serve_forever()  # returns on Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _silent(*args: Any, **kwargs: Any) -> None:
    pass


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
