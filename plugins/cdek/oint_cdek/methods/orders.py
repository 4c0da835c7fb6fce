"""OPI region "Orders management": orders, refusals, returns, print forms, prealerts.

Each method is its function and, right below it, its record; ``METHODS`` lists them. A
function takes only its own parameters: ``token`` and ``test_api`` reach ``api.call``
through the call's context (see ``params.with_auth``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from .. import forms, waiting
from ..api import call, cdek_datetime, cdek_number, order_ref, orders_list
from ..params import (
    BARCODE_OPTIONS,
    CDEK_NUMBER,
    CLEAR,
    ENVELOPE,
    FORM_UUID,
    GET_FILE,
    LAYOUT,
    ORDER_UUID,
    ORDER_UUID_OR_NUMBER,
    ORDERS,
    RECEIPT_OPTIONS,
    REQUIRED_ONLY,
    UUID_ARRAY,
    with_auth,
)

if TYPE_CHECKING:
    from oint_core import CallContext

FORM_OR_PDF = "The form (entity with statuses and, when READY, url); with --getfile the PDF bytes"
ORDER = "The order (entity) with its statuses and requests"
ONLINE_STORE = Param(
    "OnlineStore", "--ostore", Kind.BOOLEAN, "Flag of Online store order type", default=False
)


def create_order(ctx: CallContext, order_description: dict[str, Any], online_store: bool) -> Any:
    """Register an order; CDEK validates it statically and finishes it asynchronously."""
    body = {**order_description, "type": 1 if online_store else 2}
    return call(ctx, "POST", "/orders", json_body=body)


CREATE_ORDER = Method(
    name="CreateOrder",
    summary="Creates an order based on field descriptions",
    group=ORDERS,
    effect="write",
    function=create_order,
    params=with_auth(
        Param(
            "OrderDescription",
            "--order",
            Kind.OBJECT,
            "Set of order fields. See GetOrderDescription",
            required=True,
        ),
        ONLINE_STORE,
    ),
    docs_url="https://api-docs.cdek.ru/33828802.html",
    returns=ENVELOPE + "; entity.uuid is the new order's UUID",
    waits=waiting.ORDER_CREATE,
)


def update_order(ctx: CallContext, uuid: str, order_description: dict[str, Any]) -> Any:
    return call(ctx, "PATCH", "/orders", json_body={**order_description, "uuid": uuid})


UPDATE_ORDER = Method(
    name="UpdateOrder",
    summary="Changes the field values of the selected order",
    group=ORDERS,
    effect="write",
    function=update_order,
    params=with_auth(
        Param("UUID", "--uuid", Kind.UUID, "Order UUID for updating", required=True),
        Param(
            "OrderDescription",
            "--order",
            Kind.OBJECT,
            "Set of changing order fields",
            required=True,
        ),
    ),
    docs_url="https://api-docs.cdek.ru/36989543.html",
    returns=ENVELOPE,
    waits=waiting.ORDER_UPDATE,
)


def delete_order(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "DELETE", f"/orders/{uuid}")


DELETE_ORDER = Method(
    name="DeleteOrder",
    summary="Deletes order by UUID",
    group=ORDERS,
    effect="delete",
    function=delete_order,
    params=with_auth(Param("UUID", "--uuid", Kind.UUID, "Order UUID for deletion", required=True)),
    docs_url="https://api-docs.cdek.ru/33828855.html",
    returns=ENVELOPE,
    waits=waiting.ORDER_DELETE,
)


def get_order(ctx: CallContext, uuid: str) -> Any:
    """The order with its statuses and the state of every request made on it."""
    return call(ctx, "GET", f"/orders/{uuid}")


GET_ORDER = Method(
    name="GetOrder",
    summary="Gets the order by UUID",
    group=ORDERS,
    effect="read",
    function=get_order,
    params=with_auth(ORDER_UUID),
    docs_url="https://api-docs.cdek.ru/33828849.html",
    returns=ORDER,
)


def get_order_by_number(ctx: CallContext, order_number: str, internal: bool) -> Any:
    if internal:
        params = {"im_number": order_number}
    else:
        params = {"cdek_number": cdek_number(ctx, order_number, "--number", "order_number")}
    return call(ctx, "GET", "/orders", params=params)


GET_ORDER_BY_NUMBER = Method(
    name="GetOrderByNumber",
    summary="Gets the order by CDEK number or by the number in the shop's system",
    group=ORDERS,
    effect="read",
    function=get_order_by_number,
    params=with_auth(
        Param("OrderNumber", "--number", Kind.STRING, "Order number", required=True),
        Param(
            "Internal",
            "--internal",
            Kind.BOOLEAN,
            "Type of number: true > the shop's number (im_number), false > CDEK number",
            default=False,
        ),
    ),
    docs_url="https://api-docs.cdek.ru/33828849.html",
    returns=ORDER,
)


def create_customer_refund(ctx: CallContext, uuid: str, tariff: int) -> Any:
    return call(ctx, "POST", f"/orders/{uuid}/clientReturn", json_body={"tariff_code": tariff})


CREATE_CUSTOMER_REFUND = Method(
    name="CreateCustomerRefund",
    summary="Processes customer returns for online store orders",
    group=ORDERS,
    effect="write",
    function=create_customer_refund,
    params=with_auth(
        ORDER_UUID,
        Param(
            "Tariff",
            "--tariff",
            Kind.INTEGER,
            "Tariff code (from those available under the contract)",
            required=True,
        ),
    ),
    docs_url="https://api-docs.cdek.ru/55327686.html",
    returns=ENVELOPE,
    waits=waiting.CLIENT_RETURN,
)


def create_refusal(ctx: CallContext, uuid: str) -> Any:
    """Register the recipient's refusal: CDEK returns the order to the shop (status 11)."""
    return call(ctx, "POST", f"/orders/{uuid}/refusal")


