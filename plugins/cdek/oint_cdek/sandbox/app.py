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
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import itertools
import json
import math
import random
import re
import socket
import threading
import time
import urllib.parse
import uuid as uuid_module
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import calculator, locations, reference
from .locations import InputError
from .pdf import build_pdf

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "FAULT_KINDS",
    "TEST_ACCOUNT",
    "TEST_SECURE_PASSWORD",
    "SandboxApp",
    "SandboxConfig",
    "SandboxState",
    "create_app",
]

#: CDEK's published shared test account for the edu server (cdek-api.md section 1).
TEST_ACCOUNT = "wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP"
TEST_SECURE_PASSWORD = "RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5"

FAULT_KINDS = frozenset(
    {"http_500", "http_502", "http_503", "http_429", "delay", "drop", "malformed_json", "empty"}
)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# Request states (cdek-api.md section 2).
ACCEPTED = "ACCEPTED"
SUCCESSFUL = "SUCCESSFUL"
INVALID = "INVALID"

#: Russian names CDEK gives its order statuses; unknown codes pushed through the control
#: endpoint are named by their code.
STATUS_NAMES = {
    "ACCEPTED": "Принят",
    "CREATED": "Создан",
    "REMOVED": "Удален",
    "INVALID": "Некорректный заказ",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "Принят на склад отправителя",
    "READY_TO_SHIP_AT_SENDING_OFFICE": "Выдан на отправку в г. отправителе",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": "Выдан на отправку в г. отправителе",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": "Сдан перевозчику в г. отправителе",
    "SENT_TO_RECIPIENT_CITY": "Отправлен в г. получателя",
    "ACCEPTED_IN_RECIPIENT_CITY": "Встречен в г. получателя",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": "Принят на склад доставки",
    "ACCEPTED_AT_PICK_UP_POINT": "Принят на склад до востребования",
    "TAKEN_BY_COURIER": "Выдан на доставку",
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": "Возвращен на склад доставки",
    "DELIVERED": "Вручен",
    "NOT_DELIVERED": "Не вручен",
}

#: Statuses after which neither a refusal nor any other change is possible.
_REFUSAL_FORBIDDEN = frozenset({"DELIVERED", "NOT_DELIVERED", "REMOVED", "INVALID"})
#: Statuses of an order that no longer exists for CDEK (no print form, check, return...).
_DEAD_STATUSES = frozenset({"REMOVED", "INVALID"})

_DEFAULT_CITY = "Москва"
_DUPLICATE_NUMBER_CODE = "error_validate_im_dep_number_has_already_had_integration"
_DUPLICATE_NUMBER_MESSAGE = (
    "Введенный номер отправления ИМ не уникальный. Введите уникальный номер."
)
_FORBIDDEN_STATUS_CODE = "v2_order_forbidden_status"
_REFUSAL_REASON_CODE = "11"

_HTML_PAGES = {
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


def _utc_now() -> datetime:
    """The default clock; a function so tests and docs generation can swap it."""
    return datetime.now(timezone.utc)


def _default_accounts() -> dict[str, str]:
    return {TEST_ACCOUNT: TEST_SECURE_PASSWORD}


@dataclass
class SandboxConfig:
    """How a sandbox behaves; every knob exists so a test or a docs build can pin it down."""

    #: client_id -> client_secret; defaults to CDEK's published test account.
    accounts: dict[str, str] = field(default_factory=_default_accounts)
    #: Token lifetime in seconds, reported as ``expires_in`` and really enforced.
    token_ttl: int = 3599
    #: Seconds (on ``clock``) before an ACCEPTED write request becomes final.
    processing_delay: float = 0.2
    #: Where "now" comes from; injectable so time can be frozen or advanced by hand.
    clock: Callable[[], datetime] = _utc_now
    #: When set, uuids, tokens and CDEK numbers come from ``random.Random(seed)``.
    seed: int | None = None
    #: The largest page of a paged list (offices, regions, cities), and its default size:
    #: a bigger ``size`` is capped at it, so a small value makes short lists span pages.
    max_page_size: int = 1000
    #: Also list the offices of ``reference.py`` in the cities beyond the first five (one in
    #: most of them); off by default, which keeps the original 14-office set.
    extra_offices: bool = True

    def __post_init__(self) -> None:
        if self.max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")


def format_datetime(moment: datetime) -> str:
    """Render a moment the way CDEK does: ``2026-08-01T14:34:18+0000``."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S%z")


def _as_utc(moment: datetime) -> datetime:
    # A naive datetime from a hand-written fake clock is taken to be UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict)) and not value)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class _ApiRequest:
    """One write request on an entity, as CDEK reports it in ``requests[]``."""

    request_uuid: str
    type: str
    date_time: datetime
    ready_at: datetime
    seq: int
    state: str = ACCEPTED
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: What the request carries (the changes of an UPDATE); never shown to clients.
    payload: dict[str, Any] | None = None

    def finish(self, state: str, at: datetime, errors: list[dict[str, str]] | None = None) -> None:
        self.state = state
        self.date_time = at  # CDEK: the time the *current* state was set
        self.errors = list(errors or [])

    def to_json(self) -> dict[str, Any]:
        return {
            "request_uuid": self.request_uuid,
            "type": self.type,
            "date_time": format_datetime(self.date_time),
            "state": self.state,
            "errors": copy.deepcopy(self.errors),
            "warnings": copy.deepcopy(self.warnings),
        }


class _Tracked:
    """What orders and the other entities share: write requests (the CREATE first) and
    statuses (oldest first), so the questions asked of them are answered in one place."""

    uuid: str
    owner: str
    requests: list[_ApiRequest]
    statuses: list[dict[str, Any]]

    @property
    def create_state(self) -> str:
        return self.requests[0].state

    @property
    def latest_status(self) -> str | None:
        return self.statuses[-1]["code"] if self.statuses else None

    @property
    def noun(self) -> str:
        """How error messages name this kind of entity ("order", "intake"...)."""
        raise NotImplementedError

    def pending(self, request_type: str) -> _ApiRequest | None:
        return next(
            (r for r in self.requests if r.type == request_type and r.state == ACCEPTED), None
        )


def _envelope(entity: dict[str, Any], requests: Iterable[_ApiRequest]) -> dict[str, Any]:
    """CDEK's answer about one entity: the entity, its requests, no related entities."""
    return {
        "entity": entity,
        "requests": [r.to_json() for r in requests],
        "related_entities": [],
    }


@dataclass
class _Order(_Tracked):
    uuid: str
    owner: str
    body: dict[str, Any]
    type: int
    number: str
    tariff_code: int
    requests: list[_ApiRequest] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    cdek_number: str | None = None

    @property
    def noun(self) -> str:
        return "order"

    def push_status(
        self,
        code: str,
        at: datetime,
        city: str,
        reason_code: str | None = None,
        name: str | None = None,
    ) -> None:
        status: dict[str, Any] = {
            "code": code,
            "name": name or STATUS_NAMES.get(code, code),
            "date_time": at,
            "city": city,
        }
        if reason_code is not None:
            status["reason_code"] = reason_code
        self.statuses.append(status)

    def city(self, location_key: str) -> str:
        location = self.body.get(location_key)
        if isinstance(location, dict) and isinstance(location.get("city"), str):
            return str(location["city"])
        return _DEFAULT_CITY

    def to_json(self) -> dict[str, Any]:
        entity: dict[str, Any] = {
            "uuid": self.uuid,
            "type": self.type,
            "is_return": False,
            "is_reverse": False,
            "is_client_return": bool(self.body.get("is_client_return", False)),
        }
        if self.cdek_number is not None:
            entity["cdek_number"] = self.cdek_number
        entity["number"] = self.number
        entity["tariff_code"] = self.tariff_code
        skip = {"uuid", "type", "number", "cdek_number", "tariff_code", "statuses"}
        for key, value in self.body.items():
            if key not in skip:
                entity[key] = copy.deepcopy(value)
        statuses = []
        for status in reversed(self.statuses):  # CDEK lists the newest first
            shown = dict(status)
            shown["date_time"] = format_datetime(status["date_time"])
            statuses.append(shown)
        entity["statuses"] = statuses
        return entity

    def envelope(self) -> dict[str, Any]:
        return _envelope(self.to_json(), self.requests)


# Kinds of the non-order entities (print forms, prealerts, courier intakes, appointments).
PRINT_ORDERS = "print_orders"
PRINT_BARCODES = "print_barcodes"
PREALERT = "prealert"
INTAKE = "intake"
DELIVERY = "delivery"
_PRINT_KINDS = {PRINT_ORDERS: "orders", PRINT_BARCODES: "barcodes"}
_KIND_NAMES = {
    PRINT_ORDERS: "Print form",
    PRINT_BARCODES: "Print form",
    PREALERT: "Prealert",
    INTAKE: "Intake",
    DELIVERY: "Delivery agreement",
}

#: Russian status names per entity kind (print forms, intakes, delivery agreements).
_RECORD_STATUS_NAMES: dict[str, dict[str, str]] = {
    "print": {
        "ACCEPTED": "Принят",
        "PROCESSING": "Формируется",
        "READY": "Сформирован",
        "INVALID": "Некорректный запрос",
        "REMOVED": "Удален",
    },
    INTAKE: {
        "ACCEPTED": "Принята",
        "READY": "Готова к обработке",
        "INVALID": "Некорректная заявка",
        "REMOVED": "Удалена",
    },
    DELIVERY: {
        "ACCEPTED": "Принята",
        "CREATED": "Создана",
        "INVALID": "Некорректная договоренность",
    },
}


@dataclass
class _Timer:
    """A status change that happens by itself at ``at`` (a print form becoming READY)."""

    at: datetime
    seq: int
    code: str
    done: bool = False


@dataclass
class _Record(_Tracked):
    """A print form, prealert, courier intake or delivery agreement of one account."""

    kind: str
    uuid: str
    owner: str
    #: What the entity shows besides uuid and statuses, in display order.
    fields: dict[str, Any]
    requests: list[_ApiRequest] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    timers: list[_Timer] = field(default_factory=list)

    @property
    def is_print(self) -> bool:
        return self.kind in _PRINT_KINDS

    @property
    def noun(self) -> str:
        return _KIND_NAMES[self.kind].lower()

    def push_status(self, code: str, at: datetime) -> None:
        names = _RECORD_STATUS_NAMES.get("print" if self.is_print else self.kind, {})
        self.statuses.append({"code": code, "name": names.get(code, code), "date_time": at})

    def pdf_path(self) -> str:
        return f"/v2/print/{_PRINT_KINDS[self.kind]}/{self.uuid}.pdf"

    def to_json(self, root_url: str) -> dict[str, Any]:
        entity: dict[str, Any] = {"uuid": self.uuid}
        entity.update(copy.deepcopy(self.fields))
        if self.is_print and self.latest_status == "READY":
            entity["url"] = root_url + self.pdf_path()
        if self.kind != PREALERT:
            entity["statuses"] = [  # newest first, as for orders
                {**status, "date_time": format_datetime(status["date_time"])}
                for status in reversed(self.statuses)
            ]
        return entity

    def envelope(self, root_url: str) -> dict[str, Any]:
        return _envelope(self.to_json(root_url), self.requests)


@dataclass
class _Webhook:
    """One webhook subscription of an account (events are never actually sent)."""

    uuid: str
    owner: str
    url: str
    type: str
    requests: list[_ApiRequest] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "url": self.url, "type": self.type}


