"""The CDEK API v2 sandbox: a local, in-memory emulator of CDEK's HTTP API as a WSGI app.

Why it exists: CDEK's own test server ("edu") is shared, slow, needs the network and cannot be
told to fail. This emulator answers the same shapes as CDEK (api-docs.cdek.ru: envelopes,
``date_time`` format, error codes), so the provider, the CLI and their tests run offline, and
it can inject the failures a real client must survive (5xx pages, 429, dropped connections,
broken JSON).

CDEK endpoints emulated (under ``/v2``)
---------------------------------------
- ``POST /v2/oauth/token`` - client_credentials; fields from the form body or the query string.
- ``POST /v2/orders`` - static validation, then 202 and asynchronous processing.
- ``GET /v2/orders/{uuid}`` and ``GET /v2/orders?cdek_number=|im_number=``.
- ``DELETE /v2/orders/{uuid}`` - only while the order's latest status is CREATED.
- ``POST /v2/orders/{uuid}/refusal`` - no body; the order ends NOT_DELIVERED, reason 11.

The asynchronous model is computed lazily from ``config.clock()``: a write request is ACCEPTED
and becomes final (SUCCESSFUL or INVALID) once ``processing_delay`` seconds have passed on that
clock. Pending requests of all orders are settled in the order they became due, whenever any
request reaches the app, so a fake clock makes everything deterministic and no background
thread is needed. Orders belong to the account whose token created them.

Error codes
-----------
Taken from CDEK's "List of integration errors" (api-docs.cdek.ru/77695227.html) where one fits:

- 401, request type AUTH: ``unauthorized`` (no ``Authorization: Bearer`` header),
  ``v2_authorization_incorrect`` (a token this sandbox never issued), ``v2_token_expired``.
- OAuth endpoint (OAuth2 shape ``{"error", "error_description"}``): 401 ``invalid_client``;
  400 ``invalid_request`` (no grant_type), 400 ``unsupported_grant_type``.
- 400 ``v2_bad_request``: body is not a JSON object; also unknown endpoints (404) and wrong
  methods (405, with an ``Allow`` header).
- 400 ``v2_field_is_empty``: one error per missing required field, message
  ``Field is empty [recipient.phones[0].number]``.
- 400 ``v2_invalid_value_type``: a field of the wrong JSON type (e.g. ``tariff_code`` "abc").
- 400 ``v2_invalid_format``: a bad value (order ``type`` not 1 or 2, a path uuid that is not
  a uuid).
- 400 ``v2_parameters_empty``: ``GET /v2/orders`` with neither cdek_number nor im_number.
- 404 ``v2_entity_not_found``: unknown order uuid, or no order with that ``im_number``.
- 404 ``v2_order_not_found``: no order with that ``cdek_number`` (CDEK's documented code for
  exactly this lookup).
- 403 ``v2_entity_forbidden``: the order exists but was created by another account.
- 400 ``v2_similar_request_still_processed``: a refusal (or delete) of the same order is still
  ACCEPTED.
- 400 ``v2_entity_invalid``: refusal or delete of an order whose CREATE request ended INVALID.
- 400 ``v2_order_forbidden_status`` (chosen by this sandbox; CDEK documents no code for it):
  refusal of an order whose CREATE is still processing or whose latest status is DELIVERED,
  NOT_DELIVERED, REMOVED or INVALID; delete of an order whose latest status is not CREATED.
  A refusal or delete accepted earlier but found forbidden when it is settled ends INVALID
  with this code.
- Asynchronous, in the CREATE request of the order: ``INVALID`` with
  ``error_validate_im_dep_number_has_already_had_integration`` (CDEK's own example) when
  another order of the same account already holds that shop ``number`` successfully; the
  order then gets status INVALID and no ``cdek_number``. A REMOVED order frees its number.

Control endpoints (not CDEK; no auth; never logged, never faulted)
------------------------------------------------------------------
- ``POST /_sandbox/faults`` ``{"kind", "count": 1, "path": regex, "retry_after": 1,
  "seconds": 1.0}`` - the next ``count`` /v2 requests whose path matches ``path``
  (``re.search``; every path when absent) get the fault, then it is used up. Kinds:
  ``http_500``, ``http_502``, ``http_503`` (nginx-like HTML page), ``http_429`` (JSON body,
  ``Retry-After: retry_after``), ``delay`` (sleep ``seconds`` of real time, then answer
  normally), ``drop`` (shut the TCP connection down without any answer; this needs
  werkzeug's dev server, as used by ``server.py``: under any other WSGI server the app raises
  ``ConnectionAbortedError`` instead), ``malformed_json``
  (200, application/json, truncated body), ``empty`` (200, empty body). Several faults queue
  up; the first one whose path matches applies. ``GET`` lists them, ``DELETE`` clears them.
- ``GET /_sandbox/requests`` - every /v2 request seen, oldest first:
  ``[{"method", "path", "query", "status", "fault"}]`` (``query`` is the raw query string,
  ``status`` is null for a dropped connection or one still being answered, ``fault`` is the
  injected fault kind or null). ``DELETE`` clears the list.
- ``POST /_sandbox/orders/{uuid}/status`` ``{"code": "DELIVERED", "city"?, "reason_code"?,
  "name"?}`` - pushes a status (409 while the order's CREATE is not SUCCESSFUL).
- ``POST /_sandbox/advance`` ``{"seconds": 5}`` - moves the sandbox clock forward, so a
  client in another process can skip processing delays or expire its token.
- ``POST /_sandbox/reset`` - forget everything (orders, tokens, faults, the request log, the
  clock offset) and re-seed the random source.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import random
import re
import socket
import threading
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "FAULT_KINDS",
    "TEST_ACCOUNT",
    "TEST_SECURE_PASSWORD",
    "SandboxApp",
    "SandboxConfig",
    "SandboxState",
    "create_app",
]

#: CDEK's published shared test account for the edu server (cdek-api.md section 1).
TEST_ACCOUNT = "wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP"
TEST_SECURE_PASSWORD = "RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5"

FAULT_KINDS = frozenset(
    {"http_500", "http_502", "http_503", "http_429", "delay", "drop", "malformed_json", "empty"}
)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Request states (cdek-api.md section 2).
ACCEPTED = "ACCEPTED"
SUCCESSFUL = "SUCCESSFUL"
INVALID = "INVALID"

#: Russian names CDEK gives its order statuses; unknown codes pushed through the control
#: endpoint are named by their code.
STATUS_NAMES = {
    "ACCEPTED": "Принят",
    "CREATED": "Создан",
    "REMOVED": "Удален",
    "INVALID": "Некорректный заказ",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "Принят на склад отправителя",
    "READY_TO_SHIP_AT_SENDING_OFFICE": "Выдан на отправку в г. отправителе",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": "Выдан на отправку в г. отправителе",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": "Сдан перевозчику в г. отправителе",
    "SENT_TO_RECIPIENT_CITY": "Отправлен в г. получателя",
    "ACCEPTED_IN_RECIPIENT_CITY": "Встречен в г. получателя",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": "Принят на склад доставки",
    "ACCEPTED_AT_PICK_UP_POINT": "Принят на склад до востребования",
    "TAKEN_BY_COURIER": "Выдан на доставку",
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": "Возвращен на склад доставки",
    "DELIVERED": "Вручен",
    "NOT_DELIVERED": "Не вручен",
}

#: Statuses after which neither a refusal nor any other change is possible.
_REFUSAL_FORBIDDEN = frozenset({"DELIVERED", "NOT_DELIVERED", "REMOVED", "INVALID"})

_DEFAULT_CITY = "Москва"
_DUPLICATE_NUMBER_CODE = "error_validate_im_dep_number_has_already_had_integration"
_DUPLICATE_NUMBER_MESSAGE = (
    "Введенный номер отправления ИМ не уникальный. Введите уникальный номер."
)
_FORBIDDEN_STATUS_CODE = "v2_order_forbidden_status"
_REFUSAL_REASON_CODE = "11"

_HTML_PAGES = {
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


def _utc_now() -> datetime:
    """The default clock; a function so tests and docs generation can swap it."""
    return datetime.now(timezone.utc)


def _default_accounts() -> dict[str, str]:
    return {TEST_ACCOUNT: TEST_SECURE_PASSWORD}


@dataclass
class SandboxConfig:
    """How a sandbox behaves; every knob exists so a test or a docs build can pin it down."""

    #: client_id -> client_secret; defaults to CDEK's published test account.
    accounts: dict[str, str] = field(default_factory=_default_accounts)
    #: Token lifetime in seconds, reported as ``expires_in`` and really enforced.
    token_ttl: int = 3599
    #: Seconds (on ``clock``) before an ACCEPTED write request becomes final.
    processing_delay: float = 0.2
    #: Where "now" comes from; injectable so time can be frozen or advanced by hand.
    clock: Callable[[], datetime] = _utc_now
    #: When set, uuids, tokens and CDEK numbers come from ``random.Random(seed)``.
    seed: int | None = None


def format_datetime(moment: datetime) -> str:
    """Render a moment the way CDEK does: ``2026-08-01T14:34:18+0000``."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S%z")


