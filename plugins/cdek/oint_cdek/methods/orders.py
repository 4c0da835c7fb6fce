"""OPI region "Orders management": orders, refusals, returns, print forms, prealerts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import ApiError, Kind, Method, Param

from ..api import api_root, call, cdek_datetime, cdek_number, order_ref, orders_list
from ..params import (
    CDEK_NUMBER,
    CLEAR,
    ORDER_UUID,
    ORDER_UUID_OR_NUMBER,
    ORDERS,
    REQUIRED_ONLY,
    TEST_API,
    TOKEN,
    UUID_ARRAY,
)

if TYPE_CHECKING:
    from oint_core import CallContext

RECEIPT_TYPES = (
    "tpl_china",
    "tpl_armenia",
    "tpl_russia",
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
)


def create_order(
    ctx: CallContext,
    token: str | None,
    order_description: dict[str, Any],
    online_store: bool = False,
    test_api: bool = False,
) -> Any:
    """Register an order; CDEK validates it statically and finishes it asynchronously."""
    body = {**order_description, "type": 1 if online_store else 2}
    return call(ctx, "POST", "/orders", token=token, test_api=test_api, json_body=body)


def update_order(
    ctx: CallContext,
    token: str | None,
    uuid: str,
    order_description: dict[str, Any],
    test_api: bool = False,
) -> Any:
    body = {**order_description, "uuid": uuid}
    return call(ctx, "PATCH", "/orders", token=token, test_api=test_api, json_body=body)


def delete_order(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    return call(ctx, "DELETE", f"/orders/{uuid}", token=token, test_api=test_api)


def get_order(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    """The order with its statuses and the state of every request made on it."""
    return call(ctx, "GET", f"/orders/{uuid}", token=token, test_api=test_api)


def get_order_by_number(
    ctx: CallContext,
    token: str | None,
    order_number: str,
    internal: bool = False,
    test_api: bool = False,
) -> Any:
    if internal:
        params = {"im_number": order_number}
    else:
        params = {"cdek_number": cdek_number(ctx, order_number, "--number", "order_number")}
    return call(ctx, "GET", "/orders", token=token, test_api=test_api, params=params)


def create_customer_refund(
    ctx: CallContext, token: str | None, uuid: str, tariff: int, test_api: bool = False
) -> Any:
    body = {"tariff_code": tariff}
    return call(
        ctx, "POST", f"/orders/{uuid}/clientReturn", token=token, test_api=test_api, json_body=body
    )


def create_refusal(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    """Register the recipient's refusal: CDEK returns the order to the shop (status 11)."""
    return call(ctx, "POST", f"/orders/{uuid}/refusal", token=token, test_api=test_api)


def create_receipt(
    ctx: CallContext,
    token: str | None,
    uuid_array: list[str],
    type: str = "tpl_russia",
    copies_per_sheet: int = 2,
    test_api: bool = False,
) -> Any:
    body = {"orders": orders_list(uuid_array), "copy_count": copies_per_sheet, "type": type}
    return call(ctx, "POST", "/print/orders", token=token, test_api=test_api, json_body=body)


def get_receipt(
    ctx: CallContext, token: str | None, uuid: str, get_file: bool = False, test_api: bool = False
) -> Any:
    return _print_form(ctx, "orders", token, uuid, get_file, test_api)


def create_barcode(
    ctx: CallContext,
    token: str | None,
    uuid_array: list[str],
    copies: int = 1,
    format: str = "A4",
    lang: str = "RUS",
    test_api: bool = False,
) -> Any:
    body = {
        "orders": orders_list(uuid_array),
        "copy_count": copies,
        "format": format,
        "lang": lang,
    }
    return call(ctx, "POST", "/print/barcodes", token=token, test_api=test_api, json_body=body)


def get_barcode(
    ctx: CallContext, token: str | None, uuid: str, get_file: bool = False, test_api: bool = False
) -> Any:
    return _print_form(ctx, "barcodes", token, uuid, get_file, test_api)