@dataclass
class _PhotoArchive:
    """A ZIP of document photos, made at once by POST /v2/photoDocument."""

    uuid: str
    owner: str
    #: ``[{"order_uuid", "cdek_number"}]``, one photo each.
    orders: list[dict[str, str]]


@dataclass
class _Token:
    client_id: str
    expires_at: datetime


@dataclass
class _Fault:
    kind: str
    remaining: int
    path: re.Pattern[str] | None
    retry_after: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.remaining,
            "path": self.path.pattern if self.path else None,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
        }


class _ApiError(Exception):
    """A CDEK error answer raised from deep inside a handler; ``_route`` renders it."""

    def __init__(
        self, status: int, errors: list[dict[str, str]], request_type: str | None = None
    ) -> None:
        super().__init__(errors[0]["message"] if errors else str(status))
        self.status = status
        self.errors = errors
        self.request_type = request_type


class _AuthFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_Drawn = TypeVar("_Drawn")


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

    Methods whose names do not start with ``_`` take the lock themselves; the rest expect the
    caller to hold it.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
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
            header = {"alg": "RS256", "typ": "JWT"}
            payload = {
                "scope": ["order:all", "payment:all"],
                "exp": int(expires_at.timestamp()),
                "authorities": ["shard-id:sandbox", f"client-id:{client_id}"],
                "client_id": client_id,
                "jti": jti,
            }
            token = ".".join(
                [
                    _b64url(json.dumps(header, separators=(",", ":")).encode()),
                    _b64url(json.dumps(payload, separators=(",", ":")).encode()),
                    _b64url(self.rng.randbytes(128)),
                ]
            )
            self.tokens[token] = _Token(client_id=client_id, expires_at=expires_at)
            return {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": ttl,
                "scope": "order:all payment:all",
                "jti": jti,
            }

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
            for timer in record.timers:
                if not timer.done and timer.at <= now:
                    due.append((timer.at, timer.seq, self._timer_firer(record, timer)))
        return due

    def _finisher(self, order: _Order, request: _ApiRequest) -> Callable[[], None]:
        return lambda: self._finish(order, request)

    def _record_finisher(self, record: _Record, request: _ApiRequest) -> Callable[[], None]:
        return lambda: self._finish_record(record, request)

    @staticmethod
    def _timer_firer(record: _Record, timer: _Timer) -> Callable[[], None]:
        def fire() -> None:
            timer.done = True
            if record.latest_status not in ("INVALID", "REMOVED"):
                record.push_status(timer.code, timer.at)

        return fire

    def _finish(self, order: _Order, request: _ApiRequest) -> None:
        at = request.ready_at
        if request.type == "CREATE":
            if self._number_taken(order):
                duplicate = _error(_DUPLICATE_NUMBER_CODE, _DUPLICATE_NUMBER_MESSAGE)
                request.finish(INVALID, at, [duplicate])
                order.push_status("INVALID", at, order.city("from_location"))
            else:
                request.finish(SUCCESSFUL, at)
                order.cdek_number = self._new_cdek_number()
                order.push_status("ACCEPTED", at, order.city("from_location"))
                order.push_status("CREATED", at, order.city("from_location"))
        elif request.type == "CREATE_REFUSAL":
            if _conclude(request, at, order, order.latest_status in _REFUSAL_FORBIDDEN):
                order.push_status(
                    "NOT_DELIVERED", at, order.city("to_location"), _REFUSAL_REASON_CODE
                )
        elif request.type == "DELETE":
            if _conclude(request, at, order, order.latest_status != "CREATED"):
                order.push_status("REMOVED", at, order.city("from_location"))
        elif request.type == "UPDATE":
            if _conclude(request, at, order, order.latest_status in _REFUSAL_FORBIDDEN):
                _merge_changes(order, request.payload or {})
        elif request.type == "CREATE_CLIENT_RETURN":
            _conclude(request, at, order, order.latest_status in _DEAD_STATUSES)

    # --- asynchronous processing of print forms, prealerts, intakes, appointments -------

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

    def _resolve_refs(self, record: _Record) -> list[dict[str, str]]:
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
            elif order.create_state != SUCCESSFUL or order.latest_status in _DEAD_STATUSES:
                errors.append(_forbidden(order))
            else:
                resolved.append({"order_uuid": order.uuid, "cdek_number": order.cdek_number})
        if not errors:
            record.fields["orders"] = resolved
        return errors

    def _linked_order_problem(self, record: _Record) -> dict[str, str] | None:
        """Why the order an intake or appointment names can no longer take it, if it can't."""
        order = self.orders.get(str(record.fields.get("order_uuid")))  # orders never vanish
        if order is not None and order.latest_status in _REFUSAL_FORBIDDEN:
            return _forbidden(order)
        return None

    def _finish_record(self, record: _Record, request: _ApiRequest) -> None:
        at = request.ready_at
        if record.is_print or record.kind == PREALERT:
            errors = self._resolve_refs(record)
            if errors:
                request.finish(INVALID, at, errors)
                if record.is_print:
                    record.push_status("INVALID", at)
                return
            request.finish(SUCCESSFUL, at)
            if record.is_print:
                record.push_status("PROCESSING", at)
                ready_at = at + timedelta(seconds=self.config.processing_delay)
                record.timers.append(_Timer(ready_at, next(self._seq), "READY"))
        elif request.type in ("UPDATE", "DELETE"):  # intakes only: a new status, or REMOVED
            if _conclude(request, at, record, record.latest_status in ("REMOVED", "INVALID")):
                if request.type == "UPDATE":
                    record.push_status(str((request.payload or {}).get("status")), at)
                else:
                    record.push_status("REMOVED", at)
        else:  # CREATE of an intake or a delivery agreement
            problem = self._linked_order_problem(record)
            if problem is not None:
                request.finish(INVALID, at, [problem])
                record.push_status("INVALID", at)
                return
            request.finish(SUCCESSFUL, at)
            if record.kind == INTAKE:
                record.fields = {"intake_number": self._new_intake_number(), **record.fields}
                record.push_status("READY", at)
            else:
                record.push_status("CREATED", at)

    def _number_taken(self, order: _Order) -> bool:
        return any(
            other is not order
            and other.owner == order.owner
            and other.number == order.number
            and other.create_state == SUCCESSFUL
            and other.latest_status != "REMOVED"
            for other in self.orders.values()
        )

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

    def log_request(self, request: Request) -> dict[str, Any]:
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("utf-8", "replace"),
            "status": None,
            "fault": None,
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


def _merge_changes(order: _Order, changes: dict[str, Any]) -> None:
    """Apply an UPDATE: a shallow merge of top-level keys (already validated)."""
    order.body.update(copy.deepcopy(changes))
    if "tariff_code" in changes:
        order.tariff_code = int(changes["tariff_code"])
    if "type" in changes and changes["type"] is not None:
        order.type = int(changes["type"])
    if "number" in changes and not _is_empty(changes["number"]):
        order.number = str(changes["number"])


def _forbidden(entity: _Tracked) -> dict[str, str]:
    """v2_order_forbidden_status about ``entity``: one wording for orders and the other
    entities, saying whether its CREATE is still pending or which status forbids the
    operation."""
    if entity.create_state == ACCEPTED:
        detail = "its CREATE request is still being processed"
    else:
        detail = f"its status is {entity.latest_status}"
    message = f"Operation is forbidden for {entity.noun} {entity.uuid}: {detail}"
    return _error(_FORBIDDEN_STATUS_CODE, message)


def _conclude(request: _ApiRequest, at: datetime, entity: _Tracked, forbidden: bool) -> bool:
    """Settle a write request on ``entity`` whose status rule says ``forbidden``: INVALID
    with the forbidden-status error, else SUCCESSFUL. True when its effect is to be applied."""
    if forbidden:
        request.finish(INVALID, at, [_forbidden(entity)])
        return False
    request.finish(SUCCESSFUL, at)
    return True


def _entity_invalid(entity: _Tracked) -> dict[str, str]:
    """The error for touching an entity whose CREATE ended INVALID."""
    return _error("v2_entity_invalid", f"Entity is invalid {entity.uuid}")


def _similar_request(pending: _ApiRequest) -> dict[str, str]:
    """The error for a write request while one of the same type is still ACCEPTED."""
    message = f"Similar request is still being processed {pending.request_uuid}"
    return _error("v2_similar_request_still_processed", message)


def _uuid_not_found(value: Any) -> dict[str, str]:
    """CDEK's error for a uuid that names no entity (of this kind)."""
    return _error("v2_entity_not_found", f"Entity is not found by uuid {value}")


def _number_not_found(value: Any) -> dict[str, str]:
    """CDEK's documented error for a ``cdek_number`` that names no order."""
    return _error("v2_order_not_found", f"Order not found by cdek_number {value}")


def _parameters_empty(wanted: str) -> dict[str, str]:
    """The error for a GET given none of the query parameters it needs (``wanted``)."""
    return _error("v2_parameters_empty", f"All parameters are empty (give {wanted})")


_Owned = TypeVar("_Owned", _Order, _Record, _Webhook, _PhotoArchive)


def _require_uuid(value: str, name: str, request_type: str) -> None:
    """Raise CDEK's 400 v2_invalid_format for a uuid that does not parse, before any lookup."""
    if not _is_uuid(value):
        raise _ApiError(400, [_invalid_format(name, value)], request_type)


