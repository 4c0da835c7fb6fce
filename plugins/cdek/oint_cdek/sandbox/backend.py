"""``SandboxState``: everything a sandbox remembers (orders, the other entities, tokens,
faults, the request log), the lock that guards it, the clock, and the settling of
asynchronous requests. Lookups that answer CDEK's errors live here too; answering HTTP is
the handlers' job (no werkzeug here)."""

from __future__ import annotations

import copy
import itertools
import random
import threading
import uuid as uuid_module
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from .config import SandboxConfig, _as_utc
from .delivery import Outbox
from .events import Event, EventTracker
from .exceptions import (
    _ApiError,
    _AuthFailure,
    _field_empty,
    _number_not_found,
    _uuid_not_found,
    _wrong_type,
)
from .models import (
    ACCEPTED,
    SUCCESSFUL,
    _ApiRequest,
    _Fault,
    _forbidden,
    _Intake,
    _jwt_like,
    _Linked,
    _Order,
    _OrderList,
    _owned,
    _PhotoArchive,
    _PrintForm,
    _Record,
    _Timer,
    _Token,
    _Tracked,
    _Webhook,
)
from .models.linked import appointment_fields, intake_fields
from .validation import _is_digits, _is_empty, _require_uuid

_Drawn = TypeVar("_Drawn")
_Kind = TypeVar("_Kind", bound=_Record)


def _draw_unique(draw: Callable[[], _Drawn], taken: set[_Drawn]) -> _Drawn:
    """Draw until the value is not in ``taken``, then reserve it: CDEK and intake numbers
    never repeat within one sandbox."""
    while True:
        value = draw()
        if value not in taken:
            taken.add(value)
            return value