def _print_form(
    ctx: CallContext, kind: str, token: str | None, uuid: str, get_file: bool, test_api: bool
) -> Any:
    """A print form's state; with ``get_file``, the PDF its ``url`` points to."""
    form = call(ctx, "GET", f"/print/{kind}/{uuid}", token=token, test_api=test_api)
    if not get_file:
        return form
    url = form_url(form)
    if not url:
        raise ApiError(
            f"print form {uuid} has no file yet (status {form_status(form)});"
            " try again when it is READY",
            status=200,
            body=form,
        )
    return download_form(ctx, url, token, test_api)


def download_form(ctx: CallContext, url: str, token: str | None, test_api: bool) -> bytes:
    """GET a form's file. The bearer goes only to CDEK's own host (and scheme), never to
    another host named in an answer; a link that is not an absolute http(s) URL is refused."""
    from urllib.parse import urlsplit

    root = urlsplit(api_root(ctx, test_api))
    try:
        link = urlsplit(url)
    except ValueError:  # "http://[::1" and the like
        link = urlsplit("")
    if link.scheme not in ("http", "https") or not link.hostname:
        shown = repr(url) if len(url) <= 60 else repr(url[:57]) + "..."
        raise ApiError(
            f"the print form's file link {shown} is not an http(s) URL; nothing more was sent",
            status=ctx.http.last_status or 200,
            body=None,
        )
    data: bytes
    if (link.scheme, link.netloc) == (root.scheme, root.netloc):
        data = call(ctx, "GET", url, token=token, test_api=test_api, binary=True)
    else:
        data = ctx.http.request("GET", url, binary=True)
    return data


def form_url(form: Any) -> str | None:
    """Where a READY print form's file is (CDEK adds ``entity.url`` when it is READY)."""
    entity = form.get("entity") if isinstance(form, dict) else None
    url = entity.get("url") if isinstance(entity, dict) else None
    return str(url) if url else None


def form_status(form: Any) -> str:
    """The latest status code of a print form: the one with the latest ``date_time``, the
    last listed among equals (CDEK lists a print form's statuses oldest first)."""
    entity = form.get("entity") if isinstance(form, dict) else None
    statuses = entity.get("statuses") if isinstance(entity, dict) else None
    known = [s for s in statuses or [] if isinstance(s, dict)]
    if not known:
        return "unknown"
    latest = max(enumerate(known), key=lambda item: (str(item[1].get("date_time", "")), item[0]))
    return str(latest[1].get("code", "unknown"))


def create_prealert(
    ctx: CallContext,
    token: str | None,
    uuid_array: list[str],
    transfer_date: dt.datetime,
    point: str,
    test_api: bool = False,
) -> Any:
    body = {
        "orders": orders_list(uuid_array),
        "planned_date": cdek_datetime(transfer_date),
        "shipment_point": point,
    }
    return call(ctx, "POST", "/prealert", token=token, test_api=test_api, json_body=body)