CREATE_REFUSAL = Method(
    name="CreateRefusal",
    summary="Creates an order refusal to return to the online store",
    group=ORDERS,
    effect="destructive",
    function=create_refusal,
    params=with_auth(ORDER_UUID),
    docs_url="https://api-docs.cdek.ru/55327658.html",
    returns=ENVELOPE,
    waits=waiting.REFUSAL,
)


def create_receipt(
    ctx: CallContext, uuid_array: list[str], type: str, copies_per_sheet: int
) -> Any:
    body = forms.receipt_request(uuid_array, type, copies_per_sheet)
    return forms.create_form(ctx, forms.RECEIPTS, body)


CREATE_RECEIPT = Method(
    name="CreateReceipt",
    summary="Generates pdf receipts for orders",
    group=ORDERS,
    effect="write",
    function=create_receipt,
    params=with_auth(UUID_ARRAY, *RECEIPT_OPTIONS),
    docs_url="https://api-docs.cdek.ru/36969649.html",
    returns=ENVELOPE + "; entity.uuid is the receipt's UUID for GetReceipt",
    waits=waiting.RECEIPT,
)


def get_receipt(ctx: CallContext, uuid: str, get_file: bool) -> Any:
    return forms.read_form(ctx, forms.RECEIPTS, uuid, get_file)


GET_RECEIPT = Method(
    name="GetReceipt",
    summary="Gets a receipt for the order",
    group=ORDERS,
    effect="read",
    function=get_receipt,
    params=with_auth(FORM_UUID, GET_FILE),
    docs_url="https://api-docs.cdek.ru/36969694.html",
    returns=FORM_OR_PDF,
    binary_switch="get_file",
)


def create_barcode(
    ctx: CallContext, uuid_array: list[str], copies: int, format: str, lang: str
) -> Any:
    body = forms.barcode_request(uuid_array, copies, format, lang)
    return forms.create_form(ctx, forms.BARCODES, body)


CREATE_BARCODE = Method(
    name="CreateBarcode",
    summary="Generates a PDF barcode CP for orders",
    group=ORDERS,
    effect="write",
    function=create_barcode,
    params=with_auth(UUID_ARRAY, *BARCODE_OPTIONS),
    docs_url="https://api-docs.cdek.ru/36969713.html",
    returns=ENVELOPE + "; entity.uuid is the barcode's UUID for GetBarcode",
    waits=waiting.BARCODE,
)


def get_barcode(ctx: CallContext, uuid: str, get_file: bool) -> Any:
    return forms.read_form(ctx, forms.BARCODES, uuid, get_file)


GET_BARCODE = Method(
    name="GetBarcode",
    summary="Gets the barcode CP for the order",
    group=ORDERS,
    effect="read",
    function=get_barcode,
    params=with_auth(FORM_UUID, GET_FILE),
    docs_url="https://api-docs.cdek.ru/36969722.html",
    returns=FORM_OR_PDF,
    binary_switch="get_file",
)


def create_prealert(
    ctx: CallContext, uuid_array: list[str], transfer_date: dt.datetime, point: str
) -> Any:
    body = {
        "orders": orders_list(uuid_array),
        "planned_date": cdek_datetime(transfer_date),
        "shipment_point": point,
    }
    return call(ctx, "POST", "/prealert", json_body=body)