class SandboxState:
    """Everything a sandbox remembers, behind one lock (the dev server answers in threads).

    Methods whose names do not start with ``_`` take the lock themselves, except the lookups
    and writes a handler calls while it holds the lock (their docstrings say "lock held");
    the ``_`` ones expect the caller to hold it.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        #: Sends webhook events (its thread starts when there is something to send).
        self.outbox = Outbox(self)
        #: Where clients reach the sandbox (``http://host:port``): the root of the links in
        #: webhook events. Set by the server, else from the first request.
        self.root_url: str | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything, as if the sandbox had just started (same seed, same sequence)."""
        with self.lock:
            seed = self.config.seed
            self.rng = random.Random(seed) if seed is not None else random.Random()
            self.tokens: dict[str, _Token] = {}
            self.orders: dict[str, _Order] = {}
            self.records: dict[str, _Record] = {}
            self.intake_numbers: set[int] = set()
            self.faults: list[_Fault] = []
            self.request_log: list[dict[str, Any]] = []
            self.clock_offset = timedelta(0)
            self.cdek_numbers: set[str] = set()
            self.webhooks: dict[str, _Webhook] = {}
            #: Subscriptions CDEK's delivery rules disabled or removed (no longer CDEK's).
            self.disabled_webhooks: dict[str, _Webhook] = {}
            self.events = EventTracker()
            self.outbox.clear()
            self.photo_archives: dict[str, _PhotoArchive] = {}
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

    def settled_now(self) -> datetime:
        """The sandbox time, after settling everything due by then (lock held): the one
        clock read a handler of entities starts with."""
        now = self.now()
        self._settle(now)
        return now

    # --- identifiers -------------------------------------------------------------------

    def _new_uuid(self) -> str:
        return str(uuid_module.UUID(int=self.rng.getrandbits(128), version=4))

    def _new_cdek_number(self) -> str:
        return _draw_unique(lambda: f"1106{self.rng.randrange(10**6):06d}", self.cdek_numbers)

    def _new_intake_number(self) -> int:
        return _draw_unique(lambda: 2000000 + self.rng.randrange(10**6), self.intake_numbers)

    def _new_request(self, request_type: str, now: datetime) -> _ApiRequest:
        return _ApiRequest(
            request_uuid=self._new_uuid(),
            type=request_type,
            date_time=now,
            ready_at=now + timedelta(seconds=self.config.processing_delay),
            seq=next(self._seq),
        )

    def _done_request(self, request_type: str, now: datetime) -> _ApiRequest:
        """A write request that is SUCCESSFUL at once (webhooks, photo archives)."""
        api_request = self._new_request(request_type, now)
        api_request.finish(SUCCESSFUL, now)
        return api_request

    # --- tokens ------------------------------------------------------------------------

    def issue_token(self, client_id: str) -> dict[str, Any]:
        """Mint a JWT-looking token (header.payload.signature) and remember it."""
        with self.lock:
            now = self.now()
            ttl = self.config.token_ttl
            jti = self._new_uuid()
            expires_at = now + timedelta(seconds=ttl)
            token = _jwt_like(client_id, jti, expires_at, self.rng.randbytes(128))
            self.tokens[token] = _Token(client_id=client_id, expires_at=expires_at)
            return {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": ttl,
                "scope": "order:all payment:all",
                "jti": jti,
            }

    def account_of(self, authorization: str | None) -> str | None:
        """The client_id whose token an ``Authorization`` header carries, expired or not;
        None for no header, another scheme or a token the sandbox never issued."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self.lock:
            record = self.tokens.get(token.strip())
        return None if record is None else record.client_id

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
        """Finish every request (and fire every timer) due by ``now``, in the order they
        became due. Finishing may schedule a timer that is already due: loop until calm."""
        while True:
            due = self._due(now)
            if not due:
                return
            due.sort(key=lambda item: (item[0], item[1]))
            for _, _, action in due:
                action()

    def _due(self, now: datetime) -> list[tuple[datetime, int, Callable[[], None]]]:
        due: list[tuple[datetime, int, Callable[[], None]]] = []
        for order in self.orders.values():
            for request in order.requests:
                if request.state == ACCEPTED and request.ready_at <= now:
                    due.append((request.ready_at, request.seq, self._finisher(order, request)))
        for record in self.records.values():
            for request in record.requests:
                if request.state == ACCEPTED and request.ready_at <= now:
                    action = self._record_finisher(record, request)
                    due.append((request.ready_at, request.seq, action))
            if isinstance(record, _PrintForm):
                for timer in record.timers:
                    if not timer.done and timer.at <= now:
                        due.append((timer.at, timer.seq, self._timer_firer(record, timer)))
        return due

    def _finisher(self, order: _Order, request: _ApiRequest) -> Callable[[], None]:
        return lambda: self._finish(order, request)

    def _record_finisher(self, record: _Record, request: _ApiRequest) -> Callable[[], None]:
        return lambda: self._finish_record(record, request)

    @staticmethod
    def _timer_firer(form: _PrintForm, timer: _Timer) -> Callable[[], None]:
        return lambda: form.fire(timer)

    def _finish(self, order: _Order, request: _ApiRequest) -> None:
        if request.type == "CREATE":
            order.settle_create(request, self._number_taken(order), self._new_cdek_number)
        else:
            order.settle_change(request)

    def _finish_record(self, record: _Record, request: _ApiRequest) -> None:
        at = request.ready_at
        if isinstance(record, _OrderList):  # print forms and prealerts
            errors = self._resolve_refs(record)
            if errors:
                record.fail(request, at, errors)
                return
            request.finish(SUCCESSFUL, at)
            if isinstance(record, _PrintForm):
                ready_at = at + timedelta(seconds=self.config.processing_delay)
                record.start_processing(at, ready_at, next(self._seq))
        elif isinstance(record, _Intake) and request.type in ("UPDATE", "DELETE"):
            record.settle_change(request)
        elif isinstance(record, _Linked):  # CREATE of an intake or a delivery agreement
            problem = self._linked_order_problem(record)
            if problem is not None:
                record.fail(request, at, [problem])
                return
            request.finish(SUCCESSFUL, at)
            if isinstance(record, _Intake):
                number = str(self._new_intake_number())  # CDEK's intake numbers are strings
                record.fields = {"intake_number": number, **record.fields}
            for code in record.created_statuses:
                record.push_status(code, at)

    def _number_taken(self, order: _Order) -> bool:
        return any(
            other is not order
            and other.owner == order.owner
            and other.number == order.number
            and other.create_state == SUCCESSFUL
            and other.latest_status != "REMOVED"
            for other in self.orders.values()
        )

    def _resolve_refs(self, record: _OrderList) -> list[dict[str, str]]:
        """Point a print form's or prealert's ``orders`` at live orders; errors if it can't."""
        errors: list[dict[str, str]] = []
        resolved: list[dict[str, Any]] = []
        for ref in record.fields.get("orders", []):
            order = self._find_order(record.owner, ref.get("order_uuid"), ref.get("cdek_number"))
            if order is None:
                if "order_uuid" in ref:
                    errors.append(_uuid_not_found(ref["order_uuid"]))
                else:
                    errors.append(_number_not_found(ref["cdek_number"]))
            elif not order.has_check:  # not created yet, or REMOVED or INVALID
                errors.append(_forbidden(order))
            else:
                resolved.append({"order_uuid": order.uuid, "cdek_number": order.cdek_number})
        if not errors:
            record.fields["orders"] = resolved
        return errors

    def _linked_order_problem(self, record: _Linked) -> dict[str, str] | None:
        """Why the order an intake or appointment names can no longer take it, if it can't."""
        order = self.orders.get(str(record.fields.get("order_uuid")))  # orders never vanish
        if order is not None and order.is_final:
            return _forbidden(order)
        return None

    # --- lookups (lock held) ------------------------------------------------------------

    def _find_order(
        self, owner: str, order_uuid: str | None = None, cdek_number: str | None = None
    ) -> _Order | None:
        """The order of ``owner`` with that uuid (or else that CDEK number), if any."""
        if order_uuid is not None:
            order = self.orders.get(order_uuid.lower())
            return order if order is not None and order.owner == owner else None
        if cdek_number is not None:
            return next(
                (
                    o
                    for o in self.orders.values()
                    if o.owner == owner and o.cdek_number == str(cdek_number)
                ),
                None,
            )
        return None

    def created_order(self, order_uuid: str) -> _Order:
        """The order the control plane moves (lock held): ``LookupError`` when there is
        none, ``ValueError`` while its CREATE is not SUCCESSFUL."""
        order = self.orders.get(order_uuid.lower())
        if order is None:
            raise LookupError(f"no order {order_uuid}")
        if order.create_state != SUCCESSFUL:
            raise ValueError(f"order {order_uuid} is not created (CREATE {order.create_state})")
        return order

    def require_order(
        self,
        client: str,
        request_type: str,
        order_uuid: str | None = None,
        cdek_number: str | None = None,
    ) -> _Order:
        """The order named by uuid (or else CDEK number), or raise the error CDEK would."""
        if order_uuid is not None:
            _require_uuid(order_uuid, "order_uuid", request_type)
            return _owned(self.orders.get(order_uuid.lower()), order_uuid, client, request_type)
        order = self._find_order(client, cdek_number=cdek_number)
        if order is None:
            raise _ApiError(400, [_number_not_found(cdek_number)], request_type)
        return order

    def linked_order(self, body: dict[str, Any], client: str, required: bool) -> _Order | None:
        """The live order an intake or appointment body names, or raise a 400 about it."""
        order_uuid, cdek_number = body.get("order_uuid"), body.get("cdek_number")
        if _is_empty(order_uuid) and _is_empty(cdek_number):
            if required:
                raise _ApiError(400, [_field_empty("order_uuid or cdek_number")], "CREATE")
            return None
        if not _is_empty(order_uuid):
            if not isinstance(order_uuid, str):
                raise _ApiError(400, [_wrong_type("order_uuid")], "CREATE")
            _require_uuid(order_uuid, "order_uuid", "CREATE")
            order = self._find_order(client, order_uuid=order_uuid)
            if order is None:
                raise _ApiError(400, [_uuid_not_found(order_uuid)], "CREATE")
        else:
            if not _is_digits(cdek_number):
                raise _ApiError(400, [_wrong_type("cdek_number")], "CREATE")
            order = self._find_order(client, cdek_number=str(cdek_number))
            if order is None:
                raise _ApiError(400, [_number_not_found(cdek_number)], "CREATE")
        if not order.is_live:
            raise _ApiError(400, [_forbidden(order)], "CREATE")
        return order

    def lookup_record(
        self, record_uuid: str, kind: type[_Kind], client: str, request_type: str
    ) -> _Kind:
        """A print form, prealert, intake or appointment of ``client`` (lock held), or raise."""
        _require_uuid(record_uuid, "uuid", request_type)
        record = self.records.get(record_uuid.lower())
        found = record if isinstance(record, kind) else None
        return _owned(found, record_uuid, client, request_type)

    def lookup_webhook(self, hook_uuid: str, client: str, request_type: str) -> _Webhook:
        """A webhook subscription of ``client`` (lock held), or raise."""
        _require_uuid(hook_uuid, "uuid", request_type)
        return _owned(self.webhooks.get(hook_uuid.lower()), hook_uuid, client, request_type)

    def delivered_on(self, client: str, day: date) -> list[_Order]:
        """Orders of ``client`` delivered on ``day`` with cash on delivery (lock held)."""
        delivered = [
            (at, order)
            for order in self.orders.values()
            if order.owner == client
            and (at := order.delivered_at) is not None
            and at.date() == day
            and order.cod_sum > 0
        ]
        delivered.sort(key=lambda item: item[0])
        return [order for _, order in delivered]

    # --- writes (lock held) -------------------------------------------------------------

    def accept(
        self, entity: _Tracked, request_type: str, now: datetime, payload: dict[str, Any] | None
    ) -> _ApiRequest:
        """Queue a checked write request on an order or intake."""
        api_request = self._new_request(request_type, now)
        api_request.payload = payload
        entity.requests.append(api_request)
        return api_request

    def new_record(
        self, kind: type[_Record], client: str, fields: dict[str, Any], now: datetime
    ) -> tuple[_Record, _ApiRequest]:
        """Store a new entity with its CREATE request; both are returned."""
        record = kind(uuid=self._new_uuid(), owner=client, fields=fields)
        api_request = self._new_request("CREATE", now)
        record.requests.append(api_request)
        if record.shows_statuses:
            record.push_status("ACCEPTED", now)
        self.records[record.uuid] = record
        return record, api_request

    def new_linked_record(
        self, kind: type[_Linked], body: dict[str, Any], client: str, required: bool
    ) -> tuple[_Record, _ApiRequest]:
        """Create an intake or appointment from a checked body, naming its order (if any)
        both ways: settle first, so the order's state is current when it is checked."""
        now = self.settled_now()
        order = self.linked_order(body, client, required=required)
        fields = copy.deepcopy(body)
        if order is not None:
            fields["order_uuid"] = order.uuid
            fields["cdek_number"] = order.cdek_number
        if issubclass(kind, _Intake):
            fields.update(intake_fields(body, order, client))
        else:
            fields.update(appointment_fields(body, order))
        return self.new_record(kind, client, fields, now)

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

    # --- webhook events -----------------------------------------------------------------

    def publish_events(self, settle: bool = False) -> None:
        """Send the events of whatever changed since the last call (first settling what is
        due, when ``settle``): each goes to the matching subscriptions' queues."""
        with self.lock:
            if settle:
                self._settle(self.now())
            root = self.root_url or "http://127.0.0.1"
            for event in self.events.changes(self, root):
                self.send_event(event)

    def send_event(self, event: Event) -> int:
        """Queue ``event`` for every active subscription of its type of the account it
        concerns (of every account when it concerns none); how many (lock held)."""
        hooks = [
            hook
            for hook in self.webhooks.values()
            if hook.type == event.type and (event.owner is None or hook.owner == event.owner)
        ]
        if hooks:
            self.outbox.send(event, hooks)
        return len(hooks)

    def disable_webhooks(self, hook_uuids: list[str], reason: str) -> None:
        """Take subscriptions out of service (lock held): CDEK no longer lists them."""
        now = self.now()
        for hook_uuid in hook_uuids:
            hook = self.webhooks.pop(hook_uuid, None)
            if hook is not None:
                hook.disabled_at, hook.disabled_reason = now, reason
                self.disabled_webhooks[hook_uuid] = hook

    def log_entry(self, entry: dict[str, Any]) -> None:
        """Append an entry (an outgoing webhook attempt) to the request log."""
        with self.lock:
            self.request_log.append(entry)

    def log_request(self, method: str, path: str, query: str) -> dict[str, Any]:
        entry = {
            "direction": "in",
            "method": method,
            "path": path,
            "query": query,
            "status": None,
            "fault": None,
            "account": None,
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
