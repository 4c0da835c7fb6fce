"""The sandbox's routes: each path and method mapped to its handler function, and whether
the handler needs a bearer token (CDEK's endpoints do; the OAuth endpoint and the control
plane do not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from . import control
from .handlers import (
    calculator,
    intakes,
    locations,
    offices,
    orders,
    photos,
    print_forms,
    reports,
    tokens,
    webhooks,
)


@dataclass(frozen=True)
class Endpoint:
    """What a route leads to: ``handler(backend, request, [client,] **path_args)``."""

    handler: Callable[..., Response]
    #: Whether the request must carry a valid bearer token (then the handler gets the client).
    authenticated: bool = True


def _api(path: str, method: str, handler: Callable[..., Response]) -> Rule:
    return Rule(path, methods=[method], endpoint=Endpoint(handler))


def _open(path: str, method: str, handler: Callable[..., Response]) -> Rule:
    return Rule(path, methods=[method], endpoint=Endpoint(handler, authenticated=False))


def _rules() -> list[Rule]:
    return [
        _open("/v2/oauth/token", "POST", tokens.issue_token),
        _api("/v2/orders", "POST", orders.create_order),
        _api("/v2/orders", "GET", orders.find_order),
        _api("/v2/orders/<order_uuid>", "GET", orders.get_order),
        _api("/v2/orders/<order_uuid>", "DELETE", orders.delete_order),
        _api("/v2/orders/<order_uuid>/refusal", "POST", orders.refuse_order),
        _api("/v2/orders", "PATCH", orders.update_order),
        _api("/v2/orders/<order_uuid>/clientReturn", "POST", orders.client_return),
        _api("/v2/print/orders", "POST", print_forms.create_print_orders),
        _api("/v2/print/barcodes", "POST", print_forms.create_print_barcodes),
        _api("/v2/print/orders/<form_id>", "GET", print_forms.get_print_orders),
        _api("/v2/print/barcodes/<form_id>", "GET", print_forms.get_print_barcodes),
        _api("/v2/prealert", "POST", print_forms.create_prealert),
        _api("/v2/prealert/<record_uuid>", "GET", print_forms.get_prealert),
        _api("/v2/passport", "GET", reports.passport),
        _api("/v2/check", "GET", reports.check),
        _api("/v2/registries", "GET", reports.registries),
        _api("/v2/payment", "GET", reports.payment),
        _api("/v2/deliverypoints", "GET", offices.deliverypoints),
        _api("/v2/location/regions", "GET", locations.regions),
        _api("/v2/delivery/intervals", "GET", reports.delivery_intervals),
        _api("/v2/intakes", "POST", intakes.create_intake),
        _api("/v2/intakes/<record_uuid>", "GET", intakes.get_intake),
        _api("/v2/intakes/<record_uuid>", "DELETE", intakes.delete_intake),
        _api("/v2/delivery", "POST", intakes.create_delivery),
        _api("/v2/delivery/<record_uuid>", "GET", intakes.get_delivery),
        _api("/v2/orders/<order_uuid>/intakes", "GET", intakes.order_intakes),
        _api("/v2/intakes", "PATCH", intakes.update_intake),
        _api("/v2/intakes/availableDays", "POST", intakes.intake_days),
        _api("/v2/location/suggest/cities", "GET", locations.suggest_cities),
        _api("/v2/location/cities", "GET", locations.cities),
        _api("/v2/location/postalcodes", "GET", locations.postal_codes),
        _api("/v2/location/coordinates", "GET", locations.coordinates),
        _api("/v2/calculator/tariff", "POST", calculator.calc_tariff),
        _api("/v2/calculator/tarifflist", "POST", calculator.calc_tariff_list),
        _api("/v2/calculator/tariffAndService", "POST", calculator.calc_tariff_and_service),
        _api("/v2/calculator/alltariffs", "GET", calculator.all_tariffs),
        _api("/v2/international/package/restrictions", "POST", calculator.restrictions),
        _api("/v2/delivery/estimatedIntervals", "POST", calculator.estimated_intervals),
        _api("/v2/reverse/availability", "POST", calculator.reverse_availability),
        _api("/v2/photoDocument", "POST", photos.create_photos),
        _api("/v2/photoDocument/<archive_uuid>", "GET", photos.get_photos),
        _api("/v2/webhooks", "POST", webhooks.create_webhook),
        _api("/v2/webhooks", "GET", webhooks.list_webhooks),
        _api("/v2/webhooks/<hook_uuid>", "GET", webhooks.get_webhook),
        _api("/v2/webhooks/<hook_uuid>", "DELETE", webhooks.delete_webhook),
        _open("/_sandbox/faults", "GET", control.list_faults),
        _open("/_sandbox/faults", "POST", control.add_fault),
        _open("/_sandbox/faults", "DELETE", control.clear_faults),
        _open("/_sandbox/requests", "GET", control.list_requests),
        _open("/_sandbox/requests", "DELETE", control.clear_requests),
        _open("/_sandbox/orders/<order_uuid>/status", "POST", control.push_status),
        _open("/_sandbox/orders/<order_uuid>/journey", "POST", control.move_order),
        _open("/_sandbox/advance", "POST", control.advance),
        _open("/_sandbox/reset", "POST", control.reset),
        _open("/_sandbox/webhooks", "GET", control.list_webhooks),
        _open("/_sandbox/webhooks/trigger", "POST", control.trigger_webhook),
        _open("/_sandbox/webhooks/wait", "POST", control.wait_webhooks),
    ]


def url_map() -> Map:
    """A fresh map of every route (one per app)."""
    # A redirect to a "canonical" path is not something CDEK would answer.
    return Map(_rules(), merge_slashes=False)
