"""Handler of the office list (GET /v2/deliverypoints) and its filters."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from .. import reference
from ..backend import SandboxState
from ..responses import _json_response
from ..validation import _query_bool, _query_int
from .locations import _paged

_OFFICE_TEXT_FILTERS = ("postal_code", "type", "country_code", "fias_guid", "code")
_OFFICE_FLAGS = (
    "have_cashless",
    "have_cash",
    "allowed_cod",
    "is_dressing_room",
    "take_only",
    "is_handout",
    "is_reception",
    "is_ltl",
    "ltl_acceptance_partners",
    "ltl_issuance_partners",
    "is_marketplace",
    "fulfillment",
)


def deliverypoints(backend: SandboxState, request: Request, client: str) -> Response:
    args = request.args
    city_code = _query_int(args, "city_code")
    region_code = _query_int(args, "region_code")
    weight_max = _query_int(args, "weight_max", minimum=0)
    weight_min = _query_int(args, "weight_min", minimum=0)
    sides = [_query_int(args, side, minimum=0) or 0 for side in ("length", "width", "height")]
    window = _paged(args, backend.config.max_page_size)
    texts = {name: args.get(name, "").strip() for name in _OFFICE_TEXT_FILTERS}
    office_type = texts["type"].upper()
    flags = {name: _query_bool(args, name) for name in _OFFICE_FLAGS}

    def keep(office: dict[str, Any]) -> bool:
        location = office["location"]
        checks = [
            city_code is None or location["city_code"] == city_code,
            region_code is None or location["region_code"] == region_code,
            weight_max is None or office["weight_max"] >= weight_max,
            weight_min is None or office["weight_min"] <= weight_min,
            office_type not in ("PVZ", "POSTAMAT") or office["type"] == office_type,
            not texts["postal_code"] or location["postal_code"] == texts["postal_code"],
            not texts["country_code"] or location["country_code"] == texts["country_code"].upper(),
            not texts["fias_guid"] or location.get("fias_guid") == texts["fias_guid"].lower(),
            not texts["code"] or office["code"].upper() == texts["code"].upper(),
            not any(sides) or reference.office_fits(office, *sides),
        ]
        checks += [value is None or office[name] == value for name, value in flags.items()]
        return all(checks)

    everything = reference.offices(extended=backend.config.extra_offices)
    found = [office for office in everything if keep(office)]
    return _json_response(found[window])
