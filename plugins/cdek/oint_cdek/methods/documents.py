"""Print forms and photos: print-and-download in one call, document photos (beyond OPI).

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from .. import forms
from ..api import call
from ..params import BARCODE_OPTIONS, DOCUMENTS, RECEIPT_OPTIONS, UUID_ARRAY, with_auth

if TYPE_CHECKING:
    from oint_core import CallContext

WAIT = Param("Wait", "--wait", Kind.NUMBER, "Seconds to wait for the form to be READY", default=60)
PDF = "The PDF file (bytes); the CLI writes it with --out FILE"


def print_receipt(
    ctx: CallContext, uuid_array: list[str], type: str, copies_per_sheet: int, wait: float
) -> bytes:
    body = forms.receipt_request(uuid_array, type, copies_per_sheet)
    return forms.print_form(ctx, forms.RECEIPTS, body, wait)


PRINT_RECEIPT = Method(
    name="PrintReceipt",
    summary="Creates order receipts, waits until they are ready and downloads the PDF",
    group=DOCUMENTS,
    effect="write",
    function=print_receipt,
    params=with_auth(UUID_ARRAY, *RECEIPT_OPTIONS, WAIT),
    docs_url="https://api-docs.cdek.ru/36969649.html",
    returns=PDF,
    binary=True,
)


def print_barcode(
    ctx: CallContext, uuid_array: list[str], copies: int, format: str, lang: str, wait: float
) -> bytes:
    body = forms.barcode_request(uuid_array, copies, format, lang)
    return forms.print_form(ctx, forms.BARCODES, body, wait)


PRINT_BARCODE = Method(
    name="PrintBarcode",
    summary="Creates barcode labels, waits until they are ready and downloads the PDF",
    group=DOCUMENTS,
    effect="write",
    function=print_barcode,
    params=with_auth(UUID_ARRAY, *BARCODE_OPTIONS, WAIT),
    docs_url="https://api-docs.cdek.ru/36969713.html",
    returns=PDF,
    binary=True,
)


def get_orders_with_photos(ctx: CallContext, filter: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/photoDocument", json_body=filter)


GET_ORDERS_WITH_PHOTOS = Method(
    name="GetOrdersWithPhotos",
    summary="Gets the orders whose document photos are ready",
    group=DOCUMENTS,
    effect="read",
    function=get_orders_with_photos,
    params=with_auth(
        Param(
            "Filter",
            "--filter",
            Kind.OBJECT,
            "Which orders: orders [{order_uuid} or {cdek_number}], period_begin, period_end",
            required=True,
        )
    ),
    docs_url="https://api-docs.cdek.ru/146246014.html",
    returns="orders: the orders with photos, each with the link to its archive ({} when none)",
)


def get_photo_archive(ctx: CallContext, uuid: str) -> bytes:
    archive: bytes = call(ctx, "GET", f"/photoDocument/{uuid}", binary=True)
    return archive


GET_PHOTO_ARCHIVE = Method(
    name="GetPhotoArchive",
    summary="Downloads the archive of an order's document photos",
    group=DOCUMENTS,
    effect="read",
    function=get_photo_archive,
    params=with_auth(Param("UUID", "--uuid", Kind.UUID, "Photo archive UUID", required=True)),
    docs_url="https://api-docs.cdek.ru/146246014.html",
    returns="The archive (bytes, ZIP); the CLI writes it with --out FILE",
    binary=True,
)

METHODS = (PRINT_RECEIPT, PRINT_BARCODE, GET_ORDERS_WITH_PHOTOS, GET_PHOTO_ARCHIVE)
