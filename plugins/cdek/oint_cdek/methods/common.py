"""OPI region "Common methods": the token, reference lists, cash reports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import api_root, call, call_with_notice, query
from ..auth import Credentials, request_token
from ..paging import PAGE_SIZE, walk_pages
from ..params import ALL_PAGES, CLEAR, COMMON, RECEIVING_DATE, TEST_API, TOKEN

if TYPE_CHECKING:
    from oint_core import CallContext


def get_token(ctx: CallContext, account: str, password: str, test_api: bool = False) -> Any:
    """Exchange the account and secure password for a bearer token (OAuth client credentials)."""
    return request_token(ctx, api_root(ctx, test_api), Credentials(account, password))


def get_cashbox_checks_by_date(
    ctx: CallContext, token: str | None, receiving_date: dt.date, test_api: bool = False
) -> Any:
    params = query({"date": receiving_date})
    return call(ctx, "GET", "/check", token=token, test_api=test_api, params=params)


def get_delivery_cash_registry(
    ctx: CallContext, token: str | None, receiving_date: dt.date, test_api: bool = False
) -> Any:
    params = query({"date": receiving_date})
    return call(ctx, "GET", "/registries", token=token, test_api=test_api, params=params)


# CDEK switched GET /v2/payment off on 2026-02-19; the method stays for OPI scripts.
RETIRED_PAYMENT = "CDEK switched GET /v2/payment off on 2026-02-19"


def get_delivery_cash_transfers(
    ctx: CallContext, token: str | None, receiving_date: dt.date, test_api: bool = False
) -> Any:
    params = query({"date": receiving_date})
    notice = f"retired: {RETIRED_PAYMENT}; GetDeliveryCashRegistry has the transfers"
    return call_with_notice(
        ctx, notice, "GET", "/payment", token=token, test_api=test_api, params=params
    )


def get_office_list(
    ctx: CallContext,
    token: str | None,
    filter: dict[str, Any] | None = None,
    all: bool = False,
    test_api: bool = False,
) -> Any:
    return filtered_list(ctx, "/deliverypoints", token, filter, all, test_api)


def filtered_list(
    ctx: CallContext,
    path: str,
    token: str | None,
    filter: dict[str, Any] | None,
    all: bool,
    test_api: bool,
) -> Any:
    """GET a list whose filter keys are query parameters; with ``all``, every page (the
    filter's ``page`` walks from 0; its ``size``, if any, is kept)."""

    def fetch(values: dict[str, Any]) -> Any:
        return call(ctx, "GET", path, token=token, test_api=test_api, params=query(values))

    values = filter or {}
    if not all:
        return fetch(values)
    size = values.get("size", PAGE_SIZE)
    return list(walk_pages(lambda page: fetch({**values, "page": page, "size": size})))


def get_regions_list(
    ctx: CallContext,
    token: str | None,
    countries: list[str] | None = None,
    page: int = 0,
    lang: str = "rus",
    size: int | None = None,
    all: bool = False,
    test_api: bool = False,
) -> Any:
    def fetch(page: int, size: int | None) -> Any:
        params = query({"country_codes": countries, "page": page, "size": size, "lang": lang})
        return call(ctx, "GET", "/location/regions", token=token, test_api=test_api, params=params)

    if all:  # paging needs an explicit size: without one CDEK may ignore ``page``
        return list(walk_pages(lambda n: fetch(n, size or PAGE_SIZE)))
    return fetch(page, size)


def get_office_filter_description(ctx: CallContext, clear: bool = False) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    return templates.layout(templates.OFFICE_FILTER, empty=clear)


METHODS = (
    Method(
        name="GetToken",
        summary="Gets a token based on account ID and password",
        group=COMMON,
        function=get_token,
        params=(
            Param(
                "Account",
                "--account",
                Kind.STRING,
                "Client identifier (Account)",
                required=True,
                env="OINT_CDEK_ACCOUNT",
            ),
            Param(
                "Password",
                "--pass",
                Kind.STRING,
                "Secret key (Secure password)",
                required=True,
                secret=True,
                env="OINT_CDEK_PASSWORD",
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828799.html",
        returns="access_token, token_type, expires_in (seconds), scope and jti",
    ),
    Method(
        name="GetCashboxChecksByDate",
        summary="Gets the fiscal checks issued on a date",
        group=COMMON,
        function=get_cashbox_checks_by_date,
        params=(TOKEN, RECEIVING_DATE, TEST_API),
        docs_url="https://api-docs.cdek.ru/36990336.html",
        returns="check_info: the checks of that date ({} when there are none)",
    ),
    Method(
        name="GetDeliveryCashRegistry",
        summary="Gets the cash-on-delivery registries of a date",
        group=COMMON,
        function=get_delivery_cash_registry,
        params=(TOKEN, RECEIVING_DATE, TEST_API),
        docs_url="https://api-docs.cdek.ru/36990390.html",
        returns="registries: the cash-on-delivery registries of that date ({} when there are none)",
    ),
    Method(
        name="GetDeliveryCashTransfers",
        summary="Gets the cash-on-delivery transfers of a date (retired by CDEK on 2026-02-19)",
        group=COMMON,
        function=get_delivery_cash_transfers,
        params=(TOKEN, RECEIVING_DATE, TEST_API),
        docs_url="https://api-docs.cdek.ru/36990402.html",
        returns="orders: the orders whose cash on delivery was transferred that date"
        " ({} when there are none)."
        f" Retired: {RETIRED_PAYMENT}; use GetDeliveryCashRegistry",
    ),
    Method(
        name="GetOfficeList",
        summary="Gets the list of CDEK offices (pickup points and parcel lockers)",
        group=COMMON,
        function=get_office_list,
        params=(
            TOKEN,
            Param(
                "Filter",
                "--filter",
                Kind.OBJECT,
                "Office filter. See GetOfficeFilterDescription",
                example="{'city_code': 270, 'type': 'PVZ'}",
            ),
            ALL_PAGES,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36982648.html",
        returns="A JSON array of offices",
    ),
    Method(
        name="GetRegionsList",
        summary="Gets the list of regions",
        group=COMMON,
        function=get_regions_list,
        params=(
            TOKEN,
            Param(
                "Countries",
                "--countries",
                Kind.LIST,
                "Country codes (ISO 3166-1 alpha-2): one, or a JSON array",
                example="['RU', 'KZ']",
            ),
            Param("Page", "--page", Kind.INTEGER, "Page number, from 0", default=0),
            Param(
                "Lang",
                "--lang",
                Kind.STRING,
                "Language of the answer: rus, eng, zho",
                default="rus",
            ),
            Param("Size", "--size", Kind.INTEGER, "Page size (CDEK's default when not given)"),
            ALL_PAGES,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33829418.html",
        returns="A JSON array of regions",
    ),
    Method(
        name="GetOfficeFilterDescription",
        summary="Gets the layout of the office filter for GetOfficeList",
        group=COMMON,
        function=get_office_filter_description,
        params=(CLEAR,),
        docs_url="https://api-docs.cdek.ru/36982648.html",
        returns="The filter's fields, with descriptions (or empty) as values; no request is made",
    ),
)
