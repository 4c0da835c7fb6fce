"""Handlers of what CDEK reports about orders: passport data, fiscal checks, cash on
delivery registries and payments, delivery intervals."""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..config import format_datetime
from ..exceptions import _ApiError, _error, _parameters_empty
from ..models import SUCCESSFUL, _forbidden, _Order
from ..responses import _json_response
from ..validation import _is_empty, _query_date, _query_list
from .common import _date_intervals

_AGENT_COMMISSION = 0.03  # share of cash on delivery CDEK keeps (made up for the sandbox)


def _order_from_query(backend: SandboxState, request: Request, client: str) -> _Order:
    """The order a GET names with ``order_uuid`` or ``cdek_number`` (one is required)."""
    order_uuid = request.args.get("order_uuid", "").strip()
    cdek_number = request.args.get("cdek_number", "").strip()
    if not order_uuid and not cdek_number:
        raise _ApiError(400, [_parameters_empty("order_uuid or cdek_number")], "GET")
    return backend.require_order(client, "GET", order_uuid or None, cdek_number or None)


#: The ``client`` query of /v2/passport: CDEK's values, and the sandbox's old spelling.
_PASSPORT_CLIENTS = {"SENDER": "SENDER", "RECEIVER": "RECEIVER", "RECIPIENT": "RECEIVER"}


def _number(order: _Order) -> int:
    """The order's CDEK number as CDEK shows it: a JSON integer."""
    return int(str(order.cdek_number))


def _passport_info(order: _Order, wanted: str) -> list[dict[str, Any]]:
    """Whether the sender's and the receiver's passport data meet the requirements of the
    order (only international orders have any), sender first as at CDEK."""
    countries = {
        str(order.body[key].get("country_code") or "RU").upper()
        for key in ("from_location", "to_location")
        if isinstance(order.body.get(key), dict)
    }
    international = len(countries | {"RU"}) > 1
    info = []
    for client, key in (("SENDER", "sender"), ("RECEIVER", "recipient")):
        if _PASSPORT_CLIENTS.get(wanted, client) != client:
            continue
        contact = order.body.get(key)
        contact = contact if isinstance(contact, dict) else {}
        exists = not _is_empty(contact.get("passport_series")) and not _is_empty(
            contact.get("passport_number")
        )
        info.append(
            {"client": client, "passport_requirements_satisfied": exists or not international}
        )
    return info


def _check_info(order: _Order, at: datetime) -> dict[str, Any]:
    """The fiscal check of a cash-on-delivery payment taken at ``at`` (the delivery), with
    numbers derived from the order (deterministic)."""
    digest = zlib.crc32(order.uuid.encode("ascii"))
    return {
        "order_uuid": order.uuid,
        "cdek_number": _number(order),
        "date": format_datetime(at),
        "fiscal_storage_number": f"9960440300{digest % 10**6:06d}",
        "document_number": str(digest % 100000 + 1),
        "fiscal_sign": digest % 10**10,
        "type": "CASH_RECEIPT_IN",
        "payment_info": [{"sum": order.cod_sum, "type": "CARD"}],
    }


def _registry(day: date, orders: list[_Order]) -> dict[str, Any]:
    """One cash-on-delivery registry paying out ``orders`` on ``day``."""
    rows: list[dict[str, Any]] = []
    for order in orders:
        payment = order.cod_sum
        commission = round(payment * _AGENT_COMMISSION, 2)
        rows.append(
            {
                "cdek_number": str(order.cdek_number),
                "transfer_sum": round(payment - commission, 2),
                "payment_sum": payment,
                "total_sum_without_agent": round(payment - commission, 2),
                "agent_commission_sum": commission,
            }
        )
    return {
        "registry_number": int(day.strftime("%y%m%d")) * 10 + 1,
        "payment_date": day.isoformat(),
        "sum": round(sum(row["transfer_sum"] for row in rows), 2),
        "payment_order_number": day.strftime("%Y%m%d"),
        "orders": rows,
    }


def passport(backend: SandboxState, request: Request, client: str) -> Response:
    uuids = _query_list(request.args, "order_uuid")
    numbers = _query_list(request.args, "cdek_number")
    if not uuids and not numbers:
        raise _ApiError(400, [_parameters_empty("order_uuid or cdek_number")], "GET")
    wanted = request.args.get("client", "").strip().upper()
    with backend.lock:
        backend.settled_now()
        found = [backend.require_order(client, "GET", order_uuid=u) for u in uuids]
        found += [backend.require_order(client, "GET", cdek_number=n) for n in numbers]
        answer = []
        for order in found:
            if order.create_state != SUCCESSFUL:
                message = f"Entity is not found by uuid {order.uuid} (no CDEK order yet)"
                raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
            answer.append(
                {
                    "order_uuid": order.uuid,
                    "cdek_number": _number(order),
                    "passport": _passport_info(order, wanted),
                }
            )
        return _json_response({"orders": answer})


def check(backend: SandboxState, request: Request, client: str) -> Response:
    args = request.args
    by_order = bool(args.get("order_uuid", "").strip() or args.get("cdek_number", "").strip())
    if not by_order and not args.get("date", "").strip():
        problem = _parameters_empty("order_uuid, cdek_number or date")
        raise _ApiError(400, [problem], "GET")
    day = None if by_order else _query_date(args, "date")
    with backend.lock:
        backend.settled_now()
        if by_order:
            candidates = [_order_from_query(backend, request, client)]
        else:
            candidates = [o for o in backend.orders.values() if o.owner == client]
        # A check is printed when the receiver pays on delivery; nothing else has one.
        checks = [
            _check_info(order, at)
            for order in candidates
            if (at := order.delivered_at) is not None
            and order.cod_sum > 0
            and (day is None or at.date() == day)
        ]
    # CDEK answers an empty object, not an empty list, when there is nothing.
    return _json_response({"check_info": checks} if checks else {})


def registries(backend: SandboxState, request: Request, client: str) -> Response:
    day = _query_date(request.args, "date")
    with backend.lock:
        backend.settled_now()
        orders = backend.delivered_on(client, day)
    # CDEK answers an empty object when there is no registry.
    return _json_response({"registries": [_registry(day, orders)]} if orders else {})


def payment(backend: SandboxState, request: Request, client: str) -> Response:
    day = _query_date(request.args, "date")
    with backend.lock:
        backend.settled_now()
        orders = [
            {"order_uuid": o.uuid, "cdek_number": o.cdek_number, "number": o.number}
            for o in backend.delivered_on(client, day)
        ]
    # CDEK answers an empty object when nothing was paid out that day.
    return _json_response({"orders": orders} if orders else {})


def delivery_intervals(backend: SandboxState, request: Request, client: str) -> Response:
    with backend.lock:
        now = backend.settled_now()
        order = _order_from_query(backend, request, client)
        if not order.is_live:
            raise _ApiError(400, [_forbidden(order)], "GET")
    return _json_response({"date_intervals": _date_intervals(now.date() + timedelta(days=1))})
