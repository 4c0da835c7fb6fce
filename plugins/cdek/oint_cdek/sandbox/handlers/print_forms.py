"""Handlers of print forms (waybills and barcodes, with their PDFs) and prealerts."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from ... import vocabulary as cdek
from ..backend import SandboxState
from ..exceptions import _ApiError, _error, _field_empty, _invalid_format, _wrong_type
from ..models import _BarcodeForm, _Prealert, _PrintForm, _WaybillForm
from ..pdf import build_pdf
from ..responses import _json_body, _json_response, _root_url
from ..validation import (
    _check_text,
    _choice,
    _is_empty,
    _is_int,
    _order_refs,
    _parse_datetime,
)
from .common import _created, _get_record

#: CDEK: "don't send more than 100 order numbers in one request" (print forms).
_PRINT_LIMIT = 100


def create_print_orders(backend: SandboxState, request: Request, client: str) -> Response:
    return _create_print(backend, request, client, _WaybillForm)


def create_print_barcodes(backend: SandboxState, request: Request, client: str) -> Response:
    return _create_print(backend, request, client, _BarcodeForm)


def _create_print(
    backend: SandboxState, request: Request, client: str, kind: type[_PrintForm]
) -> Response:
    body = _json_body(request, "CREATE")
    refs, errors = _order_refs(body.get("orders"), _PRINT_LIMIT)
    copy_count = body.get("copy_count")
    if copy_count is None:
        copy_count = kind.default_copies
    elif not _is_int(copy_count):
        errors.append(_wrong_type("copy_count"))
    elif copy_count < 1:
        errors.append(_invalid_format("copy_count", copy_count))
    fields: dict[str, Any] = {"orders": refs, "copy_count": copy_count}
    if kind is _WaybillForm:
        fields["type"] = _choice(
            body, "type", cdek.RECEIPT_TYPES, cdek.DEFAULT_RECEIPT_TYPE, errors, str.lower
        )
    else:
        fields["format"] = _choice(
            body, "format", cdek.BARCODE_FORMATS, cdek.DEFAULT_BARCODE_FORMAT, errors, str.upper
        )
        fields["lang"] = _choice(
            body, "lang", cdek.BARCODE_LANGUAGES, cdek.DEFAULT_BARCODE_LANGUAGE, errors, str.upper
        )
    if errors:
        raise _ApiError(400, errors, "CREATE")
    with backend.lock:
        now = backend.settled_now()
        _number_refs(backend, client, refs)
        return _created(*backend.new_record(kind, client, fields, now))


def _number_refs(backend: SandboxState, client: str, refs: list[dict[str, Any]]) -> None:
    """Give each order reference both ids as soon as the order is known (CDEK shows the
    ``cdek_number`` of every order a prealert or print form lists); lock held."""
    for ref in refs:
        order = backend._find_order(client, ref.get("order_uuid"), ref.get("cdek_number"))
        if order is not None and order.cdek_number is not None:
            ref.update({"order_uuid": order.uuid, "cdek_number": order.cdek_number})


def get_print_orders(
    backend: SandboxState, request: Request, client: str, form_id: str
) -> Response:
    return _get_print(backend, request, client, _WaybillForm, form_id)


def get_print_barcodes(
    backend: SandboxState, request: Request, client: str, form_id: str
) -> Response:
    return _get_print(backend, request, client, _BarcodeForm, form_id)


def _get_print(
    backend: SandboxState,
    request: Request,
    client: str,
    kind: type[_PrintForm],
    form_id: str,
) -> Response:
    want_pdf = form_id.lower().endswith(".pdf")
    form_uuid = form_id[: -len(".pdf")] if want_pdf else form_id
    with backend.lock:
        backend.settled_now()
        form = backend.lookup_record(form_uuid, kind, client, "GET")
        if not want_pdf:
            return _json_response(form.envelope(_root_url(request)))
        status = form.latest_status
        if status == "INVALID":
            message = f"Entity is invalid {form.uuid}"
            raise _ApiError(400, [_error("v2_entity_invalid", message)], "GET")
        if status != "READY":
            message = f"Print form {form.uuid} is not ready yet (status {status})"
            raise _ApiError(400, [_error("v2_entity_not_found", message)], "GET")
        title, lines = form.pdf_text()
    document = build_pdf(title, lines)
    return Response(
        document,
        status=200,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{form.uuid}.pdf"'},
    )


def create_prealert(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
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
    with backend.lock:
        now = backend.settled_now()
        _number_refs(backend, client, refs)
        return _created(*backend.new_record(_Prealert, client, fields, now))


def get_prealert(
    backend: SandboxState, request: Request, client: str, record_uuid: str
) -> Response:
    return _get_record(backend, request, client, _Prealert, record_uuid)
