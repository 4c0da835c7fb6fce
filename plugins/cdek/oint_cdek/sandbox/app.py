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
- ``PATCH /v2/orders`` - ``{"uuid" (or "cdek_number"), ...changes}``; 202, request type
  UPDATE. The merged order is validated like a new one at once; once settled, the changes are
  merged into the order (shallow: top-level keys replace the old ones; ``uuid``,
  ``cdek_number`` and ``statuses`` are never changed). Allowed from CREATED until DELIVERED,
  NOT_DELIVERED, REMOVED or INVALID.
- ``POST /v2/orders/{uuid}/clientReturn`` ``{"tariff_code"}`` - 202, type
  CREATE_CLIENT_RETURN, ``entity.uuid`` = the order; any CREATED-or-later order that is not
  REMOVED. Settling it only marks the request SUCCESSFUL (no return order is modelled).
- ``POST /v2/print/orders`` ``{"orders": [{"order_uuid"} | {"cdek_number"}], "copy_count": 2,
  "type": "tpl_russia"}`` and ``POST /v2/print/barcodes`` ``{"orders", "copy_count": 1,
  "format": "A4", "lang": "RUS"}`` - 202 with the form's uuid. ``GET /v2/print/orders/{uuid}``
  and ``GET /v2/print/barcodes/{uuid}`` - ``{"entity": {"uuid", "orders", "copy_count",
  "type" | "format", "lang", "url"?, "statuses"}, "requests", "related_entities"}``. The form
  is ACCEPTED, then PROCESSING after ``processing_delay`` (its CREATE request is settled then:
  every order must be this account's, created and not REMOVED, or the form ends INVALID with
  the errors in its request), then READY after twice the delay. Once READY, ``url`` is
  ``{root}/v2/print/orders/{uuid}.pdf`` (barcodes: ``/v2/print/barcodes/{uuid}.pdf``), built
  from the host the client used; a GET of it (bearer required) answers ``application/pdf``:
  a one-page PDF naming the form type and the CDEK numbers (see ``pdf.py``). Orders listed by
  uuid show both ``order_uuid`` and ``cdek_number`` once the form is processed.
- ``POST /v2/prealert`` ``{"orders", "planned_date", "shipment_point"}`` - 202;
  ``GET /v2/prealert/{uuid}`` - ``entity {uuid, planned_date, shipment_point, orders}``
  (no statuses: the state is in ``requests``; unknown orders make the CREATE INVALID). The
  shipment point is not checked against the office list.