def get_prealert(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    return call(ctx, "GET", f"/prealert/{uuid}", token=token, test_api=test_api)


def get_passport_data_status(
    ctx: CallContext,
    token: str | None,
    uuid: str | None = None,
    cdek_number: str | None = None,
    test_api: bool = False,
) -> Any:
    params = order_ref(ctx, uuid, cdek_number)
    return call(ctx, "GET", "/passport", token=token, test_api=test_api, params=params)


def get_cashbox_check(
    ctx: CallContext,
    token: str | None,
    uuid: str | None = None,
    cdek_number: str | None = None,
    test_api: bool = False,
) -> Any:
    params = order_ref(ctx, uuid, cdek_number)
    return call(ctx, "GET", "/check", token=token, test_api=test_api, params=params)


def check_reverse_availability(
    ctx: CallContext, token: str | None, shipment: dict[str, Any], test_api: bool = False
) -> Any:
    return call(
        ctx, "POST", "/reverse/availability", token=token, test_api=test_api, json_body=shipment
    )


def get_order_description(
    ctx: CallContext, clear: bool = False, required_only: bool = False, online_store: bool = False
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts = [templates.ORDER_REQUIRED]
    if not required_only:
        parts.append(templates.ORDER_FULL)
        if online_store:
            parts.append(templates.ORDER_ONLINE_STORE)
    return templates.layout(*parts, empty=clear)


# The options of a waybill and of barcode labels, shared with PrintReceipt and PrintBarcode.
RECEIPT_OPTIONS = (
    Param(
        "Type",
        "--type",
        Kind.CHOICE,
        "Receipt type (language)",
        default="tpl_russia",
        choices=RECEIPT_TYPES,
    ),
    Param(
        "CopiesPerSheet",
        "--count",
        Kind.INTEGER,
        "Number of copies of one receipt per sheet",
        default=2,
    ),
)
BARCODE_OPTIONS = (
    Param("Copies", "--count", Kind.INTEGER, "Number of copies", default=1),
    Param(
        "Format",
        "--format",
        Kind.CHOICE,
        "Print format",
        default="A4",
        choices=("A4", "A5", "A6", "A7"),
    ),
    Param("Lang", "--lang", Kind.CHOICE, "Barcode language", default="RUS", choices=("RUS", "ENG")),
)
ORDER_DESCRIPTION = Param(
    "OrderDescription",
    "--order",
    Kind.OBJECT,
    "Set of order fields. See GetOrderDescription",
    required=True,
)
ONLINE_STORE = Param(
    "OnlineStore", "--ostore", Kind.BOOLEAN, "Flag of Online store order type", default=False
)
FORM_UUID = Param("UUID", "--uuid", Kind.UUID, "UUID of the print form", required=True)
GET_FILE = Param(
    "GetFile",
    "--getfile",
    Kind.BOOLEAN,
    "True > the PDF file is downloaded, False > CDEK's answer about the form",
    default=False,
)
ENVELOPE = "CDEK's answer: the request envelope (entity.uuid, requests[].state)"
FORM_OR_PDF = "The form (entity with statuses and, when READY, url); with --getfile the PDF bytes"

METHODS = (
    Method(
        name="CreateOrder",
        summary="Creates an order based on field descriptions",
        group=ORDERS,
        function=create_order,
        params=(TOKEN, ORDER_DESCRIPTION, ONLINE_STORE, TEST_API),
        docs_url="https://api-docs.cdek.ru/33828802.html",
        returns=ENVELOPE + "; entity.uuid is the new order's UUID",
    ),
    Method(
        name="UpdateOrder",
        summary="Changes the field values of the selected order",
        group=ORDERS,
        function=update_order,
        params=(
            TOKEN,
            Param("UUID", "--uuid", Kind.UUID, "Order UUID for updating", required=True),
            Param(
                "OrderDescription",
                "--order",
                Kind.OBJECT,
                "Set of changing order fields",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36989543.html",
        returns=ENVELOPE,
    ),
    Method(
        name="DeleteOrder",
        summary="Deletes order by UUID",
        group=ORDERS,
        function=delete_order,
        params=(
            TOKEN,
            Param("UUID", "--uuid", Kind.UUID, "Order UUID for deletion", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828855.html",
        returns=ENVELOPE,
    ),
    Method(
        name="GetOrder",
        summary="Gets the order by UUID",
        group=ORDERS,
        function=get_order,
        params=(TOKEN, ORDER_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/33828849.html",
        returns="The order (entity) with its statuses and requests",
    ),
    Method(
        name="GetOrderByNumber",
        summary="Gets the order by CDEK number or by the number in the shop's system",
        group=ORDERS,
        function=get_order_by_number,
        params=(
            TOKEN,
            Param("OrderNumber", "--number", Kind.STRING, "Order number", required=True),
            Param(
                "Internal",
                "--internal",
                Kind.BOOLEAN,
                "Type of number: true > the shop's number (im_number), false > CDEK number",
                default=False,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828849.html",
        returns="The order (entity) with its statuses and requests",
    ),
    Method(
        name="CreateCustomerRefund",
        summary="Processes customer returns for online store orders",
        group=ORDERS,
        function=create_customer_refund,
        params=(
            TOKEN,
            ORDER_UUID,
            Param(
                "Tariff",
                "--tariff",
                Kind.INTEGER,
                "Tariff code (from those available under the contract)",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/55327686.html",
        returns=ENVELOPE,
    ),
    Method(
        name="CreateRefusal",
        summary="Creates an order refusal to return to the online store",
        group=ORDERS,
        function=create_refusal,
        params=(TOKEN, ORDER_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/55327658.html",
        returns=ENVELOPE,
    ),
    Method(
        name="CreateReceipt",
        summary="Generates pdf receipts for orders",
        group=ORDERS,
        function=create_receipt,
        params=(
            TOKEN,
            UUID_ARRAY,
            *RECEIPT_OPTIONS,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36969649.html",
        returns=ENVELOPE + "; entity.uuid is the receipt's UUID for GetReceipt",
    ),
    Method(
        name="GetReceipt",
        summary="Gets a receipt for the order",
        group=ORDERS,
        function=get_receipt,
        params=(TOKEN, FORM_UUID, GET_FILE, TEST_API),
        docs_url="https://api-docs.cdek.ru/36969694.html",
        returns=FORM_OR_PDF,
        binary_switch="get_file",
    ),
    Method(
        name="CreateBarcode",
        summary="Generates a PDF barcode CP for orders",
        group=ORDERS,
        function=create_barcode,
        params=(
            TOKEN,
            UUID_ARRAY,
            *BARCODE_OPTIONS,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36969713.html",
        returns=ENVELOPE + "; entity.uuid is the barcode's UUID for GetBarcode",
    ),
    Method(
        name="GetBarcode",
        summary="Gets the barcode CP for the order",
        group=ORDERS,
        function=get_barcode,
        params=(TOKEN, FORM_UUID, GET_FILE, TEST_API),
        docs_url="https://api-docs.cdek.ru/36969722.html",
        returns=FORM_OR_PDF,
        binary_switch="get_file",
    ),
    Method(
        name="CreatePrealert",
        summary="Creates a prealert for the order list",
        group=ORDERS,
        function=create_prealert,
        params=(
            TOKEN,
            UUID_ARRAY,
            Param(
                "TransferDate",
                "--date",
                Kind.DATETIME,
                "Planned date of transfer of orders to CDEK",
                required=True,
            ),
            Param(
                "Point",
                "--point",
                Kind.STRING,
                "Code of the shipment point the orders will be handed to",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/78935159.html",
        returns=ENVELOPE,
    ),
    Method(
        name="GetPrealert",
        summary="Gets a previously created prealert",
        group=ORDERS,
        function=get_prealert,
        params=(
            TOKEN,
            Param("UUID", "--uuid", Kind.UUID, "Prealert UUID", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/78935281.html",
        returns="The prealert (entity) with its orders and requests",
    ),
    Method(
        name="GetPassportDataStatus",
        summary="Gets the status of passport data for an international order",
        group=ORDERS,
        function=get_passport_data_status,
        params=(TOKEN, ORDER_UUID_OR_NUMBER, CDEK_NUMBER, TEST_API),
        docs_url="https://api-docs.cdek.ru/36990118.html",
        returns="orders[].passport: per client (SENDER, RECEIVER), whether its passport data"
        " satisfy the order's requirements",
    ),
    Method(
        name="GetCashboxCheck",
        summary="Gets the fiscal check of an order",
        group=ORDERS,
        function=get_cashbox_check,
        params=(TOKEN, ORDER_UUID_OR_NUMBER, CDEK_NUMBER, TEST_API),
        docs_url="https://api-docs.cdek.ru/36990336.html",
        returns="check_info: the order's fiscal checks ({} when there are none)",
    ),
    Method(
        name="GetOrderDescription",
        summary="Gets the layout of order for the CreateOrder function",
        group=ORDERS,
        function=get_order_description,
        params=(
            CLEAR,
            REQUIRED_ONLY,
            Param(
                "OnlineStore",
                "--ostore",
                Kind.BOOLEAN,
                "Include the fields for online store orders only",
                default=False,
            ),
        ),
        docs_url="https://api-docs.cdek.ru/33828802.html",
        returns="The order's fields, with descriptions (or empty) as values; no request is made",
    ),
    Method(
        name="CheckReverseAvailability",
        summary="Checks whether a reverse shipment can be made",
        group=ORDERS,
        function=check_reverse_availability,
        params=(
            TOKEN,
            Param(
                "Shipment",
                "--shipment",
                Kind.OBJECT,
                "The reverse shipment: tariff_code, from_location, to_location, …",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/187566593.html",
        returns="CDEK's answer: errors and warnings if a reverse shipment is not possible",
    ),
)
