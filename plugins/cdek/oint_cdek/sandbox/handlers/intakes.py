"""Handlers of courier intakes (create, get, change, delete, an order's intakes, available
days) and delivery appointments (create, get)."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Request, Response

from .. import locations
from ..backend import SandboxState
from ..exceptions import InputError, _ApiError, _error, _field_empty, _wrong_type
from ..models import _DeliveryAppointment, _Intake
from ..places import city_of
from ..responses import _cdek_error, _json_body, _json_response, _root_url
from ..validation import (
    _check_date_field,
    _check_text,
    _check_time_field,
    _check_time_order,
    _is_empty,
)
from .common import _accept, _created, _get_record, _lookup

_INTAKE_DAYS = 5  # working days POST /v2/intakes/availableDays offers
# PATCH /v2/intakes: the status a client may set, and the reasons (IntakeStatusPatchDto).
_INTAKE_PATCH_CODES = frozenset({"PROCESSING_REQUIRED"})
_INTAKE_ADD_STATUSES = frozenset({"CALL_REQUIRED", "DOC_REQUIRED"})


def create_intake(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    errors: list[dict[str, str]] = []
    _check_date_field(body, "intake_date", True, errors)
    start = _check_time_field(body, "intake_time_from", True, errors)
    end = _check_time_field(body, "intake_time_to", True, errors)
    _check_time_field(body, "lunch_time_from", False, errors)
    _check_time_field(body, "lunch_time_to", False, errors)
    _check_time_order(start, end, ("intake_time_from", "intake_time_to"), errors)
    location = body.get("from_location")
    if _is_empty(location):  # without an order, the courier must know where to go
        if _is_empty(body.get("order_uuid")) and _is_empty(body.get("cdek_number")):
            errors.append(_field_empty("from_location"))
    elif city_of(location) is None:
        message = "Sender location is not recognized"
        errors.append(_error("v2_sender_location_not_recognized", message))
    if errors:
        raise _ApiError(400, errors, "CREATE")
    with backend.lock:
        return _created(*backend.new_linked_record(_Intake, body, client, required=False))


def get_intake(backend: SandboxState, request: Request, client: str, record_uuid: str) -> Response:
    return _get_record(backend, request, client, _Intake, record_uuid)


def delete_intake(
    backend: SandboxState, request: Request, client: str, record_uuid: str
) -> Response:
    with backend.lock:
        now = backend.settled_now()
        intake = backend.lookup_record(record_uuid, _Intake, client, "DELETE")
        problem = intake.write_problem("DELETE")
        if problem is not None:
            return _cdek_error(400, "DELETE", [problem], now)
        return _accept(backend, intake, "DELETE", now, status=200)


def order_intakes(
    backend: SandboxState, request: Request, client: str, order_uuid: str
) -> Response:
    with backend.lock:
        now = backend.settled_now()
        order = _lookup(backend, order_uuid, client, "GET", now)
        if isinstance(order, Response):
            return order
        root = _root_url(request)
        intakes = [
            record.to_json(root)
            for record in backend.records.values()
            if isinstance(record, _Intake) and record.fields.get("order_uuid") == order.uuid
        ]
    return _json_response(intakes)


def update_intake(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "UPDATE")
    intake_uuid, status = body.get("uuid"), body.get("status")
    errors: list[dict[str, str]] = []
    _check_text(intake_uuid, "uuid", errors)
    code = reason = None
    if not isinstance(status, dict):
        errors.append(_field_empty("status") if _is_empty(status) else _wrong_type("status"))
    else:
        code, reason = status.get("code"), status.get("add_status")
        _check_text(code, "status.code", errors, _INTAKE_PATCH_CODES.__contains__)
        _check_text(reason, "status.add_status", errors, _INTAKE_ADD_STATUSES.__contains__)
    if errors:
        raise _ApiError(400, errors, "UPDATE")
    with backend.lock:
        now = backend.settled_now()
        intake = backend.lookup_record(str(intake_uuid), _Intake, client, "UPDATE")
        problem = intake.write_problem("UPDATE")
        if problem is not None:
            return _cdek_error(400, "UPDATE", [problem], now)
        payload = {"status": str(code), "add_status": str(reason)}
        return _accept(backend, intake, "UPDATE", now, payload=payload, status=200)


def intake_days(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    errors: list[dict[str, str]] = []
    start = _check_date_field(body, "date", False, errors)
    try:
        locations.resolve_location(body.get("from_location"), "from_location")
    except InputError as exc:
        errors = exc.errors + errors
    if errors:
        raise _ApiError(400, errors, "CREATE")
    if start is None:  # a courier cannot be booked for today on the sandbox clock
        start = backend.now().date() + timedelta(days=1)
    days: list[str] = []
    day = start
    while len(days) < _INTAKE_DAYS:
        if day.weekday() < 5:  # Monday..Friday
            days.append(day.isoformat())
        day += timedelta(days=1)
    return _json_response({"date": days})


def create_delivery(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    errors: list[dict[str, str]] = []
    _check_date_field(body, "date", True, errors)
    start = _check_time_field(body, "time_from", False, errors)
    end = _check_time_field(body, "time_to", False, errors)
    _check_time_order(start, end, ("time_from", "time_to"), errors)
    if _is_empty(body.get("order_uuid")) and _is_empty(body.get("cdek_number")):
        errors.append(_field_empty("order_uuid or cdek_number"))
    if errors:
        raise _ApiError(400, errors, "CREATE")
    with backend.lock:
        record, api_request = backend.new_linked_record(
            _DeliveryAppointment, body, client, required=True
        )
        return _created(record, api_request)


def get_delivery(
    backend: SandboxState, request: Request, client: str, record_uuid: str
) -> Response:
    return _get_record(backend, request, client, _DeliveryAppointment, record_uuid)
