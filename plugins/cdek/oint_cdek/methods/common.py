"""OPI region "Common methods": the token, reference lists, cash reports.

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import api_root, call, call_with_notice, query
from ..auth import Credentials, request_token
from ..paging import paged_list
from ..params import ALL_PAGES, CLEAR, COMMON, LAYOUT, RECEIVING_DATE, TEST_API, with_auth

if TYPE_CHECKING:
    from oint_core import CallContext


def get_token(ctx: CallContext, account: str, password: str) -> Any:
    """Exchange the account and secure password for a bearer token (OAuth client credentials)."""
    return request_token(ctx, api_root(ctx), Credentials(account, password))


GET_TOKEN = Method(
    name="GetToken",
    summary="Gets a token based on account ID and password",
    group=COMMON,
    effect="credential",
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
)


def get_cashbox_checks_by_date(ctx: CallContext, receiving_date: dt.date) -> Any:
    return call(ctx, "GET", "/check", params=query({"date": receiving_date}))


GET_CASHBOX_CHECKS_BY_DATE = Method(
    name="GetCashboxChecksByDate",
    summary="Gets the fiscal checks issued on a date",
    group=COMMON,
    effect="read",
    function=get_cashbox_checks_by_date,
    params=with_auth(RECEIVING_DATE),
    docs_url="https://api-docs.cdek.ru/36990336.html",
    returns="check_info: the checks of that date ({} when there are none)",
)


def get_delivery_cash_registry(ctx: CallContext, receiving_date: dt.date) -> Any:
    return call(ctx, "GET", "/registries", params=query({"date": receiving_date}))


GET_DELIVERY_CASH_REGISTRY = Method(
    name="GetDeliveryCashRegistry",
    summary="Gets the cash-on-delivery registries of a date",
    group=COMMON,
    effect="read",
    function=get_delivery_cash_registry,
    params=with_auth(RECEIVING_DATE),
    docs_url="https://api-docs.cdek.ru/36990390.html",
    returns="registries: the cash-on-delivery registries of that date ({} when there are none)",
)

# CDEK switched GET /v2/payment off on 2026-02-19; the method stays for OPI scripts.
RETIRED_PAYMENT = "CDEK switched GET /v2/payment off on 2026-02-19"


def get_delivery_cash_transfers(ctx: CallContext, receiving_date: dt.date) -> Any:
    notice = f"retired: {RETIRED_PAYMENT}; GetDeliveryCashRegistry has the transfers"
    return call_with_notice(ctx, notice, "GET", "/payment", params=query({"date": receiving_date}))


GET_DELIVERY_CASH_TRANSFERS = Method(
    name="GetDeliveryCashTransfers",
    summary="Gets the cash-on-delivery transfers of a date (retired by CDEK on 2026-02-19)",
    group=COMMON,
    effect="read",
    function=get_delivery_cash_transfers,
    params=with_auth(RECEIVING_DATE),
    docs_url="https://api-docs.cdek.ru/36990402.html",
    returns="orders: the orders whose cash on delivery was transferred that date"
    " ({} when there are none)."
    f" Retired: {RETIRED_PAYMENT}; use GetDeliveryCashRegistry",
)


def get_office_list(ctx: CallContext, filter: dict[str, Any] | None, all: bool) -> Any:
    return paged_list(ctx, "/deliverypoints", filter or {}, all)


GET_OFFICE_LIST = Method(
    name="GetOfficeList",
    summary="Gets the list of CDEK offices (pickup points and parcel lockers)",
    group=COMMON,
    effect="read",
    function=get_office_list,
    params=with_auth(
        Param(
            "Filter",
            "--filter",
            Kind.OBJECT,
            "Office filter. See GetOfficeFilterDescription",
            example="{'city_code': 270, 'type': 'PVZ'}",
        ),
        ALL_PAGES,
    ),
    docs_url="https://api-docs.cdek.ru/36982648.html",
    returns="A JSON array of offices",
)


def get_regions_list(
    ctx: CallContext,
    countries: list[str] | None,
    page: int,
    lang: str,
    size: int | None,
    all: bool,
) -> Any:
    values = {"country_codes": countries, "page": page, "size": size, "lang": lang}
    return paged_list(ctx, "/location/regions", values, all)


GET_REGIONS_LIST = Method(
    name="GetRegionsList",
    summary="Gets the list of regions",
    group=COMMON,
    effect="read",
    function=get_regions_list,
    params=with_auth(
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
    ),
    docs_url="https://api-docs.cdek.ru/33829418.html",
    returns="A JSON array of regions",
)


def get_office_filter_description(ctx: CallContext, clear: bool) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    return templates.layout(templates.OFFICE_FILTER, empty=clear)


GET_OFFICE_FILTER_DESCRIPTION = Method(
    name="GetOfficeFilterDescription",
    summary="Gets the layout of the office filter for GetOfficeList",
    group=COMMON,
    effect="local",
    function=get_office_filter_description,
    params=(CLEAR,),
    docs_url="https://api-docs.cdek.ru/36982648.html",
    returns=f"The filter's fields, with descriptions (or empty) as values; {LAYOUT}",
)

METHODS = (
    GET_TOKEN,
    GET_CASHBOX_CHECKS_BY_DATE,
    GET_DELIVERY_CASH_REGISTRY,
    GET_DELIVERY_CASH_TRANSFERS,
    GET_OFFICE_LIST,
    GET_REGIONS_LIST,
    GET_OFFICE_FILTER_DESCRIPTION,
)
