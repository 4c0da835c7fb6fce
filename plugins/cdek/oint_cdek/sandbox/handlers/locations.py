"""Handlers of the location reference: regions, city suggestions, cities, postal codes, the
city nearest to a point."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from .. import locations, reference
from ..backend import SandboxState
from ..exceptions import InputError, _ApiError, _error, _field_empty, _invalid_format
from ..responses import _json_response
from ..validation import _paging, _query_int, _query_lang, _query_list

#: CDEK: ``size`` of /v2/location/cities is at most 10000.
_CITIES_SIZE_LIMIT = 10000


def plain_errors(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Answer errors as these operations do at CDEK: a bare ``{"errors": [...]}`` (not the
    ``requests`` envelope of entity operations)."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except (_ApiError, InputError) as problem:
            return _json_response({"errors": problem.errors}, problem.status)

    return wrapper


def _paged(args: Any, max_page_size: int, hard_limit: int | None = None) -> slice:
    """``_paging`` with CDEK's rules for lists: a ``page`` other than the first needs ``size``
    (400 otherwise; CDEK's test server takes ``page=0`` alone, as OPI sends it), and ``size``
    above ``hard_limit`` is ``v2_exceeded_size``."""
    if args.get("page", "").strip() not in ("", "0") and not args.get("size", "").strip():
        raise _ApiError(400, [_field_empty("size")], "GET")
    size = _query_int(args, "size", minimum=1)
    if hard_limit is not None and size is not None and size > hard_limit:
        message = f"The size parameter cannot exceed {hard_limit}"
        raise _ApiError(400, [_error("v2_exceeded_size", message)], "GET")
    return _paging(args, max_page_size)


@plain_errors
def regions(backend: SandboxState, request: Request, client: str) -> Response:
    args = request.args
    countries = {code.upper() for code in _query_list(args, "country_codes")}
    region_code = _query_int(args, "region_code")
    window = _paged(args, backend.config.max_page_size)
    lang = _query_lang(args)
    found = [
        region
        for region in reference.regions(lang)
        if (not countries or region["country_code"] in countries)
        and (region_code is None or region["region_code"] == region_code)
    ]
    return _json_response(found[window])


@plain_errors
def suggest_cities(backend: SandboxState, request: Request, client: str) -> Response:
    name = request.args.get("name", "").strip()
    if not name:
        raise _ApiError(400, [_field_empty("name")], "GET")
    country = request.args.get("country_code", "").strip() or None
    return _json_response(locations.suggest(name, country))


@plain_errors
def cities(backend: SandboxState, request: Request, client: str) -> Response:
    args = request.args
    countries = {code.upper() for code in _query_list(args, "country_codes")}
    region_code = _query_int(args, "region_code")
    code = _query_int(args, "code")
    window = _paged(args, backend.config.max_page_size, _CITIES_SIZE_LIMIT)
    lang = _query_lang(args)
    found = locations.find_cities(
        countries=countries,
        region_code=region_code,
        fias_guid=args.get("fias_guid", "").strip() or None,
        postal_code=args.get("postal_code", "").strip() or None,
        code=code,
        city=args.get("city", "").strip() or None,
        lang=lang,
    )  # payment_limit is accepted and ignored
    return _json_response(found[window])


@plain_errors
def postal_codes(backend: SandboxState, request: Request, client: str) -> Response:
    if not request.args.get("code", "").strip():
        raise _ApiError(400, [_field_empty("code")], "GET")
    code = _query_int(request.args, "code", minimum=0)
    facts = locations.city_by_code(code) if code is not None else None
    if facts is None:
        message = f"City is not found by code {code}"
        raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
    return _json_response({"code": code, "postal_codes": list(facts["postal_codes"])})


@plain_errors
def coordinates(backend: SandboxState, request: Request, client: str) -> Response:
    point = []
    for name, bound in (("latitude", 90.0), ("longitude", 180.0)):
        raw = request.args.get(name, "").strip()
        if not raw:
            raise _ApiError(400, [_field_empty(name)], "GET")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) > bound:
            raise _ApiError(400, [_invalid_format(name, raw)], "GET")
        point.append(value)
    lang = _query_lang(request.args)
    facts = locations.nearest_city(point[0], point[1])
    shown = reference.city_object(facts, lang)
    answer = {"code": shown["code"], "city_uuid": shown["city_uuid"], "city": shown["city"]}
    if "fias_guid" in shown:
        answer["fias_guid"] = shown["fias_guid"]
    return _json_response(answer)