def _owned(
    item: _Owned | None,
    key: str,
    client: str,
    request_type: str,
    statuses: tuple[int, int] = (400, 400),
) -> _Owned:
    """``item`` (found by ``key``) if ``client`` owns it; else raise CDEK's
    ``v2_entity_not_found`` when there is none and ``v2_entity_forbidden`` when it is another
    account's. Both are 400, the only error status CDEK's specification gives these
    operations; ``statuses`` (missing, forbidden) is for the few that document 404 and 403."""
    missing, forbidden = statuses
    if item is None:
        raise _ApiError(missing, [_uuid_not_found(key)], request_type)
    if item.owner != client:
        message = f"Entity is forbidden {key}"
        raise _ApiError(forbidden, [_error("v2_entity_forbidden", message)], request_type)
    return item


def _order_write_problem(
    order: _Order, request_type: str, status_forbidden: bool
) -> dict[str, str] | None:
    """Whether ``order`` may take another write request of ``request_type``: an INVALID
    CREATE, a CREATE still processing, the same request pending, then ``status_forbidden``
    (the endpoint's own status rule), in that order; None when the write may be accepted."""
    if order.create_state == INVALID:
        return _entity_invalid(order)
    if order.create_state == ACCEPTED:
        return _forbidden(order)
    pending = order.pending(request_type)
    if pending is not None:
        return _similar_request(pending)
    if status_forbidden:
        return _forbidden(order)
    return None


def _intake_write_problem(intake: _Record, request_type: str) -> dict[str, str] | None:
    """Whether an intake may take another write request (DELETE or UPDATE): not with an
    INVALID CREATE, not while the CREATE processes or once REMOVED, not while the same
    request is pending; None when it may."""
    if intake.create_state == INVALID:
        return _entity_invalid(intake)
    if intake.create_state == ACCEPTED or intake.latest_status == "REMOVED":
        return _forbidden(intake)
    pending = intake.pending(request_type)
    if pending is not None:
        return _similar_request(pending)
    return None


class _SandboxRequest(Request):
    # Orders are small; refuse anything absurd instead of buffering it.
    max_content_length = 16 * 1024 * 1024


class _ConnectionDropped(ConnectionAbortedError):
    """Raised after the socket was shut down on purpose (fault "drop").

    werkzeug's dev server treats a ConnectionError from the app as a dropped connection and
    logs nothing, which is exactly what a silent drop should look like.
    """


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type=JSON_CONTENT_TYPE,
    )


