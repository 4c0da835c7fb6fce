"""Print forms (waybills and barcode labels): what a request for one holds, reading one,
waiting for one to be READY, and downloading its PDF. Shared by the orders methods (one step
at a time, as OPI has them) and PrintReceipt/PrintBarcode (all steps in one call)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import ApiError, UsageError

from .api import api_root, call, orders_list

if TYPE_CHECKING:
    from oint_core import CallContext

#: The kinds of form, as CDEK's paths name them: ``/print/orders`` are waybills (receipts).
RECEIPTS, BARCODES = "orders", "barcodes"

# CDEK makes a form in about a second; the core's ``poll`` looks after a short first wait,
# then backs off.
FAILED_FORM_STATES = frozenset({"INVALID", "REMOVED"})


def receipt_request(uuid_array: list[str], type: str, copies_per_sheet: int) -> dict[str, Any]:
    """The body of ``POST /print/orders`` (WaybillRequestDto)."""
    return {"orders": orders_list(uuid_array), "copy_count": copies_per_sheet, "type": type}


def barcode_request(uuid_array: list[str], copies: int, format: str, lang: str) -> dict[str, Any]:
    """The body of ``POST /print/barcodes`` (BarcodeRequestDto)."""
    return {"orders": orders_list(uuid_array), "copy_count": copies, "format": format, "lang": lang}


def create_form(ctx: CallContext, kind: str, body: dict[str, Any]) -> Any:
    """Ask CDEK to make a form; the answer's ``entity.uuid`` names it."""
    return call(ctx, "POST", f"/print/{kind}", json_body=body)


def read_form(ctx: CallContext, kind: str, uuid: str, get_file: bool) -> Any:
    """A print form's state; with ``get_file``, the PDF its ``url`` points to."""
    form = call(ctx, "GET", f"/print/{kind}/{uuid}")
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
    return download_form(ctx, url)


def download_form(ctx: CallContext, url: str) -> bytes:
    """GET a form's file. The bearer goes only to CDEK's own host (and scheme), never to
    another host named in an answer; a link that is not an absolute http(s) URL is refused."""
    from urllib.parse import urlsplit

    root = urlsplit(api_root(ctx))
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
        data = call(ctx, "GET", url, binary=True)
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


def print_form(ctx: CallContext, kind: str, body: dict[str, Any], wait: float) -> bytes:
    """Create a form, wait until it is READY (at most ``wait`` seconds), download its PDF."""
    if wait <= 0:
        label = "--wait" if ctx.style == "cli" else "wait"
        raise UsageError(f"{label}: {wait!r} is not a positive number of seconds", option="--wait")
    return wait_and_download(ctx, kind, create_form(ctx, kind, body), wait)


def wait_and_download(ctx: CallContext, kind: str, created: Any, wait: float) -> bytes:
    """Poll the new form until READY (then download it), INVALID/REMOVED, or ``wait`` runs out."""
    data: bytes = wait_for_form(ctx, kind, created, wait, download=True)
    return data


def wait_for_form(ctx: CallContext, kind: str, created: Any, wait: float, download: bool) -> Any:
    """Poll the form ``created`` names until it is READY: then its PDF (``download``) or the
    form itself; INVALID/REMOVED is an ``ApiError``, ``wait`` running out a ``TransportError``.

    The call's deadline (``--timeout``) bounds the polling too (the core's ``poll``); every
    failure from here on says that the print request was sent and accepted, and which form
    to fetch later.
    """
    from oint_core.coerce import canonical_uuid
    from oint_core.http import error_list
    from oint_core.waiting import Done, poll

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

    def fetch() -> Any:
        form = call(ctx, "GET", f"/print/{kind}/{uuid}")
        url = form_url(form)
        return download_form(ctx, url) if url and download else form

    def judge(found: Any) -> Done[Any] | str:
        if isinstance(found, bytes) or form_url(found):
            return Done(found)
        status = form_status(found)
        if status in FAILED_FORM_STATES:
            raise ApiError(
                f"print form {uuid} ended {status}",
                status=200,
                body=found,
                errors=error_list(found),
            )
        return status

    return poll(
        ctx,
        fetch,
        judge,
        seconds=wait,
        subject=f"print form {uuid}",
        later=f"the print request was accepted: form {uuid} can be fetched later",
        state="ACCEPTED",
    )


def _shown(value: Any, limit: int = 60) -> str:
    """A server's value in a message: its repr (control characters escaped), shortened."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
