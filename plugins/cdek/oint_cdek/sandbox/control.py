"""The ``/_sandbox/...`` control plane (faults, the request log, pushed statuses, an order's
journey, the clock, reset; no auth, never logged, never faulted) and the answers a fault
gives instead of CDEK's."""

from __future__ import annotations

import contextlib
import re
import socket
from typing import Any

from werkzeug.wrappers import Request, Response

from .backend import SandboxState
from .config import format_datetime
from .delivery import redact
from .events import EventError, NoEntity, build
from .exceptions import _error
from .models import FAULT_KINDS, WEBHOOK_TYPES, _Fault
from .models.journey import move_along
from .models.orders import STATUS_NAMES
from .responses import JSON_CONTENT_TYPE, _json_response, _read_json
from .validation import _is_int, _is_number

#: Bounds of a fault's settings: a delay is for testing deadlines, not for holding a worker;
#: a path pattern is matched against every /v2 path, holding the interpreter while it does.
_MAX_FAULT_DELAY = 600
_MAX_PATTERN = 200

_HTML_PAGES = {
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


class _ConnectionDropped(ConnectionAbortedError):
    """Raised after the socket was shut down on purpose (fault "drop").

    werkzeug's dev server treats a ConnectionError from the app as a dropped connection and
    logs nothing, which is exactly what a silent drop should look like.
    """


def fault_response(fault: _Fault, request: Request) -> Response:
    kind = fault.kind
    if kind.startswith("http_5"):
        status = int(kind[len("http_") :])
        title = _HTML_PAGES[status]
        page = (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return Response(page, status=status, content_type="text/html")
    if kind == "http_429":
        body = {"errors": [_error("too_many_requests", "Too many requests, slow down")]}
        return _json_response(body, 429, {"Retry-After": str(fault.retry_after)})
    if kind == "malformed_json":
        return Response(
            '{"entity": {"uuid": "72753031-826d', status=200, content_type=JSON_CONTENT_TYPE
        )
    if kind == "empty":
        return Response(b"", status=200, content_type=JSON_CONTENT_TYPE)
    if kind == "drop":
        request.get_data()  # else the server parses the unread body as another request
        connection = request.environ.get("werkzeug.socket")
        if isinstance(connection, socket.socket):
            # Shut down (not close): the server still owns the descriptor and closes it.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        raise _ConnectionDropped("connection dropped on purpose by a sandbox fault")
    raise AssertionError(f"unhandled fault kind {kind!r}")  # pragma: no cover


def list_faults(backend: SandboxState, request: Request) -> Response:
    with backend.lock:
        return _json_response([fault.to_json() for fault in backend.faults])


def add_fault(backend: SandboxState, request: Request) -> Response:
    try:
        spec = _read_json(request)
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    if not isinstance(spec, dict):
        return _json_response({"error": "the body must be a JSON object"}, 400)
    kind = spec.get("kind")
    if kind not in FAULT_KINDS:
        return _json_response(
            {"error": f"unknown fault kind {kind!r}", "kinds": sorted(FAULT_KINDS)}, 400
        )
    count = spec.get("count", 1)
    retry_after = spec.get("retry_after", 1)
    seconds = spec.get("seconds", 1.0)
    if not _is_int(count) or count < 1:
        return _json_response({"error": "count must be an integer >= 1"}, 400)
    if not _is_int(retry_after) or retry_after < 0:
        return _json_response({"error": "retry_after must be an integer >= 0"}, 400)
    if not _is_number(seconds) or not 0 <= seconds <= _MAX_FAULT_DELAY:
        message = f"seconds must be a number from 0 to {_MAX_FAULT_DELAY}"
        return _json_response({"error": message}, 400)
    pattern = spec.get("path")
    if isinstance(pattern, str) and len(pattern) > _MAX_PATTERN:
        message = f"path must be a regex of at most {_MAX_PATTERN} characters"
        return _json_response({"error": message}, 400)
    try:
        compiled = re.compile(pattern) if pattern is not None else None
    except (re.error, TypeError) as exc:
        return _json_response({"error": f"path is not a valid regex: {exc}"}, 400)
    if compiled is not None and not _linear(compiled.pattern):
        message = (
            "path may repeat only single characters or classes (no repeated groups such as"
            " (a+)+ or (a|aa)+, which backtrack for ever)"
        )
        return _json_response({"error": message}, 400)
    fault = _Fault(kind, count, compiled, retry_after, float(seconds))
    backend.add_fault(fault)
    return _json_response(fault.to_json(), 201)


def clear_faults(backend: SandboxState, request: Request) -> Response:
    with backend.lock:
        cleared = len(backend.faults)
        backend.faults.clear()
    return _json_response({"cleared": cleared})


def list_requests(backend: SandboxState, request: Request) -> Response:
    return _json_response(backend.snapshot_log())


def clear_requests(backend: SandboxState, request: Request) -> Response:
    with backend.lock:
        cleared = len(backend.request_log)
        backend.request_log.clear()
    return _json_response({"cleared": cleared})


def push_status(backend: SandboxState, request: Request, order_uuid: str) -> Response:
    try:
        spec = _read_json(request)
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    code = spec.get("code") if isinstance(spec, dict) else None
    if not isinstance(code, str) or code not in STATUS_NAMES:
        known = ", ".join(sorted(STATUS_NAMES))
        return _json_response({"error": f"code must be one of CDEK's statuses: {known}"}, 400)
    reason, city, name = spec.get("reason_code"), spec.get("city"), spec.get("name")
    if reason is not None and not (
        (isinstance(reason, str) and reason.isdigit())
        or (isinstance(reason, int) and not isinstance(reason, bool))
    ):
        return _json_response({"error": "reason_code must be a number such as 11"}, 400)
    for field, value in (("city", city), ("name", name)):
        if value is not None and not isinstance(value, str):
            return _json_response({"error": f"{field} must be a string"}, 400)
    with backend.lock:
        now = backend.settled_now()
        try:
            order = backend.created_order(order_uuid)
        except LookupError as exc:
            return _json_response({"error": str(exc)}, 404)
        except ValueError as exc:
            return _json_response({"error": str(exc)}, 409)
        if order.is_final:
            message = f"order {order_uuid} is {order.latest_status}: its status is final"
            return _json_response({"error": message}, 409)
        order.push_status(
            code,
            now,
            city or order.city("to_location"),
            str(reason) if reason is not None else None,
            name,
        )
        return _json_response(order.envelope())


def move_order(backend: SandboxState, request: Request, order_uuid: str) -> Response:
    """Move an order along CDEK's status sequence up to ``{"to": CODE}``: what CDEK's
    warehouses do between a create and the hand-over."""
    try:
        spec = _read_json(request)
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    target = spec.get("to") if isinstance(spec, dict) else None
    if not isinstance(target, str):
        return _json_response({"error": "to must be a status code like DELIVERED"}, 400)
    with backend.lock:
        now = backend.settled_now()
        try:
            order = backend.created_order(order_uuid)
            move_along(order, target, now)
        except LookupError as exc:
            return _json_response({"error": str(exc)}, 404)
        except ValueError as exc:  # not created yet, or JourneyError: not ahead on its way
            return _json_response({"error": str(exc)}, 409)
        return _json_response(order.envelope())


def advance(backend: SandboxState, request: Request) -> Response:
    try:
        spec = _read_json(request)
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    seconds = spec.get("seconds") if isinstance(spec, dict) else None
    if not _is_number(seconds) or seconds < 0:
        return _json_response({"error": "seconds must be a number >= 0"}, 400)
    now = backend.advance_clock(float(seconds))
    return _json_response({"now": format_datetime(now)})


#: The longest a control call may wait for webhook deliveries.
_MAX_WAIT = 120


def list_webhooks(backend: SandboxState, request: Request) -> Response:
    """Every account's subscriptions, active or disabled (with when and why); URLs with
    their query values masked."""
    with backend.lock:
        hooks = [*backend.webhooks.values(), *backend.disabled_webhooks.values()]
        shown = [hook.control_json(redact(hook.url)) for hook in hooks]
    return _json_response(shown)


def trigger_webhook(backend: SandboxState, request: Request) -> Response:
    """Send an event of ``type`` about the entity ``uuid`` now, built from its state, with
    ``attributes`` (optional) overriding the attributes built."""
    try:
        spec = _read_json(request)
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    if not isinstance(spec, dict):
        return _json_response({"error": "the body must be a JSON object"}, 400)
    kind, entity, overrides = spec.get("type"), spec.get("uuid"), spec.get("attributes", {})
    if kind not in WEBHOOK_TYPES:
        known = ", ".join(sorted(WEBHOOK_TYPES))
        return _json_response({"error": f"type must be one of CDEK's event types: {known}"}, 400)
    if not isinstance(entity, str) or not entity.strip():
        return _json_response({"error": "uuid must name the entity (an order's uuid...)"}, 400)
    if not isinstance(overrides, dict):
        return _json_response({"error": "attributes must be a JSON object"}, 400)
    with backend.lock:
        now = backend.settled_now()
        backend.publish_events()  # what happened before goes out first
        try:
            events = build(backend, str(kind), entity.strip(), now, _root(backend, request))
        except NoEntity as exc:
            return _json_response({"error": str(exc)}, 404)
        except EventError as exc:
            return _json_response({"error": str(exc)}, 409)
        sent = 0
        for event in events:
            event.attributes.update(overrides)
            sent += backend.send_event(event)
        shown = [event.to_json() for event in events]
    return _json_response({"events": shown, "deliveries": sent})


def wait_webhooks(backend: SandboxState, request: Request) -> Response:
    """Wait (up to ``timeout`` seconds, 10 by default) until every queued delivery is done:
    delivered, given up or refused; changes due by now are settled and sent first."""
    try:
        spec = _read_json(request) if request.get_data(cache=True) else {}
    except ValueError:
        return _json_response({"error": "the body must be JSON"}, 400)
    timeout = spec.get("timeout", 10) if isinstance(spec, dict) else 10
    if not _is_number(timeout) or not 0 <= timeout <= _MAX_WAIT:
        message = f"timeout must be a number of seconds from 0 to {_MAX_WAIT}"
        return _json_response({"error": message}, 400)
    backend.publish_events(settle=True)
    idle = backend.outbox.wait_idle(float(timeout))
    return _json_response({"idle": idle, "pending": backend.outbox.pending()})


def _root(backend: SandboxState, request: Request) -> str:
    return backend.root_url or request.host_url.rstrip("/")


def reset(backend: SandboxState, request: Request) -> Response:
    backend.reset()
    return _json_response({"reset": True})


_SIMPLE_OPS = frozenset({"LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def _linear(pattern: str) -> bool:
    """Whether ``pattern`` repeats only single characters or classes: such a regex cannot
    backtrack exponentially, and every path filter a test needs (``/refusal$``,
    ``/orders/[^/]+$``, ``oauth``) is one. The check reads the regex parser's tree."""
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser

    def walk(items: Any) -> bool:
        for op, arg in items:
            name = str(op)
            if name in _REPEATS:
                inner: list[Any] = []  # a repeat's body must be single characters
                if not all(str(body_op) in _SIMPLE_OPS for body_op, _ in arg[2]):
                    return False
            elif name == "SUBPATTERN":
                inner = [arg[-1]]
            elif name == "BRANCH":
                inner = list(arg[1])
            elif name in ("ASSERT", "ASSERT_NOT"):
                inner = [arg[1]]
            else:
                inner = []
            if not all(walk(part) for part in inner):
                return False
        return True

    return walk(parser.parse(pattern))