def _cdek_error(
    status: int,
    request_type: str,
    errors: list[dict[str, str]],
    now: datetime,
    request_uuid: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The envelope CDEK answers errors with: ``requests[]`` only, state INVALID."""
    record: dict[str, Any] = {}
    if request_uuid is not None:
        record["request_uuid"] = request_uuid
    record.update(
        {
            "type": request_type,
            "date_time": format_datetime(now),
            "state": INVALID,
            "errors": errors,
            "warnings": [],
        }
    )
    return _json_response({"requests": [record]}, status, headers)


_METHOD_REQUEST_TYPES = {"GET": "GET", "HEAD": "GET", "POST": "CREATE", "PATCH": "UPDATE"}


def _validate_order(body: dict[str, Any]) -> list[dict[str, str]]:
    """CDEK's static (synchronous) checks of a new order: one error per problem."""
    errors: list[dict[str, str]] = []

    def empty(name: str) -> None:
        errors.append(_error("v2_field_is_empty", f"Field is empty [{name}]"))

    def wrong_type(name: str) -> None:
        errors.append(_error("v2_invalid_value_type", f"Invalid value type in [{name}] field"))

    def objects(value: Any, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The objects of the required list ``name``, each with its path (``name[i]``).
        Errors are recorded as iteration reaches them, so they keep the body's order."""
        if _is_empty(value):
            empty(name)
        elif not isinstance(value, list):
            wrong_type(name)
        else:
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield f"{name}[{index}]", item
                else:
                    wrong_type(f"{name}[{index}]")

    order_type = body.get("type")
    if order_type is not None and (not _is_int(order_type) or order_type not in (1, 2)):
        message = f"Invalid value [{order_type}] in [type] parameter"
        errors.append(_error("v2_invalid_format", message))

    tariff = body.get("tariff_code")
    if _is_empty(tariff):
        empty("tariff_code")
    elif not (_is_int(tariff) or (isinstance(tariff, str) and tariff.isdigit())):
        wrong_type("tariff_code")

    number = body.get("number")
    if number is not None and not (isinstance(number, str) or _is_int(number)):
        wrong_type("number")

    recipient = body.get("recipient")
    if _is_empty(recipient):
        empty("recipient")
    elif not isinstance(recipient, dict):
        wrong_type("recipient")
    else:
        if _is_empty(recipient.get("name")):
            empty("recipient.name")
        for path, phone in objects(recipient.get("phones"), "recipient.phones"):
            if _is_empty(phone.get("number")):
                empty(f"{path}.number")

    for path, package in objects(body.get("packages"), "packages"):
        if _is_empty(package.get("number")):
            empty(f"{path}.number")
        weight = package.get("weight")
        if _is_empty(weight):
            empty(f"{path}.weight")
        elif not _is_number(weight):
            wrong_type(f"{path}.weight")

    for location, point in (("from_location", "shipment_point"), ("to_location", "delivery_point")):
        location_value, point_value = body.get(location), body.get(point)
        if _is_empty(location_value) and _is_empty(point_value):
            empty(f"{location} or {point}")
            continue
        if not _is_empty(location_value) and not isinstance(location_value, dict):
            wrong_type(location)
        if not _is_empty(point_value) and not isinstance(point_value, str):
            wrong_type(point)
    return errors


# --- helpers of the endpoints beyond orders ---------------------------------------------

#: Top-level keys of a PATCH /v2/orders body that name the order instead of changing it.
_UPDATE_SKIP = frozenset({"uuid", "cdek_number", "statuses"})
#: CDEK: "don't send more than 100 order numbers in one request" (print forms).
_PRINT_LIMIT = 100
_RECEIPT_TYPES = frozenset(
    {
        "tpl_russia",
        "tpl_china",
        "tpl_armenia",
        "tpl_english",
        "tpl_italian",
        "tpl_korean",
        "tpl_latvian",
        "tpl_lithuanian",
        "tpl_german",
        "tpl_turkish",
        "tpl_czech",
        "tpl_thailand",
        "tpl_invoice",
    }
)
_BARCODE_FORMATS = frozenset({"A4", "A5", "A6", "A7"})
_BARCODE_LANGS = frozenset({"RUS", "ENG", "DEU", "ITA", "TUR", "CES", "KOR", "LIT", "LAV"})
#: CDEK: ``size`` of /v2/location/cities is at most 10000.
_CITIES_SIZE_LIMIT = 10000
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
_TIME_SLOTS = (("10:00", "14:00"), ("14:00", "18:00"), ("18:00", "22:00"))
_INTAKE_DAYS = 5  # working days POST /v2/intakes/availableDays offers
#: CDEK's webhook event types; an account may hold at most ``_WEBHOOK_LIMIT`` subscriptions.
WEBHOOK_TYPES = frozenset(
    {
        "ORDER_STATUS",
        "ORDER_MODIFIED",
        "PRINT_FORM",
        "RECEIPT",
        "DOWNLOAD_PHOTO",
        "PREALERT_CLOSED",
        "ACCOMPANYING_WAYBILL",
        "OFFICE_AVAILABILITY",
        "DELIV_PROBLEM",
        "DELIV_AGREEMENT",
        "COURIER_INFO",
    }
)
# PATCH /v2/intakes: the status a client may set, and the reasons (IntakeStatusPatchDto).
_INTAKE_PATCH_CODES = frozenset({"PROCESSING_REQUIRED"})
_INTAKE_ADD_STATUSES = frozenset({"CALL_REQUIRED", "DOC_REQUIRED"})
_WEBHOOK_LIMIT = 2
#: ZIP entries get this fixed timestamp, so one archive is always the same bytes.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_AGENT_COMMISSION = 0.03  # share of cash on delivery CDEK keeps (made up for the sandbox)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")


def _date_intervals(first: date) -> list[dict[str, Any]]:
    """Delivery slots of 3 days from ``first``: one shape for known and estimated orders."""
    return [
        {
            "date": (first + timedelta(days=offset)).isoformat(),
            "time_intervals": [{"start_time": s, "end_time": e} for s, e in _TIME_SLOTS],
        }
        for offset in range(3)
    ]


def _query_lang(args: Any) -> str:
    """``lang`` of a reference GET: ``eng`` when asked for, else Russian (anything else too)."""
    return "eng" if args.get("lang", "").strip().lower() == "eng" else "rus"


def _is_http_url(value: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _placeholder_jpeg(text: str) -> bytes:
    """A tiny JPEG-named placeholder: start-of-image, one comment segment, end-of-image."""
    comment = text.encode("utf-8")[:1000]
    return b"\xff\xd8\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + b"\xff\xd9"


def _photo_zip(orders: list[dict[str, str]]) -> bytes:
    """The photo archive: ``{cdek_number}/photo_1.jpg`` per order, stored (not compressed)
    with a fixed timestamp, so the bytes depend on the orders only."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for ref in orders:
            info = zipfile.ZipInfo(f"{ref['cdek_number']}/photo_1.jpg", date_time=_ZIP_DATE_TIME)
            info.external_attr = 0o644 << 16
            text = f"CDEK sandbox photo of order {ref['cdek_number']} ({ref['order_uuid']})"
            archive.writestr(info, _placeholder_jpeg(text))
    return buffer.getvalue()


def _field_empty(name: str) -> dict[str, str]:
    return _error("v2_field_is_empty", f"Field is empty [{name}]")


def _wrong_type(name: str) -> dict[str, str]:
    return _error("v2_invalid_value_type", f"Invalid value type in [{name}] field")


def _invalid_format(name: str, value: Any) -> dict[str, str]:
    return _error("v2_invalid_format", f"Invalid value [{value}] in [{name}] parameter")


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True


def _is_digits(value: Any) -> bool:
    return (_is_int(value) and value >= 0) or (isinstance(value, str) and value.isdigit())


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_datetime(value: Any) -> datetime | None:
    """CDEK's ``2026-08-01T14:34:18+0000`` (also ``+00:00``, ``Z`` or no zone: UTC)."""
    if not isinstance(value, str):
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"):
        try:
            return _as_utc(datetime.strptime(value, pattern))
        except ValueError:
            continue
    return None


def _given(body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]) -> Any:
    """The body field ``name``, or None when it is empty (an error too if ``required``):
    the first step of every date and time field check."""
    value = body.get(name)
    if _is_empty(value):
        if required:
            errors.append(_field_empty(name))
        return None
    return value


def _check_date_field(
    body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]
) -> date | None:
    value = _given(body, name, required, errors)
    if value is None:
        return None
    parsed = _parse_date(value)
    if parsed is None:
        errors.append(_invalid_format(name, value))
    return parsed


def _check_time_field(
    body: dict[str, Any], name: str, required: bool, errors: list[dict[str, str]]
) -> str | None:
    """A ``HH:MM`` (or ``HH:MM:SS``) field, returned as ``HH:MM:SS`` for comparisons."""
    value = _given(body, name, required, errors)
    if value is None:
        return None
    if not isinstance(value, str) or not _TIME_RE.fullmatch(value):
        errors.append(_invalid_format(name, value))
        return None
    return value if len(value) == 8 else value + ":00"


def _check_text(
    value: Any,
    name: str,
    errors: list[dict[str, str]],
    valid: Callable[[str], Any] | None = None,
) -> None:
    """A required text field: empty, not a string, or (when ``valid`` rejects it)
    malformed, each with CDEK's own error code."""
    if _is_empty(value):
        errors.append(_field_empty(name))
    elif not isinstance(value, str):
        errors.append(_wrong_type(name))
    elif valid is not None and not valid(value):
        errors.append(_invalid_format(name, value))


def _check_time_order(
    start: str | None, end: str | None, names: tuple[str, str], errors: list[dict[str, str]]
) -> None:
    """A time window must open before it closes (intakes, delivery appointments)."""
    if start is not None and end is not None and start >= end:
        message = f"{names[0]} must be earlier than {names[1]}"
        errors.append(_error("v2_invalid_format", message))


def _choice(
    body: dict[str, Any],
    name: str,
    allowed: frozenset[str],
    default: str,
    errors: list[dict[str, str]],
    normalise: Callable[[str], str],
) -> str:
    value = body.get(name)
    if _is_empty(value):
        return default
    if not isinstance(value, str):
        errors.append(_wrong_type(name))
        return default
    if normalise(value) not in allowed:
        errors.append(_invalid_format(name, value))
        return default
    return normalise(value)


def _order_refs(value: Any, limit: int | None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The ``orders`` list of a print form or prealert: normalised refs, and static errors."""
    errors: list[dict[str, str]] = []
    refs: list[dict[str, str]] = []
    if _is_empty(value):
        return refs, [_field_empty("orders")]
    if not isinstance(value, list):
        return refs, [_wrong_type("orders")]
    if limit is not None and len(value) > limit:
        message = f"Too many orders in one request: {len(value)}, at most {limit}"
        return refs, [_error("v2_exceeded_size", message)]
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(_wrong_type(f"orders[{index}]"))
            continue
        order_uuid, cdek_number = item.get("order_uuid"), item.get("cdek_number")
        if not _is_empty(order_uuid):
            try:
                refs.append({"order_uuid": str(uuid_module.UUID(str(order_uuid)))})
            except ValueError:
                errors.append(_invalid_format(f"orders[{index}].order_uuid", order_uuid))
        elif not _is_empty(cdek_number):
            if _is_digits(cdek_number):
                refs.append({"cdek_number": str(cdek_number)})
            else:
                errors.append(_wrong_type(f"orders[{index}].cdek_number"))
        else:
            errors.append(_field_empty(f"orders[{index}].order_uuid"))
    return refs, errors


def _linked_fields(body: dict[str, Any], order: _Order | None) -> dict[str, Any]:
    """An intake's or appointment's fields: the body, naming its order both ways."""
    fields = copy.deepcopy(body)
    if order is not None:
        fields["order_uuid"] = order.uuid
        fields["cdek_number"] = order.cdek_number
    return fields


def _print_form_text(form: _Record) -> tuple[str, list[str]]:
    """Title and lines of a print form's PDF: its type and the CDEK numbers it covers."""
    fields = form.fields
    if form.kind == PRINT_ORDERS:
        title = f"CDEK waybill: {fields['type']}"
        layout = f"Copies per sheet: {fields['copy_count']}"
    else:
        title = f"CDEK barcode labels: {fields['format']}, {fields['lang']}"
        layout = f"Copies: {fields['copy_count']}"
    numbers = [str(ref.get("cdek_number")) for ref in fields["orders"]]
    lines = [f"Print form {form.uuid}", layout, f"Orders ({len(numbers)}):"]
    lines += [", ".join(numbers[at : at + 6]) for at in range(0, len(numbers), 6)]
    lines += ["", "CDEK sandbox: a test document, not valid for shipping."]
    return title, lines


def _query_list(args: Any, name: str) -> list[str]:
    """A list query parameter: repeated (``a=1&a=2``), comma-separated (``a=1,2``), or as
    OPI sends lists (``a=[1,2]``, possibly quoted)."""
    values: list[str] = []
    for raw in args.getlist(name):
        for part in raw.strip().strip("[]").split(","):
            part = part.strip().strip("'\"").strip()
            if part:
                values.append(part)
    return values


def _query_int(args: Any, name: str, minimum: int | None = None) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET") from None
    if minimum is not None and value < minimum:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET")
    return value


def _query_bool(args: Any, name: str) -> bool | None:
    """``true``/``false`` (or 1/0); anything else is ignored, as CDEK ignores it."""
    raw = args.get(name, "").strip().lower()
    return {"true": True, "1": True, "false": False, "0": False}.get(raw)


def _query_date(args: Any, name: str) -> date:
    raw = args.get(name, "").strip()
    if not raw:
        raise _ApiError(400, [_field_empty(name)], "GET")
    parsed = _parse_date(raw)
    if parsed is None:
        raise _ApiError(400, [_invalid_format(name, raw)], "GET")
    return parsed


def _passport_info(order: _Order, wanted: str) -> list[dict[str, Any]]:
    """Passport data state of the order's recipient (and sender), from the order itself."""
    countries = {
        str(order.body[key].get("country_code") or "RU").upper()
        for key in ("from_location", "to_location")
        if isinstance(order.body.get(key), dict)
    }
    international = len(countries | {"RU"}) > 1
    info = []
    for client, key, client_type in (
        ("recipient", "recipient", "RECEIVER"),
        ("sender", "sender", "SENDER"),
    ):
        if wanted in ("recipient", "sender") and wanted != client:
            continue
        contact = order.body.get(key)
        contact = contact if isinstance(contact, dict) else {}
        exists = not _is_empty(contact.get("passport_series")) and not _is_empty(
            contact.get("passport_number")
        )
        info.append(
            {
                "client": client,
                "client_type": client_type,
                "passport_exists": exists,
                "passport_requirements_satisfied": exists or not international,
            }
        )
    return info


def _cod_sum(body: dict[str, Any]) -> float:
    """Cash on delivery: items' ``payment.value`` times ``amount``, plus the delivery charge."""
    total = 0.0
    packages = body.get("packages")
    for package in packages if isinstance(packages, list) else []:
        items = package.get("items") if isinstance(package, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("payment"), dict):
                continue
            value, amount = item["payment"].get("value"), item.get("amount", 1)
            if _is_number(value) and _is_number(amount):
                total += value * amount
    charge = body.get("delivery_recipient_cost")
    if isinstance(charge, dict) and _is_number(charge.get("value")):
        total += charge["value"]
    return round(total, 2)


def _is_live(order: _Order) -> bool:
    """Created and still changeable (not delivered, refused, removed or invalid): what an
    intake, an appointment or delivery intervals need of their order."""
    return order.create_state == SUCCESSFUL and order.latest_status not in _REFUSAL_FORBIDDEN


def _has_check(order: _Order) -> bool:
    return order.create_state == SUCCESSFUL and order.latest_status not in _DEAD_STATUSES


def _created_at(order: _Order) -> datetime:
    created: datetime = next(s["date_time"] for s in order.statuses if s["code"] == "CREATED")
    return created


def _delivered_at(order: _Order) -> datetime | None:
    moments = [s["date_time"] for s in order.statuses if s["code"] == "DELIVERED"]
    return moments[-1] if moments else None


def _check_info(order: _Order) -> dict[str, Any]:
    """A fiscal-check-like record, with numbers derived from the order (deterministic)."""
    digest = zlib.crc32(order.uuid.encode("ascii"))
    return {
        "order_uuid": order.uuid,
        "cdek_number": order.cdek_number,
        "date": format_datetime(_created_at(order)),
        "fiscal_storage_number": f"9960440300{digest % 10**6:06d}",
        "document_number": str(digest % 100000 + 1),
        "fiscal_sign": digest % 10**10,
        "type": "CASH_RECEIPT_IN",
        "payment_info": [{"sum": _cod_sum(order.body), "type": "CARD"}],
    }


def _registry(day: date, orders: list[_Order]) -> dict[str, Any]:
    """One cash-on-delivery registry paying out ``orders`` on ``day``."""
    rows: list[dict[str, Any]] = []
    for order in orders:
        payment = _cod_sum(order.body)
        commission = round(payment * _AGENT_COMMISSION, 2)
        rows.append(
            {
                "cdek_number": order.cdek_number,
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
        self.url_map = Map(
            [
                Rule("/v2/oauth/token", methods=["POST"], endpoint="token"),
                Rule("/v2/orders", methods=["POST"], endpoint="create_order"),
                Rule("/v2/orders", methods=["GET"], endpoint="find_order"),
                Rule("/v2/orders/<order_uuid>", methods=["GET"], endpoint="get_order"),
                Rule("/v2/orders/<order_uuid>", methods=["DELETE"], endpoint="delete_order"),
                Rule("/v2/orders/<order_uuid>/refusal", methods=["POST"], endpoint="refusal"),
                Rule("/v2/orders", methods=["PATCH"], endpoint="update_order"),
                Rule(
                    "/v2/orders/<order_uuid>/clientReturn",
                    methods=["POST"],
                    endpoint="client_return",
                ),
                Rule("/v2/print/orders", methods=["POST"], endpoint="create_print_orders"),
                Rule("/v2/print/barcodes", methods=["POST"], endpoint="create_print_barcodes"),
                Rule("/v2/print/orders/<form_id>", methods=["GET"], endpoint="get_print_orders"),
                Rule(
                    "/v2/print/barcodes/<form_id>", methods=["GET"], endpoint="get_print_barcodes"
                ),
                Rule("/v2/prealert", methods=["POST"], endpoint="create_prealert"),
                Rule("/v2/prealert/<record_uuid>", methods=["GET"], endpoint="get_prealert"),
                Rule("/v2/passport", methods=["GET"], endpoint="passport"),
                Rule("/v2/check", methods=["GET"], endpoint="check"),
                Rule("/v2/registries", methods=["GET"], endpoint="registries"),
                Rule("/v2/payment", methods=["GET"], endpoint="payment"),
                Rule("/v2/deliverypoints", methods=["GET"], endpoint="deliverypoints"),
                Rule("/v2/location/regions", methods=["GET"], endpoint="regions"),
                Rule("/v2/delivery/intervals", methods=["GET"], endpoint="delivery_intervals"),
                Rule("/v2/intakes", methods=["POST"], endpoint="create_intake"),
                Rule("/v2/intakes/<record_uuid>", methods=["GET"], endpoint="get_intake"),
                Rule("/v2/intakes/<record_uuid>", methods=["DELETE"], endpoint="delete_intake"),
                Rule("/v2/delivery", methods=["POST"], endpoint="create_delivery"),
                Rule("/v2/delivery/<record_uuid>", methods=["GET"], endpoint="get_delivery"),
                Rule("/v2/orders/<order_uuid>/intakes", methods=["GET"], endpoint="order_intakes"),
                Rule("/v2/intakes", methods=["PATCH"], endpoint="update_intake"),
                Rule("/v2/intakes/availableDays", methods=["POST"], endpoint="intake_days"),
                Rule("/v2/location/suggest/cities", methods=["GET"], endpoint="suggest_cities"),
                Rule("/v2/location/cities", methods=["GET"], endpoint="cities"),
                Rule("/v2/location/postalcodes", methods=["GET"], endpoint="postal_codes"),
                Rule("/v2/location/coordinates", methods=["GET"], endpoint="coordinates"),
                Rule("/v2/calculator/tariff", methods=["POST"], endpoint="calc_tariff"),
                Rule("/v2/calculator/tarifflist", methods=["POST"], endpoint="calc_tariff_list"),
                Rule(
                    "/v2/calculator/tariffAndService",
                    methods=["POST"],
                    endpoint="calc_tariff_and_service",
                ),
                Rule("/v2/calculator/alltariffs", methods=["GET"], endpoint="all_tariffs"),
                Rule(
                    "/v2/international/package/restrictions",
                    methods=["POST"],
                    endpoint="restrictions",
                ),
                Rule(
                    "/v2/delivery/estimatedIntervals",
                    methods=["POST"],
                    endpoint="estimated_intervals",
                ),
                Rule("/v2/reverse/availability", methods=["POST"], endpoint="reverse_availability"),
                Rule("/v2/photoDocument", methods=["POST"], endpoint="create_photos"),
                Rule("/v2/photoDocument/<archive_uuid>", methods=["GET"], endpoint="get_photos"),
                Rule("/v2/webhooks", methods=["POST"], endpoint="create_webhook"),
                Rule("/v2/webhooks", methods=["GET"], endpoint="list_webhooks"),
                Rule("/v2/webhooks/<hook_uuid>", methods=["GET"], endpoint="get_webhook"),
                Rule("/v2/webhooks/<hook_uuid>", methods=["DELETE"], endpoint="delete_webhook"),
                Rule("/_sandbox/faults", methods=["GET"], endpoint="ctl_list_faults"),
                Rule("/_sandbox/faults", methods=["POST"], endpoint="ctl_add_fault"),
                Rule("/_sandbox/faults", methods=["DELETE"], endpoint="ctl_clear_faults"),
                Rule("/_sandbox/requests", methods=["GET"], endpoint="ctl_list_requests"),
                Rule("/_sandbox/requests", methods=["DELETE"], endpoint="ctl_clear_requests"),
                Rule(
                    "/_sandbox/orders/<order_uuid>/status",
                    methods=["POST"],
                    endpoint="ctl_push_status",
                ),
                Rule("/_sandbox/advance", methods=["POST"], endpoint="ctl_advance"),
                Rule("/_sandbox/reset", methods=["POST"], endpoint="ctl_reset"),
            ],
            # A redirect to a "canonical" path is not something CDEK would answer.
            merge_slashes=False,
        )

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
        entry = self.state.log_request(request)
        fault = self.state.take_fault(request.path)
        if fault is not None:
            self.state.update_log(entry, fault=fault.kind)
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            else:
                response = self._fault_response(fault, request)
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

        handler = getattr(self, f"_ep_{endpoint}")
        try:
            if endpoint.startswith("ctl_") or endpoint == "token":
                answer: Response = handler(request, **args)
                return answer
            with self.state.lock:
                client = self.state._client_for(request.headers.get("Authorization"), now)
            answer = handler(request, client, **args)
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

    # --- faults ------------------------------------------------------------------------

    def _fault_response(self, fault: _Fault, request: Request) -> Response:
        kind = fault.kind
        if kind.startswith("http_5"):
            status = int(kind[len("http_") :])
            title = _HTML_PAGES[status]
            page = (
                f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
                f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n"
            )
            return Response(page, status=status, content_type="text/html")
        if kind == "http_429":
            body = {"errors": [_error("too_many_requests", "Too many requests, slow down")]}
            return _json_response(body, 429, {"Retry-After": str(fault.retry_after)})
        if kind == "malformed_json":
            return Response(
                '{"entity": {"uuid": "72753031-826d', status=200, content_type=JSON_CONTENT_TYPE
            )
        if kind == "empty":
            return Response(b"", status=200, content_type=JSON_CONTENT_TYPE)
        if kind == "drop":
            request.get_data()  # else the server parses the unread body as another request
            connection = request.environ.get("werkzeug.socket")
            if isinstance(connection, socket.socket):
                # Shut down (not close): the server still owns the descriptor and closes it.
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            raise _ConnectionDropped("connection dropped on purpose by a sandbox fault")
        raise AssertionError(f"unhandled fault kind {kind!r}")  # pragma: no cover

    # --- helpers for CDEK endpoints ---------------------------------------------------

    def _lookup(
        self, order_uuid: str, client: str, request_type: str, now: datetime
    ) -> _Order | Response:
        """Find an order of ``client`` or build the error CDEK would answer (lock held),
        dated ``now`` (the handler's clock read, not the router's)."""
        try:
            _require_uuid(order_uuid, "uuid", request_type)
            return _owned(
                self.state.orders.get(order_uuid.lower()), order_uuid, client, request_type
            )
        except _ApiError as exc:
            return _cdek_error(exc.status, request_type, exc.errors, now)

    def _accept(
        self,
        entity: _Tracked,
        request_type: str,
        now: datetime,
        payload: dict[str, Any] | None = None,
        status: int = 202,
    ) -> Response:
        """Queue a checked write request on an order or intake and answer it: 202, or the
        200 CDEK's specification gives the few writes that answer so (intake changes)."""
        api_request = self.state._new_request(request_type, now)
        api_request.payload = payload
        entity.requests.append(api_request)
        return _json_response(_envelope({"uuid": entity.uuid}, [api_request]), status)

    def _settled_now(self) -> datetime:
        """The sandbox time, after settling everything due by then (lock held): the one
        clock read a handler of entities starts with."""
        now = self.state.now()
        self.state._settle(now)
        return now

    @staticmethod
    def _read_json(request: Request) -> Any:
        """The body as JSON, or raise ValueError (CDEK answers v2_bad_request)."""
        raw = request.get_data(cache=True)
        return json.loads(raw.decode("utf-8"))

    # --- CDEK endpoints ---------------------------------------------------------------

    def _ep_token(self, request: Request) -> Response:
        values = request.values  # query string and form body, as CDEK accepts both
        grant_type = values.get("grant_type")
        if not grant_type:
            return _json_response(
                {"error": "invalid_request", "error_description": "Missing grant type"}, 400
            )
        if grant_type != "client_credentials":
            return _json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"Unsupported grant type: {grant_type}",
                },
                400,
            )
        client_id = values.get("client_id", "")
        secret = values.get("client_secret", "")
        expected = self.config.accounts.get(client_id)
        if not client_id or expected is None or expected != secret:
            return _json_response(
                {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
            )
        return _json_response(self.state.issue_token(client_id))

    def _ep_create_order(self, request: Request, client: str) -> Response:
        state = self.state
        try:
            body = self._read_json(request)
        except ValueError:
            body = None
        with state.lock:
            now = state.now()
            request_uuid = state._new_uuid()
            if not isinstance(body, dict):
                message = "Bad request: the body must be a JSON object"
                return _cdek_error(
                    400, "CREATE", [_error("v2_bad_request", message)], now, request_uuid
                )
            errors = _validate_order(body)
            if errors:
                return _cdek_error(400, "CREATE", errors, now, request_uuid)
            state._settle(now)
            order_uuid = state._new_uuid()
            number = body.get("number")
            order = _Order(
                uuid=order_uuid,
                owner=client,
                body=copy.deepcopy(body),
                type=body.get("type") or 1,
                # CDEK: without a shop number the order's own uuid is used as its number.
                number=str(number) if not _is_empty(number) else order_uuid,
                tariff_code=int(body["tariff_code"]),
            )
            state.orders[order_uuid] = order
            api_request = state._new_request("CREATE", now)
            api_request.request_uuid = request_uuid
            order.requests.append(api_request)
            return _json_response(_envelope({"uuid": order_uuid}, [api_request]), 202)

    def _ep_get_order(self, request: Request, client: str, order_uuid: str) -> Response:
        with self.state.lock:
            now = self._settled_now()
            order = self._lookup(order_uuid, client, "GET", now)
            if isinstance(order, Response):
                return order
            return _json_response(order.envelope())

    def _ep_find_order(self, request: Request, client: str) -> Response:
        cdek_number = request.args.get("cdek_number", "").strip()
        im_number = request.args.get("im_number", "").strip()
        with self.state.lock:
            now = self.state.now()
            if not cdek_number and not im_number:
                problem = _parameters_empty("cdek_number or im_number")
                return _cdek_error(400, "GET", [problem], now)
            self.state._settle(now)
            mine = [o for o in self.state.orders.values() if o.owner == client]
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

    def _ep_refusal(self, request: Request, client: str, order_uuid: str) -> Response:
        return self._change_order(
            client, order_uuid, "CREATE_REFUSAL", lambda o: o.latest_status in _REFUSAL_FORBIDDEN
        )

    def _ep_delete_order(self, request: Request, client: str, order_uuid: str) -> Response:
        return self._change_order(
            client, order_uuid, "DELETE", lambda o: o.latest_status != "CREATED"
        )

    def _change_order(
        self,
        client: str,
        order_uuid: str,
        request_type: str,
        status_forbidden: Callable[[_Order], bool],
    ) -> Response:
        """A body-less write on the order in the path (refusal, delete): checked, then 202;
        the endpoints differ only in the type and in which statuses forbid it."""
        with self.state.lock:
            now = self._settled_now()
            order = self._lookup(order_uuid, client, request_type, now)
            if isinstance(order, Response):
                return order
            problem = _order_write_problem(order, request_type, status_forbidden(order))
            if problem is not None:
                return _cdek_error(400, request_type, [problem], now)
            return self._accept(order, request_type, now)

    # --- helpers for the other CDEK entities ------------------------------------------

    @staticmethod
    def _root_url(request: Request) -> str:
        """Where the client reached us (``http://host:port``), for links such as print URLs."""
        return request.host_url.rstrip("/")

    def _paging(self, args: Any, hard_limit: int | None = None) -> slice:
        """The slice of a paged list that ``page`` (from 0) and ``size`` ask for: ``size``
        defaults to, and is capped at, ``config.max_page_size``; above ``hard_limit`` it is a
        400 v2_invalid_format."""
        page = _query_int(args, "page", minimum=0) or 0
        size = _query_int(args, "size", minimum=1)
        if size is not None and hard_limit is not None and size > hard_limit:
            raise _ApiError(400, [_invalid_format("size", size)], "GET")
        limit = self.config.max_page_size
        size = limit if size is None else min(size, limit)
        return slice(page * size, (page + 1) * size)

    def _json_body(
        self, request: Request, request_type: str, allow_empty: bool = False
    ) -> dict[str, Any]:
        """The body as a JSON object, or raise CDEK's v2_bad_request."""
        if allow_empty and not request.get_data(cache=True).strip():
            return {}
        try:
            body = self._read_json(request)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            message = "Bad request: the body must be a JSON object"
            raise _ApiError(400, [_error("v2_bad_request", message)], request_type)
        return body

    def _require_order(
        self,
        client: str,
        request_type: str,
        order_uuid: str | None = None,
        cdek_number: str | None = None,
    ) -> _Order:
        """The order named by uuid (or else CDEK number), or raise the error CDEK would."""
        if order_uuid is not None:
            _require_uuid(order_uuid, "order_uuid", request_type)
            return _owned(
                self.state.orders.get(order_uuid.lower()), order_uuid, client, request_type
            )
        order = self.state._find_order(client, cdek_number=cdek_number)
        if order is None:
            raise _ApiError(400, [_number_not_found(cdek_number)], request_type)
        return order

    def _order_from_query(self, request: Request, client: str) -> _Order:
        """The order a GET names with ``order_uuid`` or ``cdek_number`` (one is required)."""
        order_uuid = request.args.get("order_uuid", "").strip()
        cdek_number = request.args.get("cdek_number", "").strip()
        if not order_uuid and not cdek_number:
            raise _ApiError(400, [_parameters_empty("order_uuid or cdek_number")], "GET")
        return self._require_order(client, "GET", order_uuid or None, cdek_number or None)

    def _linked_order(self, body: dict[str, Any], client: str, required: bool) -> _Order | None:
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
            order = self.state._find_order(client, order_uuid=order_uuid)
            if order is None:
                raise _ApiError(400, [_uuid_not_found(order_uuid)], "CREATE")
        else:
            if not _is_digits(cdek_number):
                raise _ApiError(400, [_wrong_type("cdek_number")], "CREATE")
            order = self.state._find_order(client, cdek_number=str(cdek_number))
            if order is None:
                raise _ApiError(400, [_number_not_found(cdek_number)], "CREATE")
        if not _is_live(order):
            raise _ApiError(400, [_forbidden(order)], "CREATE")
        return order

    def _new_linked_record(
        self, kind: str, body: dict[str, Any], client: str, required: bool
    ) -> Response:
        """Create an intake or appointment from a checked body, naming its order (if any)
        both ways: settle first, so the order's state is current when it is checked."""
        with self.state.lock:
            now = self._settled_now()
            order = self._linked_order(body, client, required=required)
            return self._new_record(kind, client, _linked_fields(body, order), now)

    def _lookup_record(
        self, record_uuid: str, kind: str, client: str, request_type: str
    ) -> _Record:
        """A print form, prealert, intake or appointment of ``client`` (lock held), or raise."""
        _require_uuid(record_uuid, "uuid", request_type)
        record = self.state.records.get(record_uuid.lower())
        if record is not None and record.kind != kind:
            record = None
        return _owned(record, record_uuid, client, request_type)

    def _new_record(
        self, kind: str, client: str, fields: dict[str, Any], now: datetime
    ) -> Response:
        """Store a new entity with its CREATE request, and answer 202 (lock held)."""
        state = self.state
        record = _Record(kind=kind, uuid=state._new_uuid(), owner=client, fields=fields)
        api_request = state._new_request("CREATE", now)
        record.requests.append(api_request)
        if kind != PREALERT:
            record.push_status("ACCEPTED", now)
        state.records[record.uuid] = record
        return _json_response(_envelope({"uuid": record.uuid}, [api_request]), 202)

    def _get_record(self, request: Request, client: str, kind: str, record_uuid: str) -> Response:
        """GET of a prealert, intake or appointment: settle, look it up, show its envelope."""
        with self.state.lock:
            self._settled_now()
            record = self._lookup_record(record_uuid, kind, client, "GET")
            return _json_response(record.envelope(self._root_url(request)))

    # --- CDEK endpoints: order changes ------------------------------------------------

    def _ep_update_order(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "UPDATE")
        order_uuid, cdek_number = body.get("uuid"), body.get("cdek_number")
        if _is_empty(order_uuid) and _is_empty(cdek_number):
            raise _ApiError(400, [_field_empty("uuid")], "UPDATE")
        if not _is_empty(order_uuid) and not isinstance(order_uuid, str):
            raise _ApiError(400, [_wrong_type("uuid")], "UPDATE")
        with self.state.lock:
            now = self._settled_now()
            if not _is_empty(order_uuid):
                order = self._require_order(client, "UPDATE", order_uuid=order_uuid)
            else:
                order = self._require_order(client, "UPDATE", cdek_number=str(cdek_number))
            forbidden = order.latest_status in _REFUSAL_FORBIDDEN
            problem = _order_write_problem(order, "UPDATE", forbidden)
            if problem is not None:
                return _cdek_error(400, "UPDATE", [problem], now)
            changes = {k: v for k, v in body.items() if k not in _UPDATE_SKIP}
            errors = _validate_order({**order.body, **changes})
            if errors:
                return _cdek_error(400, "UPDATE", errors, now)
            return self._accept(order, "UPDATE", now, payload=changes)

    def _ep_client_return(self, request: Request, client: str, order_uuid: str) -> Response:
        body = self._json_body(request, "CREATE_CLIENT_RETURN", allow_empty=True)
        with self.state.lock:
            now = self._settled_now()
            order = self._lookup(order_uuid, client, "CREATE_CLIENT_RETURN", now)
            if isinstance(order, Response):
                return order
            tariff = body.get("tariff_code")
            if _is_empty(tariff):
                raise _ApiError(400, [_field_empty("tariff_code")], "CREATE_CLIENT_RETURN")
            if not (_is_int(tariff) or (isinstance(tariff, str) and tariff.isdigit())):
                raise _ApiError(400, [_wrong_type("tariff_code")], "CREATE_CLIENT_RETURN")
            forbidden = order.latest_status in _DEAD_STATUSES
            problem = _order_write_problem(order, "CREATE_CLIENT_RETURN", forbidden)
            if problem is not None:
                return _cdek_error(400, "CREATE_CLIENT_RETURN", [problem], now)
            payload = {"tariff_code": int(tariff)}
            return self._accept(order, "CREATE_CLIENT_RETURN", now, payload=payload)

    # --- CDEK endpoints: print forms ----------------------------------------------------

    def _ep_create_print_orders(self, request: Request, client: str) -> Response:
        return self._create_print(request, client, PRINT_ORDERS)

    def _ep_create_print_barcodes(self, request: Request, client: str) -> Response:
        return self._create_print(request, client, PRINT_BARCODES)

    def _create_print(self, request: Request, client: str, kind: str) -> Response:
        body = self._json_body(request, "CREATE")
        refs, errors = _order_refs(body.get("orders"), _PRINT_LIMIT)
        copy_count = body.get("copy_count")
        if copy_count is None:
            copy_count = 2 if kind == PRINT_ORDERS else 1
        elif not _is_int(copy_count):
            errors.append(_wrong_type("copy_count"))
        elif copy_count < 1:
            errors.append(_invalid_format("copy_count", copy_count))
        fields: dict[str, Any] = {"orders": refs, "copy_count": copy_count}
        if kind == PRINT_ORDERS:
            fields["type"] = _choice(body, "type", _RECEIPT_TYPES, "tpl_russia", errors, str.lower)
        else:
            fields["format"] = _choice(body, "format", _BARCODE_FORMATS, "A4", errors, str.upper)
            fields["lang"] = _choice(body, "lang", _BARCODE_LANGS, "RUS", errors, str.upper)
        if errors:
            raise _ApiError(400, errors, "CREATE")
        with self.state.lock:
            now = self._settled_now()
            return self._new_record(kind, client, fields, now)

    def _ep_get_print_orders(self, request: Request, client: str, form_id: str) -> Response:
        return self._get_print(request, client, PRINT_ORDERS, form_id)

    def _ep_get_print_barcodes(self, request: Request, client: str, form_id: str) -> Response:
        return self._get_print(request, client, PRINT_BARCODES, form_id)

    def _get_print(self, request: Request, client: str, kind: str, form_id: str) -> Response:
        want_pdf = form_id.lower().endswith(".pdf")
        form_uuid = form_id[: -len(".pdf")] if want_pdf else form_id
        with self.state.lock:
            self._settled_now()
            form = self._lookup_record(form_uuid, kind, client, "GET")
            if not want_pdf:
                return _json_response(form.envelope(self._root_url(request)))
            status = form.latest_status
            if status == "INVALID":
                message = f"Entity is invalid {form.uuid}"
                raise _ApiError(400, [_error("v2_entity_invalid", message)], "GET")
            if status != "READY":
                message = f"Print form {form.uuid} is not ready yet (status {status})"
                raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
            title, lines = _print_form_text(form)
        document = build_pdf(title, lines)
        return Response(
            document,
            status=200,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{form.uuid}.pdf"'},
        )

    # --- CDEK endpoints: prealerts ------------------------------------------------------

    def _ep_create_prealert(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        refs, errors = _order_refs(body.get("orders"), None)
        planned = body.get("planned_date")
        if _is_empty(planned):
            errors.append(_field_empty("planned_date"))
        elif _parse_datetime(planned) is None:
            errors.append(_invalid_format("planned_date", planned))
        point = body.get("shipment_point")
        _check_text(point, "shipment_point", errors)
        if errors:
            raise _ApiError(400, errors, "CREATE")
        fields = {"planned_date": planned, "shipment_point": point, "orders": refs}
        with self.state.lock:
            now = self._settled_now()
            return self._new_record(PREALERT, client, fields, now)

    def _ep_get_prealert(self, request: Request, client: str, record_uuid: str) -> Response:
        return self._get_record(request, client, PREALERT, record_uuid)

    # --- CDEK endpoints: order information -----------------------------------------------

    def _ep_passport(self, request: Request, client: str) -> Response:
        uuids = _query_list(request.args, "order_uuid")
        numbers = _query_list(request.args, "cdek_number")
        if not uuids and not numbers:
            raise _ApiError(400, [_parameters_empty("order_uuid or cdek_number")], "GET")
        wanted = request.args.get("client", "").strip().lower()
        with self.state.lock:
            self._settled_now()
            found = [self._require_order(client, "GET", order_uuid=u) for u in uuids]
            found += [self._require_order(client, "GET", cdek_number=n) for n in numbers]
            answer = []
            for order in found:
                if order.create_state != SUCCESSFUL:
                    message = f"Entity is not found by uuid {order.uuid} (no CDEK order yet)"
                    raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
                answer.append(
                    {
                        "order_uuid": order.uuid,
                        "cdek_number": order.cdek_number,
                        "passport": _passport_info(order, wanted),
                    }
                )
            return _json_response({"orders": answer})

    def _ep_check(self, request: Request, client: str) -> Response:
        args = request.args
        by_order = bool(args.get("order_uuid", "").strip() or args.get("cdek_number", "").strip())
        if not by_order and not args.get("date", "").strip():
            problem = _parameters_empty("order_uuid, cdek_number or date")
            raise _ApiError(400, [problem], "GET")
        day = None if by_order else _query_date(args, "date")
        with self.state.lock:
            self._settled_now()
            if by_order:
                candidates = [self._order_from_query(request, client)]
            else:
                candidates = [o for o in self.state.orders.values() if o.owner == client]
            checks = [
                _check_info(order)
                for order in candidates
                if _has_check(order) and (day is None or _created_at(order).date() == day)
            ]
        # CDEK answers an empty object, not an empty list, when there is nothing.
        return _json_response({"check_info": checks} if checks else {})

    def _delivered_on(self, client: str, day: date) -> list[_Order]:
        """Orders of ``client`` delivered on ``day`` with cash on delivery (lock held)."""
        delivered = [
            (at, order)
            for order in self.state.orders.values()
            if order.owner == client
            and (at := _delivered_at(order)) is not None
            and at.date() == day
            and _cod_sum(order.body) > 0
        ]
        delivered.sort(key=lambda item: item[0])
        return [order for _, order in delivered]

    def _ep_registries(self, request: Request, client: str) -> Response:
        day = _query_date(request.args, "date")
        with self.state.lock:
            self._settled_now()
            orders = self._delivered_on(client, day)
            registries = [_registry(day, orders)] if orders else []
        return _json_response({"registries": registries})

    def _ep_payment(self, request: Request, client: str) -> Response:
        day = _query_date(request.args, "date")
        with self.state.lock:
            self._settled_now()
            orders = [
                {"order_uuid": o.uuid, "cdek_number": o.cdek_number, "number": o.number}
                for o in self._delivered_on(client, day)
            ]
        return _json_response({"orders": orders})

    def _ep_delivery_intervals(self, request: Request, client: str) -> Response:
        with self.state.lock:
            now = self._settled_now()
            order = self._order_from_query(request, client)
            if not _is_live(order):
                raise _ApiError(400, [_forbidden(order)], "GET")
        return _json_response({"date_intervals": _date_intervals(now.date() + timedelta(days=1))})

    # --- CDEK endpoints: reference data ---------------------------------------------------

    def _ep_deliverypoints(self, request: Request, client: str) -> Response:
        args = request.args
        city_code = _query_int(args, "city_code")
        region_code = _query_int(args, "region_code")
        weight_max = _query_int(args, "weight_max", minimum=0)
        weight_min = _query_int(args, "weight_min", minimum=0)
        sides = [_query_int(args, side, minimum=0) or 0 for side in ("length", "width", "height")]
        window = self._paging(args)
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
                not texts["country_code"]
                or location["country_code"] == texts["country_code"].upper(),
                not texts["fias_guid"] or location["fias_guid"] == texts["fias_guid"].lower(),
                not texts["code"] or office["code"].upper() == texts["code"].upper(),
                not any(sides) or reference.office_fits(office, *sides),
            ]
            checks += [value is None or office[name] == value for name, value in flags.items()]
            return all(checks)

        everything = reference.offices(extended=self.config.extra_offices)
        found = [office for office in everything if keep(office)]
        return _json_response(found[window])

    def _ep_regions(self, request: Request, client: str) -> Response:
        args = request.args
        countries = {code.upper() for code in _query_list(args, "country_codes")}
        region_code = _query_int(args, "region_code")
        window = self._paging(args)
        lang = _query_lang(args)
        found = [
            region
            for region in reference.regions(lang)
            if (not countries or region["country_code"] in countries)
            and (region_code is None or region["region_code"] == region_code)
        ]
        return _json_response(found[window])

    def _ep_suggest_cities(self, request: Request, client: str) -> Response:
        name = request.args.get("name", "").strip()
        if not name:
            raise _ApiError(400, [_field_empty("name")], "GET")
        country = request.args.get("country_code", "").strip() or None
        return _json_response(locations.suggest(name, country))

    def _ep_cities(self, request: Request, client: str) -> Response:
        args = request.args
        countries = {code.upper() for code in _query_list(args, "country_codes")}
        region_code = _query_int(args, "region_code")
        code = _query_int(args, "code")
        window = self._paging(args, _CITIES_SIZE_LIMIT)
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

    def _ep_postal_codes(self, request: Request, client: str) -> Response:
        if not request.args.get("code", "").strip():
            raise _ApiError(400, [_field_empty("code")], "GET")
        code = _query_int(request.args, "code", minimum=0)
        facts = locations.city_by_code(code) if code is not None else None
        if facts is None:
            message = f"City is not found by code {code}"
            raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
        return _json_response({"code": code, "postal_codes": list(facts["postal_codes"])})

    def _ep_coordinates(self, request: Request, client: str) -> Response:
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
        return _json_response(reference.city_object(facts, lang))

    # --- CDEK endpoints: calculator and shipments that do not exist yet -------------------

    def _ep_calc_tariff(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        shipment = calculator.parse_shipment(body, tariff_required=True, packages_required=True)
        return _json_response(calculator.tariff_answer(shipment))

    def _ep_calc_tariff_list(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=True)
        items = [calculator.list_item(t, shipment) for t in calculator.TARIFFS.values()]
        return _json_response({"tariff_codes": items})

    def _ep_calc_tariff_and_service(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=True)
        services = calculator.price_services(shipment.services)
        tariffs = [
            {**calculator.list_item(t, shipment), "services": copy.deepcopy(services)}
            for t in calculator.TARIFFS.values()
        ]
        return _json_response({"tariffs": tariffs})

    def _ep_all_tariffs(self, request: Request, client: str) -> Response:
        # Here CDEK reads the language from a header, not from the query.
        lang = _query_lang({"lang": request.headers.get("X-User-Lang", "")})
        return _json_response(calculator.all_tariffs(lang))

    def _ep_restrictions(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        return _json_response(calculator.restrictions(body))

    def _ep_estimated_intervals(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        missing = [
            _field_empty(name)
            for name in ("date_time", "tariff_code", "to_location")
            if body.get(name) in (None, "", {})
        ]
        if missing:
            raise _ApiError(400, missing, "CREATE")
        shipment = calculator.parse_shipment(body, tariff_required=True, packages_required=False)
        assert shipment.tariff is not None  # tariff_required
        first = self.state.now().date() + timedelta(
            days=calculator.quote(shipment.tariff, shipment)["period_min"]
        )
        return _json_response({"date_intervals": _date_intervals(first)})

    def _ep_reverse_availability(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        shipment = calculator.parse_shipment(body, tariff_required=False, packages_required=False)
        if shipment.international:
            message = (
                "Reverse shipment is not available between countries "
                f"{shipment.from_city['country_code']} and {shipment.to_city['country_code']}"
            )
            raise _ApiError(400, [_error("v2_reverse_not_available", message)], "CREATE")
        return _json_response({})

    # --- CDEK endpoints: courier intakes and delivery appointments ------------------------

    def _ep_create_intake(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        errors: list[dict[str, str]] = []
        _check_date_field(body, "intake_date", True, errors)
        start = _check_time_field(body, "intake_time_from", True, errors)
        end = _check_time_field(body, "intake_time_to", True, errors)
        _check_time_field(body, "lunch_time_from", False, errors)
        _check_time_field(body, "lunch_time_to", False, errors)
        _check_time_order(start, end, ("intake_time_from", "intake_time_to"), errors)
        if errors:
            raise _ApiError(400, errors, "CREATE")
        return self._new_linked_record(INTAKE, body, client, required=False)

    def _ep_get_intake(self, request: Request, client: str, record_uuid: str) -> Response:
        return self._get_record(request, client, INTAKE, record_uuid)

    def _ep_delete_intake(self, request: Request, client: str, record_uuid: str) -> Response:
        with self.state.lock:
            now = self._settled_now()
            intake = self._lookup_record(record_uuid, INTAKE, client, "DELETE")
            problem = _intake_write_problem(intake, "DELETE")
            if problem is not None:
                return _cdek_error(400, "DELETE", [problem], now)
            return self._accept(intake, "DELETE", now, status=200)

    def _ep_order_intakes(self, request: Request, client: str, order_uuid: str) -> Response:
        with self.state.lock:
            now = self._settled_now()
            order = self._lookup(order_uuid, client, "GET", now)
            if isinstance(order, Response):
                return order
            root = self._root_url(request)
            intakes = [
                record.to_json(root)
                for record in self.state.records.values()
                if record.kind == INTAKE and record.fields.get("order_uuid") == order.uuid
            ]
        return _json_response(intakes)

    def _ep_update_intake(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "UPDATE")
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
        with self.state.lock:
            now = self._settled_now()
            intake = self._lookup_record(str(intake_uuid), INTAKE, client, "UPDATE")
            problem = _intake_write_problem(intake, "UPDATE")
            if problem is not None:
                return _cdek_error(400, "UPDATE", [problem], now)
            payload = {"status": str(code), "add_status": str(reason)}
            return self._accept(intake, "UPDATE", now, payload=payload, status=200)

    def _ep_intake_days(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        errors: list[dict[str, str]] = []
        start = _check_date_field(body, "date", False, errors)
        try:
            locations.resolve_location(body.get("from_location"), "from_location")
        except InputError as exc:
            errors = exc.errors + errors
        if errors:
            raise _ApiError(400, errors, "CREATE")
        if start is None:  # a courier cannot be booked for today on the sandbox clock
            start = self.state.now().date() + timedelta(days=1)
        days: list[str] = []
        day = start
        while len(days) < _INTAKE_DAYS:
            if day.weekday() < 5:  # Monday..Friday
                days.append(day.isoformat())
            day += timedelta(days=1)
        return _json_response({"date": days})

    # --- CDEK endpoints: document photos ------------------------------------------------

    def _ep_create_photos(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        errors: list[dict[str, str]] = []
        begin = _check_date_field(body, "period_begin", False, errors)
        end = _check_date_field(body, "period_end", False, errors)
        refs: list[dict[str, str]] | None = None
        if not _is_empty(body.get("orders")) or (begin is None and end is None and not errors):
            refs, ref_errors = _order_refs(body.get("orders"), None)
            errors += ref_errors
        if errors:
            raise _ApiError(400, errors, "CREATE")
        with self.state.lock:
            now = self._settled_now()
            if refs is None:
                candidates = [o for o in self.state.orders.values() if o.owner == client]
            else:
                named = (
                    self.state._find_order(client, r.get("order_uuid"), r.get("cdek_number"))
                    for r in refs
                )
                candidates = [o for o in named if o is not None]
            chosen: list[_Order] = []
            for order in candidates:
                if not _has_check(order) or order in chosen:
                    continue
                created = _created_at(order).date()
                if (begin is None or created >= begin) and (end is None or created <= end):
                    chosen.append(order)
            archive = _PhotoArchive(
                uuid=self.state._new_uuid(),
                owner=client,
                orders=[{"order_uuid": o.uuid, "cdek_number": str(o.cdek_number)} for o in chosen],
            )
            self.state.photo_archives[archive.uuid] = archive
            api_request = self.state._done_request("CREATE", now)
        link = f"{self._root_url(request)}/v2/photoDocument/{archive.uuid}"
        entity = {"uuid": archive.uuid, "orders": [{**ref, "link": link} for ref in archive.orders]}
        return _json_response(_envelope(entity, [api_request]))

    def _ep_get_photos(self, request: Request, client: str, archive_uuid: str) -> Response:
        with self.state.lock:  # this operation documents 404 and 403 (and no 400)
            found = self.state.photo_archives.get(archive_uuid.lower())
            archive = _owned(found, archive_uuid, client, "GET", statuses=(404, 403))
            orders = copy.deepcopy(archive.orders)
        return Response(
            _photo_zip(orders),
            status=200,
            content_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{archive.uuid}.zip"'},
        )

    # --- CDEK endpoints: webhooks -----------------------------------------------------------

    def _lookup_webhook(self, hook_uuid: str, client: str, request_type: str) -> _Webhook:
        """A webhook subscription of ``client`` (lock held), or raise."""
        _require_uuid(hook_uuid, "uuid", request_type)
        return _owned(self.state.webhooks.get(hook_uuid.lower()), hook_uuid, client, request_type)

    def _ep_create_webhook(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        url, hook_type = body.get("url"), body.get("type")
        errors: list[dict[str, str]] = []
        _check_text(url, "url", errors, _is_http_url)
        _check_text(hook_type, "type", errors)
        if isinstance(hook_type, str) and hook_type and hook_type not in WEBHOOK_TYPES:
            errors.append(_error("v2_webhook_type_incorrect", f"Incorrect type [{hook_type}]"))
        if errors:
            raise _ApiError(400, errors, "CREATE")
        with self.state.lock:
            now = self.state.now()
            mine = [h for h in self.state.webhooks.values() if h.owner == client]
            if len(mine) >= _WEBHOOK_LIMIT:  # of any types: two of one type are allowed
                message = f"Too many webhooks: an account may have at most {_WEBHOOK_LIMIT}"
                return _cdek_error(400, "CREATE", [_error("v2_too_many_webhooks", message)], now)
            hook = _Webhook(self.state._new_uuid(), client, str(url), str(hook_type))
            self.state.webhooks[hook.uuid] = hook
            api_request = self.state._done_request("CREATE", now)
            hook.requests.append(api_request)
            answer = _envelope({"uuid": hook.uuid}, [api_request])
        return _json_response(answer)

    def _ep_list_webhooks(self, request: Request, client: str) -> Response:
        with self.state.lock:
            hooks = [h.to_json() for h in self.state.webhooks.values() if h.owner == client]
        return _json_response(hooks)

    def _ep_get_webhook(self, request: Request, client: str, hook_uuid: str) -> Response:
        with self.state.lock:
            hook = self._lookup_webhook(hook_uuid, client, "GET")
            answer = _envelope(hook.to_json(), hook.requests)
        return _json_response(answer)

    def _ep_delete_webhook(self, request: Request, client: str, hook_uuid: str) -> Response:
        with self.state.lock:
            now = self.state.now()
            hook = self._lookup_webhook(hook_uuid, client, "DELETE")
            del self.state.webhooks[hook.uuid]
            api_request = self.state._done_request("DELETE", now)
            answer = _envelope({"uuid": hook.uuid}, [api_request])
        return _json_response(answer)

    def _ep_create_delivery(self, request: Request, client: str) -> Response:
        body = self._json_body(request, "CREATE")
        errors: list[dict[str, str]] = []
        _check_date_field(body, "date", True, errors)
        start = _check_time_field(body, "time_from", False, errors)
        end = _check_time_field(body, "time_to", False, errors)
        _check_time_order(start, end, ("time_from", "time_to"), errors)
        if _is_empty(body.get("order_uuid")) and _is_empty(body.get("cdek_number")):
            errors.append(_field_empty("order_uuid or cdek_number"))
        if errors:
            raise _ApiError(400, errors, "CREATE")
        return self._new_linked_record(DELIVERY, body, client, required=True)

    def _ep_get_delivery(self, request: Request, client: str, record_uuid: str) -> Response:
        return self._get_record(request, client, DELIVERY, record_uuid)

    # --- control endpoints ------------------------------------------------------------

    def _ep_ctl_list_faults(self, request: Request) -> Response:
        with self.state.lock:
            return _json_response([fault.to_json() for fault in self.state.faults])

    def _ep_ctl_add_fault(self, request: Request) -> Response:
        try:
            spec = self._read_json(request)
        except ValueError:
            return _json_response({"error": "the body must be JSON"}, 400)
        if not isinstance(spec, dict):
            return _json_response({"error": "the body must be a JSON object"}, 400)
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            return _json_response(
                {"error": f"unknown fault kind {kind!r}", "kinds": sorted(FAULT_KINDS)}, 400
            )
        count = spec.get("count", 1)
        retry_after = spec.get("retry_after", 1)
        seconds = spec.get("seconds", 1.0)
        if not _is_int(count) or count < 1:
            return _json_response({"error": "count must be an integer >= 1"}, 400)
        if not _is_int(retry_after) or retry_after < 0:
            return _json_response({"error": "retry_after must be an integer >= 0"}, 400)
        if not _is_number(seconds) or seconds < 0:
            return _json_response({"error": "seconds must be a number >= 0"}, 400)
        pattern = spec.get("path")
        try:
            compiled = re.compile(pattern) if pattern is not None else None
        except (re.error, TypeError) as exc:
            return _json_response({"error": f"path is not a valid regex: {exc}"}, 400)
        fault = _Fault(kind, count, compiled, retry_after, float(seconds))
        self.state.add_fault(fault)
        return _json_response(fault.to_json(), 201)

    def _ep_ctl_clear_faults(self, request: Request) -> Response:
        with self.state.lock:
            cleared = len(self.state.faults)
            self.state.faults.clear()
        return _json_response({"cleared": cleared})

    def _ep_ctl_list_requests(self, request: Request) -> Response:
        return _json_response(self.state.snapshot_log())

    def _ep_ctl_clear_requests(self, request: Request) -> Response:
        with self.state.lock:
            cleared = len(self.state.request_log)
            self.state.request_log.clear()
        return _json_response({"cleared": cleared})

    def _ep_ctl_push_status(self, request: Request, order_uuid: str) -> Response:
        try:
            spec = self._read_json(request)
        except ValueError:
            return _json_response({"error": "the body must be JSON"}, 400)
        code = spec.get("code") if isinstance(spec, dict) else None
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
            return _json_response({"error": "code must be a status code like DELIVERED"}, 400)
        with self.state.lock:
            now = self._settled_now()
            order = self.state.orders.get(order_uuid.lower())
            if order is None:
                return _json_response({"error": f"no order {order_uuid}"}, 404)
            if order.create_state != SUCCESSFUL:
                return _json_response(
                    {"error": f"order {order_uuid} is not created (CREATE {order.create_state})"},
                    409,
                )
            reason = spec.get("reason_code")
            order.push_status(
                code,
                now,
                str(spec.get("city") or order.city("to_location")),
                str(reason) if reason is not None else None,
                spec.get("name") if isinstance(spec.get("name"), str) else None,
            )
            return _json_response(order.envelope())

    def _ep_ctl_advance(self, request: Request) -> Response:
        try:
            spec = self._read_json(request)
        except ValueError:
            return _json_response({"error": "the body must be JSON"}, 400)
        seconds = spec.get("seconds") if isinstance(spec, dict) else None
        if not _is_number(seconds) or seconds < 0:
            return _json_response({"error": "seconds must be a number >= 0"}, 400)
        now = self.state.advance_clock(float(seconds))
        return _json_response({"now": format_datetime(now)})

    def _ep_ctl_reset(self, request: Request) -> Response:
        self.state.reset()
        return _json_response({"reset": True})


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a fresh sandbox; each app has its own state, so tests never share orders."""
    return SandboxApp(config)
