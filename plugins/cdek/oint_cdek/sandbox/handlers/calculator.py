"""Handlers of the calculator and of the questions about shipments that do not exist yet
(restrictions, estimated intervals, reverse availability); the formula is in the sandbox's
``calculator.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import calculator
from .. import restrictions as international
from ..backend import SandboxState
from ..exceptions import _ApiError, _error, _field_empty
from ..responses import _json_body, _json_response
from ..validation import _query_lang
from .common import _date_intervals
from .locations import plain_errors


def _shipment(
    backend: SandboxState, body: dict[str, Any], tariff: bool, packages: bool
) -> calculator.Shipment:
    return calculator.parse_shipment(
        body, tariff_required=tariff, packages_required=packages, today=backend.now().date()
    )


@plain_errors
def calc_tariff(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = _shipment(backend, body, True, True)
    return _json_response(calculator.tariff_answer(shipment))


@plain_errors
def calc_tariff_list(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = _shipment(backend, body, False, True)
    items = [calculator.list_item(t, shipment) for t in calculator.TARIFFS.values()]
    return _json_response({"tariff_codes": items})


@plain_errors
def calc_tariff_and_service(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = _shipment(backend, body, False, True)
    return _json_response(calculator.tariff_and_services(shipment))


@plain_errors
def all_tariffs(backend: SandboxState, request: Request, client: str) -> Response:
    # Here CDEK reads the language from a header, not from the query.
    lang = _query_lang({"lang": request.headers.get("X-User-Lang", "")})
    return _json_response(calculator.all_tariffs(lang))


@plain_errors
def restrictions(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    return _json_response(international.restrictions(body))


@plain_errors
def estimated_intervals(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    missing = [
        _field_empty(name)
        for name in ("date_time", "tariff_code", "to_location")
        if body.get(name) in (None, "", {})
    ]
    if missing:
        raise _ApiError(400, missing, "CREATE")
    shipment = _shipment(backend, body, True, False)
    assert shipment.tariff is not None  # tariff_required
    first = backend.now().date() + timedelta(
        days=calculator.quote(shipment.tariff, shipment)["period_min"]
    )
    return _json_response({"date_intervals": _date_intervals(first)})


@plain_errors
def reverse_availability(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = _shipment(backend, body, False, False)
    if shipment.international:
        message = (
            "Reverse shipment is not available between countries "
            f"{shipment.from_city['country_code']} and {shipment.to_city['country_code']}"
        )
        raise _ApiError(400, [_error("v2_reverse_not_available", message)], "CREATE")
    return _json_response({})