CREATE_PREALERT = Method(
    name="CreatePrealert",
    summary="Creates a prealert for the order list",
    group=ORDERS,
    effect="write",
    function=create_prealert,
    params=with_auth(
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
    ),
    docs_url="https://api-docs.cdek.ru/78935159.html",
    returns=ENVELOPE,
    waits=waiting.PREALERT,
)


def get_prealert(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "GET", f"/prealert/{uuid}")


GET_PREALERT = Method(
    name="GetPrealert",
    summary="Gets a previously created prealert",
    group=ORDERS,
    effect="read",
    function=get_prealert,
    params=with_auth(Param("UUID", "--uuid", Kind.UUID, "Prealert UUID", required=True)),
    docs_url="https://api-docs.cdek.ru/78935281.html",
    returns="The prealert (entity) with its orders and requests",
)


def get_passport_data_status(ctx: CallContext, uuid: str | None, cdek_number: str | None) -> Any:
    return call(ctx, "GET", "/passport", params=order_ref(ctx, uuid, cdek_number))


GET_PASSPORT_DATA_STATUS = Method(
    name="GetPassportDataStatus",
    summary="Gets the status of passport data for an international order",
    group=ORDERS,
    effect="read",
    function=get_passport_data_status,
    params=with_auth(ORDER_UUID_OR_NUMBER, CDEK_NUMBER),
    docs_url="https://api-docs.cdek.ru/36990118.html",
    returns="orders[].passport: per client (SENDER, RECEIVER), whether its passport data"
    " satisfy the order's requirements",
)


def get_cashbox_check(ctx: CallContext, uuid: str | None, cdek_number: str | None) -> Any:
    return call(ctx, "GET", "/check", params=order_ref(ctx, uuid, cdek_number))


GET_CASHBOX_CHECK = Method(
    name="GetCashboxCheck",
    summary="Gets the fiscal check of an order",
    group=ORDERS,
    effect="read",
    function=get_cashbox_check,
    params=with_auth(ORDER_UUID_OR_NUMBER, CDEK_NUMBER),
    docs_url="https://api-docs.cdek.ru/36990336.html",
    returns="check_info: the order's fiscal checks ({} when there are none)",
)


def get_order_description(
    ctx: CallContext, clear: bool, required_only: bool, online_store: bool
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts = [templates.ORDER_REQUIRED]
    if not required_only:
        parts.append(templates.ORDER_FULL)
        if online_store:
            parts.append(templates.ORDER_ONLINE_STORE)
    return templates.layout(*parts, empty=clear)


GET_ORDER_DESCRIPTION = Method(
    name="GetOrderDescription",
    summary="Gets the layout of order for the CreateOrder function",
    group=ORDERS,
    effect="local",
    function=get_order_description,
    params=(
        CLEAR,
        REQUIRED_ONLY,
        ONLINE_STORE.replace(description="Include the fields for online store orders only"),
    ),
    docs_url="https://api-docs.cdek.ru/33828802.html",
    returns=f"The order's fields, with descriptions (or empty) as values; {LAYOUT}",
)


def check_reverse_availability(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/reverse/availability", json_body=shipment)


CHECK_REVERSE_AVAILABILITY = Method(
    name="CheckReverseAvailability",
    summary="Checks whether a reverse shipment can be made",
    group=ORDERS,
    effect="read",
    function=check_reverse_availability,
    params=with_auth(
        Param(
            "Shipment",
            "--shipment",
            Kind.OBJECT,
            "The reverse shipment: tariff_code, from_location, to_location, …",
            required=True,
        )
    ),
    docs_url="https://api-docs.cdek.ru/187566593.html",
    returns="CDEK's answer: errors and warnings if a reverse shipment is not possible",
)

METHODS = (
    CREATE_ORDER,
    UPDATE_ORDER,
    DELETE_ORDER,
    GET_ORDER,
    GET_ORDER_BY_NUMBER,
    CREATE_CUSTOMER_REFUND,
    CREATE_REFUSAL,
    CREATE_RECEIPT,
    GET_RECEIPT,
    CREATE_BARCODE,
    GET_BARCODE,
    CREATE_PREALERT,
    GET_PREALERT,
    GET_PASSPORT_DATA_STATUS,
    GET_CASHBOX_CHECK,
    GET_ORDER_DESCRIPTION,
    CHECK_REVERSE_AVAILABILITY,
)