- ``GET /v2/passport?order_uuid=`` (or ``cdek_number``, both repeatable; ``client=sender|
  recipient``) - ``{"orders": [{"order_uuid", "cdek_number", "passport": [{"client",
  "client_type", "passport_exists", "passport_requirements_satisfied"}]}]}`` with one entry
  for the RECEIVER, then the SENDER; ``passport_exists`` is true when the contact has
  ``passport_series`` and ``passport_number``; requirements are satisfied when it exists or
  the order is domestic (both locations' ``country_code`` RU or absent).
- ``GET /v2/check?order_uuid=|cdek_number=|date=YYYY-MM-DD`` - ``{"check_info": [{"order_uuid",
  "cdek_number", "date", "fiscal_storage_number", "document_number", "fiscal_sign", "type":
  "CASH_RECEIPT_IN", "payment_info": [{"sum", "type": "CARD"}]}]}``: one check per created
  (not REMOVED) order, dated when it became CREATED; ``{}`` when there is none. Fiscal numbers
  are derived from the order uuid; ``sum`` is the order's cash on delivery (below).
- ``GET /v2/registries?date=`` - ``{"registries": [{"registry_number", "payment_date", "sum",
  "payment_order_number", "orders": [{"cdek_number", "transfer_sum", "payment_sum",
  "total_sum_without_agent", "agent_commission_sum"}]}]}`` and ``GET /v2/payment?date=`` -
  ``{"orders": [{"order_uuid", "cdek_number", "number"}]}``: orders whose DELIVERED status
  (push it with the control endpoint) falls on that date and that carry cash on delivery
  (items' ``payment.value`` x ``amount`` plus ``delivery_recipient_cost.value``), paid out
  the same day minus a 3% agent commission; empty lists when there is none.
- ``GET /v2/deliverypoints`` - a bare array of offices from ``reference.py`` (14 offices in
  Moscow 44, Saint Petersburg 137, Novosibirsk 270, Yekaterinburg 250, Kazan 424, and 20
  more, one in most of the other cities, KZ and BY included; ``SandboxConfig.extra_offices
  =False`` leaves only the first 14). Filters:
  ``city_code``, ``region_code``, ``postal_code``, ``country_code``, ``code``, ``fias_guid``,
  ``type`` (PVZ | POSTAMAT; ALL or anything else: no filter), the booleans ``have_cashless``,
  ``have_cash``, ``allowed_cod``, ``is_dressing_room``, ``take_only``, ``is_handout``,
  ``is_reception``, ``is_ltl``, ``fulfillment`` (``true``/``false``/1/0; other values are
  ignored), ``weight_max`` (offices taking at least that weight), ``weight_min`` (offices
  whose minimum is at most that). ``lang`` is accepted and ignored. ``page`` (from 0) and
  ``size`` page the result; a page past the end is ``[]``. Every paged list (offices,
  regions, cities) takes ``SandboxConfig.max_page_size`` (1000) as its default ``size`` and
  caps a bigger one at it.
- ``GET /v2/location/regions?country_codes=RU,KZ&page=&size=&lang=rus|eng`` - a bare array
  ``[{"country_code", "country", "region", "region_code"}]`` of 30 regions (20 RU, 5 KZ,
  5 BY), named in Russian or English. ``country_codes`` may be comma-separated, repeated or
  sent as OPI does (``[RU,KZ]``); ``region_code`` filters too; paging as for offices.
- ``GET /v2/location/suggest/cities?name=&country_code=`` - a bare array ``[{"city_uuid",
  "code", "full_name"}]`` of the 30 reference cities (22 RU, 4 KZ, 4 BY) whose Russian or
  English name starts with ``name`` (case-insensitive); ``full_name`` is "city, region,
  country" in Russian (no region when it is the city itself). No ``name``: 400.
- ``GET /v2/location/cities`` - a bare array of ``{"code", "city", "city_uuid", "fias_guid"
  (Russian cities only), "country_code", "country", "region", "region_code", "sub_region",
  "longitude", "latitude", "time_zone", "payment_limit"}`` (``payment_limit`` -1: no cash
  on delivery limit, 0: none accepted). Filters: ``country_codes`` (as for regions),
  ``region_code``, ``fias_guid``, ``postal_code``, ``code``, ``city`` (the exact name in
  either language, case-insensitive); ``payment_limit`` is accepted and ignored; ``lang=eng``
  names in English; paging as for offices, ``size`` above 10000 is a 400.
- ``GET /v2/location/postalcodes?code=`` (the city's CDEK code) - ``{"code", "postal_codes":
  [...]}``.
- ``GET /v2/location/coordinates?latitude=&longitude=`` - the city object (as above) nearest
  to the point (haversine; the first listed wins a tie).
- Calculator (formula, tariffs and service prices in ``calculator.py``): ``POST
  /v2/calculator/tariff`` (``tariff_code``, ``from_location``, ``to_location``, ``packages``,
  ``services``?) - ``{"delivery_sum", "period_min", "period_max", "calendar_min",
  "calendar_max", "weight_calc", "services": [{"code", "sum"}], "total_sum", "currency":
  "RUB"}``; ``POST /v2/calculator/tarifflist`` - ``{"tariff_codes": [{"tariff_code",
  "tariff_name", "tariff_description", "delivery_mode", "delivery_sum", "period_min",
  "period_max", "calendar_min", "calendar_max"}]}`` for all six tariffs (136-139, 233, 234;
  ``lang: "eng"`` in the body names them in English); ``POST
  /v2/calculator/tariffAndService`` - ``{"tariffs": [{...the same, "services": [{"code",
  "sum"}]}]}`` (the body's services priced, a guess); ``GET /v2/calculator/alltariffs`` (the
  language in the ``X-User-Lang`` header) - ``{"tariff_codes": [{"tariff_code",
  "tariff_name", "delivery_modes": [{"delivery_mode", "delivery_mode_name"}]}]}``.
  Locations are reference cities named by ``code``, else ``postal_code``, else ``city``.
- ``POST /v2/international/package/restrictions`` (``from_location``, ``to_location``; a bare
  ``{"country_code"}`` is enough) - ``{"restrictions": [{"code", "description", "value"?}]}``,
  a fixed list between two countries, ``[]`` within one (the shape is a guess).
- ``POST /v2/delivery/estimatedIntervals`` (``date_time``, ``tariff_code`` and
  ``to_location`` required, each missing one a ``v2_field_is_empty``; ``from_location``,
  ``packages`` optional) - ``{"date_intervals"}`` as for
  ``/v2/delivery/intervals``, for 3 days starting ``period_min`` days after today on the
  sandbox clock.
- ``POST /v2/reverse/availability`` (a calculator body; tariff and packages optional) - 200
  ``{}`` when both cities are known and in one country; otherwise 400 (the rules, the empty
  answer and ``v2_reverse_not_available`` are guesses).
- ``GET /v2/delivery/intervals?order_uuid=|cdek_number=`` - ``{"date_intervals": [{"date",
  "time_intervals": [{"start_time", "end_time"}]}]}``: the 3 days after today on the
  sandbox clock, each 10:00-14:00, 14:00-18:00, 18:00-22:00; for created orders not yet
  DELIVERED, NOT_DELIVERED, REMOVED or INVALID.
- ``POST /v2/intakes`` (``intake_date`` YYYY-MM-DD, ``intake_time_from``, ``intake_time_to``
  HH:MM required; ``order_uuid`` / ``cdek_number`` optional but must name a live order of this
  account) - 202. ``GET /v2/intakes/{uuid}`` - ``entity {uuid, intake_number?, ...the body,
  order_uuid and cdek_number when an order is named, statuses}``: ACCEPTED, then READY with an
  ``intake_number`` (an integer) once settled. ``DELETE /v2/intakes/{uuid}`` - 202, type
  DELETE; once settled the intake is REMOVED. ``GET /v2/orders/{uuid}/intakes`` - a bare
  array of the order's intakes, each as the ``entity`` of ``GET /v2/intakes/{uuid}``.
- ``PATCH /v2/intakes`` ``{"uuid", "status": {"code": "PROCESSING_REQUIRED", "add_status":
  "CALL_REQUIRED" | "DOC_REQUIRED"}}`` - 202,
  type UPDATE; once settled the status is pushed onto the intake (named by the intake names
  below, else by its code). Not while the intake's CREATE is processing, nor once it is
  REMOVED (400 ``v2_order_forbidden_status``) or INVALID (400 ``v2_entity_invalid``).
- ``POST /v2/intakes/availableDays`` ``{"from_location", "date"?}`` - ``{"date": [...]}``:
  the first 5 working days (Monday to Friday) from ``date`` (included), or from tomorrow on
  the sandbox clock; holidays are not modelled. The location must be a reference city.
- ``POST /v2/delivery`` (``date`` YYYY-MM-DD and ``order_uuid`` or ``cdek_number`` of a live
  order required; ``time_from`` / ``time_to`` HH:MM optional) - 202; ``GET /v2/delivery/{uuid}``
  - ``entity {uuid, ...the body, order_uuid, cdek_number, statuses}``: ACCEPTED, then CREATED.
- ``POST /v2/photoDocument`` ``{"orders": [{"order_uuid"} | {"cdek_number"}]?,
  "period_begin"?, "period_end"?}`` (YYYY-MM-DD; without ``orders``, every order of the
  account) - 200 ``{"entity": {"uuid", "orders": [{"order_uuid", "cdek_number", "link"}]},
  "requests": [a SUCCESSFUL CREATE], "related_entities"}``: the named orders that are
  CREATED or later (not REMOVED or INVALID) and became CREATED within the period; unknown
  orders are left out, not errors (a guess). ``link`` is ``{root}/v2/photoDocument/{uuid}``
  for each. ``GET /v2/photoDocument/{uuid}`` - ``application/zip``: one
  ``{cdek_number}/photo_1.jpg`` per order, a JPEG-framed placeholder (start of image, a
  comment, end of image; no pixels), stored with a fixed 1980-01-01 timestamp, so one
  archive is always the same bytes.
- ``POST /v2/webhooks`` ``{"url" (http or https), "type"}`` - 200 ``{"entity": {"uuid"},
  "requests": [a SUCCESSFUL CREATE], "related_entities"}``. An account holds at most 2
  subscriptions of any types, two of one type included (a third: 400
  ``v2_too_many_webhooks``); a type CDEK does not list is 400 ``v2_webhook_type_incorrect``.
  ``GET /v2/webhooks`` - bare array ``[{"uuid", "url", "type"}]``; ``GET
  /v2/webhooks/{uuid}`` - ``{"entity": {"uuid", "url", "type"}, "requests",
  "related_entities"}``; ``DELETE /v2/webhooks/{uuid}`` - 200, a
  SUCCESSFUL request of type DELETE. No event is ever sent.

Statuses of print forms, intakes and appointments are ``{"code", "name", "date_time"}``
(Russian names), newest first as for orders. Shapes follow api-docs.cdek.ru where it shows
them (print forms, checks, registries, transfers, passport, offices, regions); these are the
sandbox's own guesses: the intake and appointment status names and their READY / CREATED
codes, the ``client_type`` / ``passport_exists`` passport fields (older CDEK answers), the
fiscal numbers, the registry numbering and commission, when money is paid out, every price
and term of the calculator, ``tariffAndService``'s services, the restrictions, reverse
availability, ``delivery_mode_name``, and the photo archive's layout.

The asynchronous model is computed lazily from ``config.clock()``: a write request is ACCEPTED
and becomes final (SUCCESSFUL or INVALID) once ``processing_delay`` seconds have passed on that
clock. Pending requests of all entities (and print forms' READY steps) are settled in the order
they became due, whenever any request reaches the app, so a fake clock makes everything
deterministic and no background thread is needed. Orders and the other entities belong to the
account whose token created them.

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
- 400 ``v2_parameters_empty``: ``GET /v2/orders`` with neither cdek_number nor im_number;
  ``/v2/check``, ``/v2/passport``, ``/v2/delivery/intervals`` with no order (or date).
- 400 ``v2_invalid_format`` also for a bad query number (``city_code=Moscow``, ``size=0``),
  a bad date, time or ``planned_date``, an unknown print ``type``, barcode ``format`` or
  ``lang``; 400 ``v2_field_is_empty`` also for a missing ``date`` query parameter.
- 400 ``v2_exceeded_size`` (a guess): more than 100 orders in one print request.
- 400 ``v2_invalid_format`` also for ``/v2/location/cities`` ``size`` above 10000, latitude
  or longitude that is not a number in range, a webhook ``url`` that is not http(s) or an
  unknown webhook ``type``, a package ``weight`` that is not above 0.
- 400 ``v2_invalid_value`` (a guess): an unknown ``tariff_code`` or service code in a
  calculator body, or a bad service ``parameter``.
- 400 ``v2_entity_not_found`` (chosen by the sandbox): a calculator-style location (also
  availableDays, restrictions, estimatedIntervals, reverse availability) naming no reference
  city; also ``/v2/location/postalcodes`` of an unknown city, an unknown webhook,
  ``/v2/orders/{uuid}/intakes`` of an unknown order. CDEK's specification gives its
  operations 400 as their one error status; only the photo archive download documents 404
  (unknown or malformed uuid) and 403 (another account's), and answers them.
- 400 ``v2_too_many_webhooks``: a third webhook subscription.
- 400 ``v2_reverse_not_available`` (a guess): reverse availability between two countries.
- 400 ``v2_entity_not_found``: unknown order uuid, or no order with that ``im_number``; unknown
  print form, prealert, intake or appointment; a print form's PDF before it is READY. In a
  body (intake or appointment naming an order) an unknown order is a 400 with this code
  (``v2_order_not_found`` for a ``cdek_number``); so is an unknown order in a print form or
  prealert, reported asynchronously in its INVALID CREATE request.
- 400 ``v2_entity_invalid``: the PDF of a print form that ended INVALID; deleting an intake
  whose CREATE ended INVALID.
- 400 ``v2_order_not_found``: no order with that ``cdek_number`` (CDEK's documented code for
  exactly this lookup).
- 400 ``v2_entity_forbidden``: the order (print form, intake, webhook...) exists but belongs
  to another account.
- 400 ``v2_similar_request_still_processed``: a refusal (or delete) of the same order is still
  ACCEPTED.
- 400 ``v2_entity_invalid``: refusal or delete of an order whose CREATE request ended INVALID.
- 400 ``v2_order_forbidden_status`` (chosen by this sandbox; CDEK documents no code for it):
  refusal of an order whose CREATE is still processing or whose latest status is DELIVERED,
  NOT_DELIVERED, REMOVED or INVALID; delete of an order whose latest status is not CREATED.
  A refusal or delete accepted earlier but found forbidden when it is settled ends INVALID
  with this code. The same code answers an update, client return, print form, intake or
  appointment that names an order in a status that forbids it, and the delete of an intake
  that is still processing or already REMOVED.
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

The code is split like a moto service: ``urls`` (routes), ``handlers`` (one module per
resource), ``control`` (the ``/_sandbox/`` plane and faults), ``backend`` (``SandboxState``:
what a sandbox remembers, its clock, asynchronous settling), ``models`` (entities and their
rules), ``validation`` and ``exceptions``. This module keeps the WSGI app and re-exports the
names other code imports from it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from .backend import SandboxState
from .config import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig, format_datetime
from .control import fault_response
from .exceptions import InputError, _ApiError, _AuthFailure, _error
from .models import (
    ACCEPTED,
    FAULT_KINDS,
    INVALID,
    STATUS_NAMES,
    SUCCESSFUL,
    WEBHOOK_TYPES,
)
from .responses import JSON_CONTENT_TYPE, _cdek_error
from .urls import Endpoint, url_map

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "ACCEPTED",
    "FAULT_KINDS",
    "INVALID",
    "JSON_CONTENT_TYPE",
    "STATUS_NAMES",
    "SUCCESSFUL",
    "TEST_ACCOUNT",
    "TEST_SECURE_PASSWORD",
    "WEBHOOK_TYPES",
    "SandboxApp",
    "SandboxConfig",
    "SandboxState",
    "create_app",
    "format_datetime",
    "observing_answers",
]


class _SandboxRequest(Request):
    # Orders are small; refuse anything absurd instead of buffering it.
    max_content_length = 16 * 1024 * 1024


_METHOD_REQUEST_TYPES = {"GET": "GET", "HEAD": "GET", "POST": "CREATE", "PATCH": "UPDATE"}

# Callables told of every /v2 answer a sandbox in this process gives (faults aside); the test
# suite registers one to check each answer against CDEK's specification.
_OBSERVERS: list[Callable[[Request, Response], None]] = []


@contextlib.contextmanager
def observing_answers(observer: Callable[[Request, Response], None]) -> Iterator[None]:
    """Call ``observer(request, response)`` for every /v2 answer while the block runs."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


class SandboxApp:
    """The WSGI application; ``config`` is how it behaves, ``state`` what it remembers."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.state = SandboxState(self.config)
        self.url_map = url_map()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _SandboxRequest(environ)
        response = self.dispatch(request)
        # An answer given without reading the body (a fault, an unknown path) must still
        # consume it: on a kept-alive connection the leftover bytes would be read as the
        # next request line.
        request.get_data()
        return response(environ, start_response)

    # --- dispatch ----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        """Answer one request; /v2 traffic is logged and may be faulted first."""
        path = request.path
        if path == "/v2" or path.startswith("/v2/"):
            return self._dispatch_api(request)
        return self._route(request)

    def _dispatch_api(self, request: Request) -> Response:
        query = request.query_string.decode("utf-8", "replace")
        entry = self.state.log_request(request.method, request.path, query)
        fault = self.state.take_fault(request.path)
        if fault is not None:
            self.state.update_log(entry, fault=fault.kind)
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                response = fault_response(fault, request)
                self.state.update_log(entry, status=response.status_code)
                return response  # a fault is broken on purpose: observers are not told
        response = self._route(request)
        self.state.update_log(entry, status=response.status_code)
        for observer in list(_OBSERVERS):
            observer(request, response)
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

        assert isinstance(endpoint, Endpoint)
        try:
            if not endpoint.authenticated:
                answer: Response = endpoint.handler(self.state, request, **args)
                return answer
            with self.state.lock:
                client = self.state._client_for(request.headers.get("Authorization"), now)
            answer = endpoint.handler(self.state, request, client, **args)
            return answer
        except _AuthFailure as exc:
            return _cdek_error(401, "AUTH", [_error(exc.code, exc.message)], now)
        except _ApiError as exc:
            return _cdek_error(exc.status, exc.request_type or request_type, exc.errors, now)
        except InputError as exc:
            return _cdek_error(exc.status, request_type, exc.errors, now)
        except HTTPException as exc:  # e.g. 413 from reading an oversized body
            code = exc.code or 400
            return _cdek_error(code, request_type, [_error("v2_bad_request", exc.name)], now)


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a fresh sandbox; each app has its own state, so tests never share orders."""
    return SandboxApp(config)
