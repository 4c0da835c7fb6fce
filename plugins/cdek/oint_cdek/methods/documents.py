"""Print forms and photos: print-and-download in one call, document photos (beyond OPI)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from oint_core import ApiError, Kind, Method, Param, TransportError, UsageError
from oint_core.coerce import canonical_uuid
from oint_core.http import error_list

from ..api import call
from ..params import DOCUMENTS, TEST_API, TOKEN, UUID_ARRAY
from .orders import (
    BARCODE_OPTIONS,
    RECEIPT_OPTIONS,
    create_barcode,
    create_receipt,
    download_form,
    form_status,
    form_url,
)

if TYPE_CHECKING:
    from oint_core import CallContext

# CDEK makes a form in about a second: look after a short first wait, then back off.
FIRST_WAIT = 0.25
MAX_WAIT_STEP = 4.0
FAILED_FORM_STATES = frozenset({"INVALID", "REMOVED"})


def print_receipt(
    ctx: CallContext,
    token: str | None,
    uuid_array: list[str],
    type: str = "tpl_russia",
    copies_per_sheet: int = 2,
    wait: float = 60,
    test_api: bool = False,
) -> bytes:
    _check_wait(wait)
    created = create_receipt(ctx, token, uuid_array, type, copies_per_sheet, test_api)
    return _wait_and_download(ctx, "orders", token, created, wait, test_api)


def print_barcode(
    ctx: CallContext,
    token: str | None,
    uuid_array: list[str],
    copies: int = 1,
    format: str = "A4",
    lang: str = "RUS",
    wait: float = 60,
    test_api: bool = False,
) -> bytes:
    _check_wait(wait)
    created = create_barcode(ctx, token, uuid_array, copies, format, lang, test_api)
    return _wait_and_download(ctx, "barcodes", token, created, wait, test_api)


def _check_wait(wait: float) -> None:
    if wait <= 0:
        raise UsageError(f"--wait: {wait!r} is not a positive number of seconds", option="--wait")


def _wait_and_download(
    ctx: CallContext, kind: str, token: str | None, created: Any, wait: float, test_api: bool
) -> bytes:
    """Poll the new form until READY (then download it), INVALID/REMOVED, or ``wait`` runs out.

    The call's deadline (``--timeout``) bounds the polling too; every failure from here on
    says that the print request was sent and accepted, and which form to fetch later.
    """
    entity = created.get("entity") if isinstance(created, dict) else None
    named = entity.get("uuid") if isinstance(entity, dict) else None
    # The form's uuid goes into the next request's path: only a UUID may (never "../x").
    uuid = canonical_uuid(named)
    if uuid is None:
        what = (
            "without a form uuid"
            if named in (None, "")
            else f"naming its form {_shown(named)}, which is not a UUID"
        )
        raise ApiError(
            f"CDEK accepted the print request {what}: the print request was sent and may have"
            " been processed; nothing more was sent",
            status=ctx.http.last_status or 202,
            body=created,
        )
    accepted = f"the print request was accepted: form {uuid} can be fetched later"
    patience = time.monotonic() + wait
    step = FIRST_WAIT
    status = "unknown"
    while True:
        left = min(patience - time.monotonic(), ctx.http.time_left())
        time.sleep(max(0.0, min(step, left)))
        if ctx.http.time_left() <= 0:
            raise TransportError(
                f"print form {uuid} is still {status} at the call's deadline"
                f" ({ctx.http.total:g} s); {accepted}"
            )
        try:
            form = call(ctx, "GET", f"/print/{kind}/{uuid}", token=token, test_api=test_api)
            url = form_url(form)
            if url:
                return download_form(ctx, url, token, test_api)
        except ApiError as exc:
            raise ApiError(
                f"{exc}; {accepted}", status=exc.status, body=exc.body, errors=exc.errors
            ) from None
        except TransportError as exc:
            raise TransportError(f"{exc}; {accepted}", host=exc.host) from None
        status = form_status(form)
        if status in FAILED_FORM_STATES:
            raise ApiError(
                f"print form {uuid} ended {status}", status=200, body=form, errors=error_list(form)
            )
        if time.monotonic() >= patience:
            raise TransportError(
                f"print form {uuid} is still {status} after {wait:g} s (raise --wait); {accepted}"
            )
        step = min(step * 2, MAX_WAIT_STEP)


def _shown(value: Any, limit: int = 60) -> str:
    """A server's value in a message: its repr (control characters escaped), shortened."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def get_orders_with_photos(
    ctx: CallContext, token: str | None, filter: dict[str, Any], test_api: bool = False
) -> Any:
    return call(ctx, "POST", "/photoDocument", token=token, test_api=test_api, json_body=filter)


def get_photo_archive(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> bytes:
    archive: bytes = call(
        ctx, "GET", f"/photoDocument/{uuid}", token=token, test_api=test_api, binary=True
    )
    return archive


WAIT = Param("Wait", "--wait", Kind.NUMBER, "Seconds to wait for the form to be READY", default=60)
PDF = "The PDF file (bytes); the CLI writes it with --out FILE"

METHODS = (
    Method(
        name="PrintReceipt",
        summary="Creates order receipts, waits until they are ready and downloads the PDF",
        group=DOCUMENTS,
        function=print_receipt,
        params=(
            TOKEN,
            UUID_ARRAY,
            *RECEIPT_OPTIONS,
            WAIT,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36969649.html",
        returns=PDF,
        binary=True,
    ),
    Method(
        name="PrintBarcode",
        summary="Creates barcode labels, waits until they are ready and downloads the PDF",
        group=DOCUMENTS,
        function=print_barcode,
        params=(
            TOKEN,
            UUID_ARRAY,
            *BARCODE_OPTIONS,
            WAIT,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36969713.html",
        returns=PDF,
        binary=True,
    ),
    Method(
        name="GetOrdersWithPhotos",
        summary="Gets the orders whose document photos are ready",
        group=DOCUMENTS,
        function=get_orders_with_photos,
        params=(
            TOKEN,
            Param(
                "Filter",
                "--filter",
                Kind.OBJECT,
                "Which orders: orders [{order_uuid} or {cdek_number}], period_begin, period_end",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/146246014.html",
        returns="orders: the orders with photos, each with the link to its archive ({} when none)",
    ),
    Method(
        name="GetPhotoArchive",
        summary="Downloads the archive of an order's document photos",
        group=DOCUMENTS,
        function=get_photo_archive,
        params=(
            TOKEN,
            Param("UUID", "--uuid", Kind.UUID, "Photo archive UUID", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/146246014.html",
        returns="The archive (bytes, ZIP); the CLI writes it with --out FILE",
        binary=True,
    ),
)