def _as_utc(moment: datetime) -> datetime:
    # A naive datetime from a hand-written fake clock is taken to be UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class _ApiRequest:
    """One write request on an entity, as CDEK reports it in ``requests[]``."""

    request_uuid: str
    type: str
    date_time: datetime
    ready_at: datetime
    seq: int
    state: str = ACCEPTED
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def finish(self, state: str, at: datetime, errors: list[dict[str, str]] | None = None) -> None:
        self.state = state
        self.date_time = at  # CDEK: the time the *current* state was set
        self.errors = list(errors or [])

    def to_json(self) -> dict[str, Any]:
        return {
            "request_uuid": self.request_uuid,
            "type": self.type,
            "date_time": format_datetime(self.date_time),
            "state": self.state,
            "errors": copy.deepcopy(self.errors),
            "warnings": copy.deepcopy(self.warnings),
        }


@dataclass
class _Order:
    uuid: str
    owner: str
    body: dict[str, Any]
    type: int
    number: str
    tariff_code: int
    requests: list[_ApiRequest] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    cdek_number: str | None = None

    @property
    def create_state(self) -> str:
        return self.requests[0].state

    @property
    def latest_status(self) -> str | None:
        return self.statuses[-1]["code"] if self.statuses else None

    def pending(self, request_type: str) -> _ApiRequest | None:
        return next(
            (r for r in self.requests if r.type == request_type and r.state == ACCEPTED), None
        )

    def push_status(
        self,
        code: str,
        at: datetime,
        city: str,
        reason_code: str | None = None,
        name: str | None = None,
    ) -> None:
        status: dict[str, Any] = {
            "code": code,
            "name": name or STATUS_NAMES.get(code, code),
            "date_time": at,
            "city": city,
        }
        if reason_code is not None:
            status["reason_code"] = reason_code
        self.statuses.append(status)

    def city(self, location_key: str) -> str:
        location = self.body.get(location_key)
        if isinstance(location, dict) and isinstance(location.get("city"), str):
            return location["city"]
        return _DEFAULT_CITY

    def to_json(self) -> dict[str, Any]:
        entity: dict[str, Any] = {
            "uuid": self.uuid,
            "type": self.type,
            "is_return": False,
            "is_reverse": False,
            "is_client_return": bool(self.body.get("is_client_return", False)),
        }
        if self.cdek_number is not None:
            entity["cdek_number"] = self.cdek_number
        entity["number"] = self.number
        entity["tariff_code"] = self.tariff_code
        skip = {"uuid", "type", "number", "cdek_number", "tariff_code", "statuses"}
        for key, value in self.body.items():
            if key not in skip:
                entity[key] = copy.deepcopy(value)
        statuses = []
        for status in reversed(self.statuses):  # CDEK lists the newest first
            shown = dict(status)
            shown["date_time"] = format_datetime(status["date_time"])
            statuses.append(shown)
        entity["statuses"] = statuses
        return entity

    def envelope(self) -> dict[str, Any]:
        return {
            "entity": self.to_json(),
            "requests": [r.to_json() for r in self.requests],
            "related_entities": [],
        }


