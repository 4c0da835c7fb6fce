"""Handlers of the calculator and of the questions about shipments that do not exist yet
(restrictions, estimated intervals, reverse availability); the formula is in the sandbox's
``calculator.py``."""

from __future__ import annotations

import copy
from datetime import timedelta

from werkzeug.wrappers import Request, Response

from .. import calculator
from ..backend import SandboxState
from ..exceptions import _ApiError, _error, _field_empty
from ..responses import _json_body, _json_response
from ..validation import _query_lang
from .common import _date_intervals


def calc_tariff(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = calculator.parse_shipment(body, tariff_required=True, packages_required=True)
    return _json_response(calculator.tariff_answer(shipment))


def calc_tariff_list(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=True)
    items = [calculator.list_item(t, shipment) for t in calculator.TARIFFS.values()]
    return _json_response({"tariff_codes": items})


def calc_tariff_and_service(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=True)
    services = calculator.price_services(shipment.services)
    tariffs = [
        {**calculator.list_item(t, shipment), "services": copy.deepcopy(services)}
        for t in calculator.TARIFFS.values()
    ]
    return _json_response({"tariffs": tariffs})


def all_tariffs(backend: SandboxState, request: Request, client: str) -> Response:
    # Here CDEK reads the language from a header, not from the query.
    lang = _query_lang({"lang": request.headers.get("X-User-Lang", "")})
    return _json_response(calculator.all_tariffs(lang))


def restrictions(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    return _json_response(calculator.restrictions(body))


def estimated_intervals(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    missing = [
        _field_empty(name)
        for name in ("date_time", "tariff_code", "to_location")
        if body.get(name) in (None, "", {})
    ]
    if missing:
        raise _ApiError(400, missing, "CREATE")
    shipment = calculator.parse_shipment(body, tariff_required=True, packages_required=False)
    assert shipment.tariff is not None  # tariff_required
    first = backend.now().date() + timedelta(
        days=calculator.quote(shipment.tariff, shipment)["period_min"]
    )
    return _json_response({"date_intervals": _date_intervals(first)})


def reverse_availability(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=False)
    if shipment.international:
        message = (
            "Reverse shipment is not available between countries "
            f"{shipment.from_city['country_code']} and {shipment.to_city['country_code']}"
        )
        raise _ApiError(400, [_error("v2_reverse_not_available", message)], "CREATE")
    return _json_response({})
