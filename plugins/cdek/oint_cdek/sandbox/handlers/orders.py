"""Handlers of orders: create, get, find, refuse, delete, update, client return."""

from __future__ import annotations

import copy

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..exceptions import (
    _ApiError,
    _error,
    _field_empty,
    _number_not_found,
    _parameters_empty,
    _uuid_not_found,
    _wrong_type,
)
from ..models import SUCCESSFUL, _envelope, _Order
from ..responses import _cdek_error, _json_body, _json_response, _read_json
from ..validation import _is_empty, _is_int, _validate_order
from .common import _accept, _lookup

#: Top-level keys of a PATCH /v2/orders body that name the order instead of changing it.
_UPDATE_SKIP = frozenset({"uuid", "cdek_number", "statuses"})


def _not_removed(order: _Order, key: str, request_type: str) -> _Order:
    """``order``, unless it was deleted: CDEK then finds no order by that uuid."""
    if order.is_removed:
        raise _ApiError(400, [_uuid_not_found(key)], request_type)
    return order


def create_order(backend: SandboxState, request: Request, client: str) -> Response:
    try:
        body = _read_json(request)
    except ValueError:
        body = None
    with backend.lock:
        now = backend.now()
        request_uuid = backend._new_uuid()
        if not isinstance(body, dict):
            message = "Bad request: the body must be a JSON object"
            return _cdek_error(
                400, "CREATE", [_error("v2_bad_request", message)], now, request_uuid
            )
        errors = _validate_order(body)
        if errors:
            return _cdek_error(400, "CREATE", errors, now, request_uuid)
        backend._settle(now)
        order_uuid = backend._new_uuid()
        number = body.get("number")
        order = _Order(
            uuid=order_uuid,
            owner=client,
            body=copy.deepcopy(body),
            type=body.get("type") or 1,
            number=str(number) if not _is_empty(number) else None,
            tariff_code=int(body["tariff_code"]),
        )
        backend.orders[order_uuid] = order
        api_request = backend._new_request("CREATE", now)
        api_request.request_uuid = request_uuid
        order.requests.append(api_request)
        order.accept(now)
        return _json_response(_envelope({"uuid": order_uuid}, [api_request]), 202)


def get_order(backend: SandboxState, request: Request, client: str, order_uuid: str) -> Response:
    with backend.lock:
        now = backend.settled_now()
        order = _lookup(backend, order_uuid, client, "GET", now)
        if isinstance(order, Response):
            return order
        return _json_response(_not_removed(order, order_uuid, "GET").envelope())


def find_order(backend: SandboxState, request: Request, client: str) -> Response:
    cdek_number = request.args.get("cdek_number", "").strip()
    im_number = request.args.get("im_number", "").strip()
    with backend.lock:
        now = backend.now()
        if not cdek_number and not im_number:
            problem = _parameters_empty("cdek_number or im_number")
            return _cdek_error(400, "GET", [problem], now)
        backend._settle(now)
        mine = [o for o in backend.orders.values() if o.owner == client and not o.is_removed]
        if cdek_number:
            matches = [o for o in mine if o.cdek_number == cdek_number]
            if not matches:
                return _cdek_error(400, "GET", [_number_not_found(cdek_number)], now)
        else:
            matches = [o for o in mine if o.number == im_number]
            if not matches:
                message = f"Entity is not found by im_number {im_number}"
                problem = _error("v2_entity_not_found_im_number", message)
                return _cdek_error(400, "GET", [problem], now)
        # Prefer the order that really holds the number; then the newest attempt.
        live = [o for o in matches if o.create_state == SUCCESSFUL]
        chosen = (live or matches)[-1]
        return _json_response(chosen.envelope())


def refuse_order(backend: SandboxState, request: Request, client: str, order_uuid: str) -> Response:
    return _change_order(backend, client, order_uuid, "CREATE_REFUSAL")


def delete_order(backend: SandboxState, request: Request, client: str, order_uuid: str) -> Response:
    return _change_order(backend, client, order_uuid, "DELETE")


def _change_order(
    backend: SandboxState, client: str, order_uuid: str, request_type: str
) -> Response:
    """A body-less write on the order in the path (refusal, delete): checked by the order's
    own rules (``_Order.write_problem``), then 202."""
    with backend.lock:
        now = backend.settled_now()
        order = _lookup(backend, order_uuid, client, request_type, now)
        if isinstance(order, Response):
            return order
        problem = _not_removed(order, order_uuid, request_type).write_problem(request_type)
        if problem is not None:
            return _cdek_error(400, request_type, [problem], now)
        return _accept(backend, order, request_type, now)


def update_order(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "UPDATE")
    order_uuid, cdek_number = body.get("uuid"), body.get("cdek_number")
    if _is_empty(order_uuid) and _is_empty(cdek_number):
        raise _ApiError(400, [_field_empty("uuid")], "UPDATE")
    if not _is_empty(order_uuid) and not isinstance(order_uuid, str):
        raise _ApiError(400, [_wrong_type("uuid")], "UPDATE")
    with backend.lock:
        now = backend.settled_now()
        if not _is_empty(order_uuid):
            order = backend.require_order(client, "UPDATE", order_uuid=order_uuid)
        else:
            order = backend.require_order(client, "UPDATE", cdek_number=str(cdek_number))
        if order.is_removed and _is_empty(order_uuid):
            raise _ApiError(400, [_number_not_found(cdek_number)], "UPDATE")
        problem = _not_removed(order, str(order_uuid), "UPDATE").write_problem("UPDATE")
        if problem is not None:
            return _cdek_error(400, "UPDATE", [problem], now)
        changes = {k: v for k, v in body.items() if k not in _UPDATE_SKIP}
        errors = _validate_order({**order.body, **changes})
        if errors:
            return _cdek_error(400, "UPDATE", errors, now)
        return _accept(backend, order, "UPDATE", now, payload=changes)


def client_return(
    backend: SandboxState, request: Request, client: str, order_uuid: str
) -> Response:
    body = _json_body(request, "CREATE_CLIENT_RETURN", allow_empty=True)
    with backend.lock:
        now = backend.settled_now()
        order = _lookup(backend, order_uuid, client, "CREATE_CLIENT_RETURN", now)
        if isinstance(order, Response):
            return order
        _not_removed(order, order_uuid, "CREATE_CLIENT_RETURN")
        tariff = body.get("tariff_code")
        if _is_empty(tariff):
            raise _ApiError(400, [_field_empty("tariff_code")], "CREATE_CLIENT_RETURN")
        if not (_is_int(tariff) or (isinstance(tariff, str) and tariff.isdigit())):
            raise _ApiError(400, [_wrong_type("tariff_code")], "CREATE_CLIENT_RETURN")
        problem = order.write_problem("CREATE_CLIENT_RETURN")
        if problem is not None:
            return _cdek_error(400, "CREATE_CLIENT_RETURN", [problem], now)
        payload = {"tariff_code": int(tariff)}
        return _accept(backend, order, "CREATE_CLIENT_RETURN", now, payload=payload)