@dataclass
class _Token:
    client_id: str
    expires_at: datetime


@dataclass
class _Fault:
    kind: str
    remaining: int
    path: re.Pattern[str] | None
    retry_after: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.remaining,
            "path": self.path.pattern if self.path else None,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
        }


class _AuthFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SandboxState:
    """Everything a sandbox remembers, behind one lock (the dev server answers in threads).

    Methods whose names do not start with ``_`` take the lock themselves; the rest expect the
    caller to hold it.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything, as if the sandbox had just started (same seed, same sequence)."""
        with self.lock:
            seed = self.config.seed
            self.rng = random.Random(seed) if seed is not None else random.Random()
            self.tokens: dict[str, _Token] = {}
            self.orders: dict[str, _Order] = {}
            self.faults: list[_Fault] = []
            self.request_log: list[dict[str, Any]] = []
            self.clock_offset = timedelta(0)
            self.cdek_numbers: set[str] = set()
            self._seq = itertools.count()

    def now(self) -> datetime:
        """The sandbox's time: the configured clock plus whatever /_sandbox/advance added."""
        with self.lock:
            return _as_utc(self.config.clock()) + self.clock_offset

    def advance_clock(self, seconds: float) -> datetime:
        """Move the sandbox clock forward, so pending requests settle and tokens expire."""
        with self.lock:
            self.clock_offset += timedelta(seconds=seconds)
            return self.now()

    # --- identifiers -------------------------------------------------------------------

    def _new_uuid(self) -> str:
        return str(uuid_module.UUID(int=self.rng.getrandbits(128), version=4))

    def _new_cdek_number(self) -> str:
        while True:
            number = f"1106{self.rng.randrange(10**6):06d}"
            if number not in self.cdek_numbers:
                self.cdek_numbers.add(number)
                return number

    def _new_request(self, request_type: str, now: datetime) -> _ApiRequest:
        return _ApiRequest(
            request_uuid=self._new_uuid(),
            type=request_type,
            date_time=now,
            ready_at=now + timedelta(seconds=self.config.processing_delay),
            seq=next(self._seq),
        )

    # --- tokens ------------------------------------------------------------------------

    def issue_token(self, client_id: str) -> dict[str, Any]:
        """Mint a JWT-looking token (header.payload.signature) and remember it."""
        with self.lock:
            now = self.now()
            ttl = self.config.token_ttl
            jti = self._new_uuid()
            expires_at = now + timedelta(seconds=ttl)
            header = {"alg": "RS256", "typ": "JWT"}
            payload = {
                "scope": ["order:all", "payment:all"],
                "exp": int(expires_at.timestamp()),
                "authorities": ["shard-id:sandbox", f"client-id:{client_id}"],
                "client_id": client_id,
                "jti": jti,
            }
            token = ".".join(
                [
                    _b64url(json.dumps(header, separators=(",", ":")).encode()),
                    _b64url(json.dumps(payload, separators=(",", ":")).encode()),
                    _b64url(self.rng.randbytes(128)),
                ]
            )
            self.tokens[token] = _Token(client_id=client_id, expires_at=expires_at)
            return {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": ttl,
                "scope": "order:all payment:all",
                "jti": jti,
            }

    def _client_for(self, authorization: str | None, now: datetime) -> str:
        if not authorization:
            raise _AuthFailure("unauthorized", "Full authentication is required")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _AuthFailure("unauthorized", "Full authentication is required")
        record = self.tokens.get(token)
        if record is None:
            raise _AuthFailure("v2_authorization_incorrect", "Authorization is incorrect")
        if now >= record.expires_at:
            raise _AuthFailure("v2_token_expired", "Token is expired, get a new one")
        return record.client_id

    # --- asynchronous processing --------------------------------------------------------

    def _settle(self, now: datetime) -> None:
        """Finish every request that became due by ``now``, in the order they became due."""
        due = [
            (request.ready_at, request.seq, order, request)
            for order in self.orders.values()
            for request in order.requests
            if request.state == ACCEPTED and request.ready_at <= now
        ]
        due.sort(key=lambda item: (item[0], item[1]))
        for _, _, order, request in due:
            self._finish(order, request)

    def _finish(self, order: _Order, request: _ApiRequest) -> None:
        at = request.ready_at
        if request.type == "CREATE":
            if self._number_taken(order):
                duplicate = _error(_DUPLICATE_NUMBER_CODE, _DUPLICATE_NUMBER_MESSAGE)
                request.finish(INVALID, at, [duplicate])
                order.push_status("INVALID", at, order.city("from_location"))
            else:
                request.finish(SUCCESSFUL, at)
                order.cdek_number = self._new_cdek_number()
                order.push_status("ACCEPTED", at, order.city("from_location"))
                order.push_status("CREATED", at, order.city("from_location"))
        elif request.type == "CREATE_REFUSAL":
            if order.latest_status in _REFUSAL_FORBIDDEN:
                request.finish(INVALID, at, [_forbidden_status(order)])
            else:
                request.finish(SUCCESSFUL, at)
                order.push_status(
                    "NOT_DELIVERED", at, order.city("to_location"), _REFUSAL_REASON_CODE
                )
        elif request.type == "DELETE":
            if order.latest_status != "CREATED":
                request.finish(INVALID, at, [_forbidden_status(order)])
            else:
                request.finish(SUCCESSFUL, at)
                order.push_status("REMOVED", at, order.city("from_location"))

    def _number_taken(self, order: _Order) -> bool:
        return any(
            other is not order
            and other.owner == order.owner
            and other.number == order.number
            and other.create_state == SUCCESSFUL
            and other.latest_status != "REMOVED"
            for other in self.orders.values()
        )

    # --- faults and the request log -----------------------------------------------------

    def add_fault(self, fault: _Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, path: str) -> _Fault | None:
        """Use up one application of the first queued fault that matches ``path``."""
        with self.lock:
            for fault in self.faults:
                if fault.path is None or fault.path.search(path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def log_request(self, request: Request) -> dict[str, Any]:
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("utf-8", "replace"),
            "status": None,
            "fault": None,
        }
        with self.lock:
            self.request_log.append(entry)
        return entry

    def update_log(self, entry: dict[str, Any], **values: Any) -> None:
        with self.lock:
            entry.update(values)

    def snapshot_log(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(entry) for entry in self.request_log]


def _forbidden_status(order: _Order) -> dict[str, str]:
    if order.create_state == ACCEPTED:
        detail = "its CREATE request is still being processed"
    else:
        detail = f"its status is {order.latest_status}"
    message = f"Operation is forbidden for order {order.uuid}: {detail}"
    return _error(_FORBIDDEN_STATUS_CODE, message)


class _SandboxRequest(Request):
    # Orders are small; refuse anything absurd instead of buffering it.
    max_content_length = 16 * 1024 * 1024


class _ConnectionDropped(ConnectionAbortedError):
    """Raised after the socket was shut down on purpose (fault "drop").

    werkzeug's dev server treats a ConnectionError from the app as a dropped connection and
    logs nothing, which is exactly what a silent drop should look like.
    """


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type=JSON_CONTENT_TYPE,
    )


def _cdek_error(
    status: int,
    request_type: str,
    errors: list[dict[str, str]],
    now: datetime,
    request_uuid: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The envelope CDEK answers errors with: ``requests[]`` only, state INVALID."""
    record: dict[str, Any] = {}
    if request_uuid is not None:
        record["request_uuid"] = request_uuid
    record.update(
        {
            "type": request_type,
            "date_time": format_datetime(now),
            "state": INVALID,
            "errors": errors,
            "warnings": [],
        }
    )
    return _json_response({"requests": [record]}, status, headers)


_METHOD_REQUEST_TYPES = {"GET": "GET", "HEAD": "GET", "POST": "CREATE", "PATCH": "UPDATE"}


def _validate_order(body: dict[str, Any]) -> list[dict[str, str]]:
    """CDEK's static (synchronous) checks of a new order: one error per problem."""
    errors: list[dict[str, str]] = []

    def empty(name: str) -> None:
        errors.append(_error("v2_field_is_empty", f"Field is empty [{name}]"))

    def wrong_type(name: str) -> None:
        errors.append(_error("v2_invalid_value_type", f"Invalid value type in [{name}] field"))

    order_type = body.get("type")
    if order_type is not None and (not _is_int(order_type) or order_type not in (1, 2)):
        message = f"Invalid value [{order_type}] in [type] parameter"
        errors.append(_error("v2_invalid_format", message))

    tariff = body.get("tariff_code")
    if _is_empty(tariff):
        empty("tariff_code")
    elif not (_is_int(tariff) or (isinstance(tariff, str) and tariff.isdigit())):
        wrong_type("tariff_code")

    number = body.get("number")
    if number is not None and not (isinstance(number, str) or _is_int(number)):
        wrong_type("number")

    recipient = body.get("recipient")
    if _is_empty(recipient):
        empty("recipient")
    elif not isinstance(recipient, dict):
        wrong_type("recipient")
    else:
        if _is_empty(recipient.get("name")):
            empty("recipient.name")
        phones = recipient.get("phones")
        if _is_empty(phones):
            empty("recipient.phones")
        elif not isinstance(phones, list):
            wrong_type("recipient.phones")
        else:
            for index, phone in enumerate(phones):
                if not isinstance(phone, dict):
                    wrong_type(f"recipient.phones[{index}]")
                elif _is_empty(phone.get("number")):
                    empty(f"recipient.phones[{index}].number")

    packages = body.get("packages")
    if _is_empty(packages):
        empty("packages")
    elif not isinstance(packages, list):
        wrong_type("packages")
    else:
        for index, package in enumerate(packages):
            if not isinstance(package, dict):
                wrong_type(f"packages[{index}]")
                continue
            if _is_empty(package.get("number")):
                empty(f"packages[{index}].number")
            weight = package.get("weight")
            if _is_empty(weight):
                empty(f"packages[{index}].weight")
            elif not _is_number(weight):
                wrong_type(f"packages[{index}].weight")

    for location, point in (("from_location", "shipment_point"), ("to_location", "delivery_point")):
        location_value, point_value = body.get(location), body.get(point)
        if _is_empty(location_value) and _is_empty(point_value):
            empty(f"{location} or {point}")
            continue
        if not _is_empty(location_value) and not isinstance(location_value, dict):
            wrong_type(location)
        if not _is_empty(point_value) and not isinstance(point_value, str):
            wrong_type(point)
    return errors


class SandboxApp:
    """The WSGI application; ``config`` is how it behaves, ``state`` what it remembers."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.state = SandboxState(self.config)
        self.url_map = Map(
            [
                Rule("/v2/oauth/token", methods=["POST"], endpoint="token"),
                Rule("/v2/orders", methods=["POST"], endpoint="create_order"),
                Rule("/v2/orders", methods=["GET"], endpoint="find_order"),
                Rule("/v2/orders/<order_uuid>", methods=["GET"], endpoint="get_order"),
                Rule("/v2/orders/<order_uuid>", methods=["DELETE"], endpoint="delete_order"),
                Rule("/v2/orders/<order_uuid>/refusal", methods=["POST"], endpoint="refusal"),
                Rule("/_sandbox/faults", methods=["GET"], endpoint="ctl_list_faults"),
                Rule("/_sandbox/faults", methods=["POST"], endpoint="ctl_add_fault"),
                Rule("/_sandbox/faults", methods=["DELETE"], endpoint="ctl_clear_faults"),
                Rule("/_sandbox/requests", methods=["GET"], endpoint="ctl_list_requests"),
                Rule("/_sandbox/requests", methods=["DELETE"], endpoint="ctl_clear_requests"),
                Rule(
                    "/_sandbox/orders/<order_uuid>/status",
                    methods=["POST"],
                    endpoint="ctl_push_status",
                ),
                Rule("/_sandbox/advance", methods=["POST"], endpoint="ctl_advance"),
                Rule("/_sandbox/reset", methods=["POST"], endpoint="ctl_reset"),
            ],
            # A redirect to a "canonical" path is not something CDEK would answer.
            merge_slashes=False,
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _SandboxRequest(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    # --- dispatch ----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Answer one request; /v2 traffic is logged and may be faulted first."""
        path = request.path
        if path == "/v2" or path.startswith("/v2/"):
            return self._dispatch_api(request)
        return self._route(request)

    def _dispatch_api(self, request: Request) -> Response:
        entry = self.state.log_request(request)
        fault = self.state.take_fault(request.path)
        if fault is not None:
            self.state.update_log(entry, fault=fault.kind)
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                response = self._fault_response(fault, request)
                self.state.update_log(entry, status=response.status_code)
                return response
        response = self._route(request)
        self.state.update_log(entry, status=response.status_code)
        return response

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

        handler = getattr(self, f"_ep_{endpoint}")
        try:
            if endpoint.startswith("ctl_") or endpoint == "token":
                return handler(request, **args)
            with self.state.lock:
                client = self.state._client_for(request.headers.get("Authorization"), now)
            return handler(request, client, **args)
        except _AuthFailure as exc:
            return _cdek_error(401, "AUTH", [_error(exc.code, exc.message)], now)
        except HTTPException as exc:  # e.g. 413 from reading an oversized body
            code = exc.code or 400
            return _cdek_error(code, request_type, [_error("v2_bad_request", exc.name)], now)

    # --- faults ------------------------------------------------------------------------

    def _fault_response(self, fault: _Fault, request: Request) -> Response:
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
            connection = request.environ.get("werkzeug.socket")
            if isinstance(connection, socket.socket):
                # Shut down (not close): the server still owns the descriptor and closes it.
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            raise _ConnectionDropped("connection dropped on purpose by a sandbox fault")
        raise AssertionError(f"unhandled fault kind {kind!r}")  # pragma: no cover

    # --- helpers for CDEK endpoints ---------------------------------------------------

    def _lookup(
        self, order_uuid: str, client: str, request_type: str, now: datetime
    ) -> _Order | Response:
        """Find an order of ``client`` or build the error CDEK would answer (lock held)."""
        try:
            uuid_module.UUID(order_uuid)
        except ValueError:
            message = f"Invalid value [{order_uuid}] in [uuid] parameter"
            return _cdek_error(400, request_type, [_error("v2_invalid_format", message)], now)
        order = self.state.orders.get(order_uuid.lower())
        if order is None:
            message = f"Entity is not found by uuid {order_uuid}"
            return _cdek_error(404, request_type, [_error("v2_entity_not_found", message)], now)
        if order.owner != client:
            message = f"Entity is forbidden {order_uuid}"
            return _cdek_error(403, request_type, [_error("v2_entity_forbidden", message)], now)
        return order

    def _accept(self, order: _Order, request_type: str, now: datetime) -> Response:
        api_request = self.state._new_request(request_type, now)
        order.requests.append(api_request)
        body = {
            "entity": {"uuid": order.uuid},
            "requests": [api_request.to_json()],
            "related_entities": [],
        }
        return _json_response(body, 202)

    @staticmethod
    def _read_json(request: Request) -> Any:
        """The body as JSON, or raise ValueError (CDEK answers v2_bad_request)."""
        raw = request.get_data(cache=True)
        return json.loads(raw.decode("utf-8"))

    # --- CDEK endpoints ---------------------------------------------------------------

    def _ep_token(self, request: Request) -> Response:
        values = request.values  # query string and form body, as CDEK accepts both
        grant_type = values.get("grant_type")
        if not grant_type:
            return _json_response(
                {"error": "invalid_request", "error_description": "Missing grant type"}, 400
            )
        if grant_type != "client_credentials":
            return _json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"Unsupported grant type: {grant_type}",
                },
                400,
            )
        client_id = values.get("client_id", "")
        secret = values.get("client_secret", "")
        expected = self.config.accounts.get(client_id)
        if not client_id or expected is None or expected != secret:
            return _json_response(
                {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
            )
        return _json_response(self.state.issue_token(client_id))

    def _ep_create_order(self, request: Request, client: str) -> Response:
        state = self.state
        try:
            body = self._read_json(request)
        except ValueError:
            body = None
        with state.lock:
            now = state.now()
            request_uuid = state._new_uuid()
            if not isinstance(body, dict):
                message = "Bad request: the body must be a JSON object"
                return _cdek_error(
                    400, "CREATE", [_error("v2_bad_request", message)], now, request_uuid
                )
            errors = _validate_order(body)
            if errors:
                return _cdek_error(400, "CREATE", errors, now, request_uuid)
            state._settle(now)
            order_uuid = state._new_uuid()
            number = body.get("number")
            order = _Order(
                uuid=order_uuid,
                owner=client,
                body=copy.deepcopy(body),
                type=body.get("type") or 1,
                # CDEK: without a shop number the order's own uuid is used as its number.
                number=str(number) if not _is_empty(number) else order_uuid,
                tariff_code=int(body["tariff_code"]),
            )
            state.orders[order_uuid] = order
            api_request = state._new_request("CREATE", now)
            api_request.request_uuid = request_uuid
            order.requests.append(api_request)
            answer = {
                "entity": {"uuid": order_uuid},
                "requests": [api_request.to_json()],
                "related_entities": [],
            }
            return _json_response(answer, 202)

    def _ep_get_order(self, request: Request, client: str, order_uuid: str) -> Response:
        with self.state.lock:
            now = self.state.now()
            self.state._settle(now)
            order = self._lookup(order_uuid, client, "GET", now)
            if isinstance(order, Response):
                return order
            return _json_response(order.envelope())

    def _ep_find_order(self, request: Request, client: str) -> Response:
        cdek_number = request.args.get("cdek_number", "").strip()
        im_number = request.args.get("im_number", "").strip()
        with self.state.lock:
            now = self.state.now()
            if not cdek_number and not im_number:
                message = "All parameters are empty (give cdek_number or im_number)"
                return _cdek_error(400, "GET", [_error("v2_parameters_empty", message)], now)
            self.state._settle(now)
            mine = [o for o in self.state.orders.values() if o.owner == client]
            if cdek_number:
                matches = [o for o in mine if o.cdek_number == cdek_number]
                if not matches:
                    message = f"Order not found by cdek_number {cdek_number}"
                    return _cdek_error(404, "GET", [_error("v2_order_not_found", message)], now)
            else:
                matches = [o for o in mine if o.number == im_number]
                if not matches:
                    message = f"Entity is not found by im_number {im_number}"
                    return _cdek_error(404, "GET", [_error("v2_entity_not_found", message)], now)
            # Prefer the order that really holds the number; then the newest attempt.
            live = [o for o in matches if o.create_state == SUCCESSFUL]
            chosen = (live or matches)[-1]
            return _json_response(chosen.envelope())

    def _ep_refusal(self, request: Request, client: str, order_uuid: str) -> Response:
        with self.state.lock:
            now = self.state.now()
            self.state._settle(now)
            order = self._lookup(order_uuid, client, "CREATE_REFUSAL", now)
            if isinstance(order, Response):
                return order
            problem = self._write_problem(order, "CREATE_REFUSAL")
            if problem is None and order.latest_status in _REFUSAL_FORBIDDEN:
                problem = _forbidden_status(order)
            if problem is not None:
                return _cdek_error(400, "CREATE_REFUSAL", [problem], now)
            return self._accept(order, "CREATE_REFUSAL", now)

    def _ep_delete_order(self, request: Request, client: str, order_uuid: str) -> Response:
        with self.state.lock:
            now = self.state.now()
            self.state._settle(now)
            order = self._lookup(order_uuid, client, "DELETE", now)
            if isinstance(order, Response):
                return order
            problem = self._write_problem(order, "DELETE")
            if problem is None and order.latest_status != "CREATED":
                problem = _forbidden_status(order)
            if problem is not None:
                return _cdek_error(400, "DELETE", [problem], now)
            return self._accept(order, "DELETE", now)

    @staticmethod
    def _write_problem(order: _Order, request_type: str) -> dict[str, str] | None:
        """Checks shared by refusal and delete; None when the write may be accepted."""
        if order.create_state == INVALID:
            return _error("v2_entity_invalid", f"Entity is invalid {order.uuid}")
        if order.create_state == ACCEPTED:
            return _forbidden_status(order)
        pending = order.pending(request_type)
        if pending is not None:
            return _error(
                "v2_similar_request_still_processed",
                f"Similar request is still being processed {pending.request_uuid}",
            )
        return None

    # --- control endpoints ------------------------------------------------------------

    def _ep_ctl_list_faults(self, request: Request) -> Response:
        with self.state.lock:
            return _json_response([fault.to_json() for fault in self.state.faults])

    def _ep_ctl_add_fault(self, request: Request) -> Response:
        try:
            spec = self._read_json(request)
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
        if not _is_number(seconds) or seconds < 0:
            return _json_response({"error": "seconds must be a number >= 0"}, 400)
        pattern = spec.get("path")
        try:
            compiled = re.compile(pattern) if pattern is not None else None
        except (re.error, TypeError) as exc:
            return _json_response({"error": f"path is not a valid regex: {exc}"}, 400)
        fault = _Fault(kind, count, compiled, retry_after, float(seconds))
        self.state.add_fault(fault)
        return _json_response(fault.to_json(), 201)

    def _ep_ctl_clear_faults(self, request: Request) -> Response:
        with self.state.lock:
            cleared = len(self.state.faults)
            self.state.faults.clear()
        return _json_response({"cleared": cleared})

    def _ep_ctl_list_requests(self, request: Request) -> Response:
        return _json_response(self.state.snapshot_log())

    def _ep_ctl_clear_requests(self, request: Request) -> Response:
        with self.state.lock:
            cleared = len(self.state.request_log)
            self.state.request_log.clear()
        return _json_response({"cleared": cleared})

    def _ep_ctl_push_status(self, request: Request, order_uuid: str) -> Response:
        try:
            spec = self._read_json(request)
        except ValueError:
            return _json_response({"error": "the body must be JSON"}, 400)
        code = spec.get("code") if isinstance(spec, dict) else None
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
            return _json_response({"error": "code must be a status code like DELIVERED"}, 400)
        with self.state.lock:
            now = self.state.now()
            self.state._settle(now)
            order = self.state.orders.get(order_uuid.lower())
            if order is None:
                return _json_response({"error": f"no order {order_uuid}"}, 404)
            if order.create_state != SUCCESSFUL:
                return _json_response(
                    {"error": f"order {order_uuid} is not created (CREATE {order.create_state})"},
                    409,
                )
            reason = spec.get("reason_code")
            order.push_status(
                code,
                now,
                str(spec.get("city") or order.city("to_location")),
                str(reason) if reason is not None else None,
                spec.get("name") if isinstance(spec.get("name"), str) else None,
            )
            return _json_response(order.envelope())

    def _ep_ctl_advance(self, request: Request) -> Response:
        try:
            spec = self._read_json(request)
        except ValueError:
            return _json_response({"error": "the body must be JSON"}, 400)
        seconds = spec.get("seconds") if isinstance(spec, dict) else None
        if not _is_number(seconds) or seconds < 0:
            return _json_response({"error": "seconds must be a number >= 0"}, 400)
        now = self.state.advance_clock(float(seconds))
        return _json_response({"now": format_datetime(now)})

    def _ep_ctl_reset(self, request: Request) -> Response:
        self.state.reset()
        return _json_response({"reset": True})


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a fresh sandbox; each app has its own state, so tests never share orders."""
    return SandboxApp(config)
