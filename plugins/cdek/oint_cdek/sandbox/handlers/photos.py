"""Handlers of document photo archives: make one (POST), download it as a ZIP (GET)."""

from __future__ import annotations

import copy

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..config import format_datetime
from ..exceptions import _ApiError
from ..models import _Order, _owned, _photo_zip, _PhotoArchive
from ..responses import _json_body, _json_response, _root_url
from ..validation import _check_date_field, _is_empty, _order_refs
from .locations import plain_errors


@plain_errors
def create_photos(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    errors: list[dict[str, str]] = []
    begin = _check_date_field(body, "period_begin", False, errors)
    end = _check_date_field(body, "period_end", False, errors)
    refs: list[dict[str, str]] | None = None
    if not _is_empty(body.get("orders")) or (begin is None and end is None and not errors):
        refs, ref_errors = _order_refs(body.get("orders"), None)
        errors += ref_errors
    if errors:
        raise _ApiError(400, errors, "CREATE")
    with backend.lock:
        now = backend.settled_now()
        if refs is None:
            candidates = [o for o in backend.orders.values() if o.owner == client]
        else:
            named = (
                backend._find_order(client, r.get("order_uuid"), r.get("cdek_number")) for r in refs
            )
            candidates = [o for o in named if o is not None]
        chosen: list[_Order] = []
        for order in candidates:
            if not order.has_check or order in chosen:
                continue
            created = order.created_at.date()
            if (begin is None or created >= begin) and (end is None or created <= end):
                chosen.append(order)
        if not chosen:  # CDEK answers an empty object when no order has photos
            return _json_response({})
        archive = _PhotoArchive(
            uuid=backend._new_uuid(),
            owner=client,
            orders=[{"order_uuid": o.uuid, "cdek_number": str(o.cdek_number)} for o in chosen],
            created_at=now,
        )
        backend.photo_archives[archive.uuid] = archive
        created_at = {o.uuid: format_datetime(o.created_at) for o in chosen}
    link = f"{_root_url(request)}/v2/photoDocument/{archive.uuid}"
    orders = [
        {
            "order_uuid": ref["order_uuid"],
            "cdek_number": int(ref["cdek_number"]),
            "link": link,
            "status": "DONE",
            "create_date": created_at[ref["order_uuid"]],
        }
        for ref in archive.orders
    ]
    return _json_response({"orders": orders})


def get_photos(backend: SandboxState, request: Request, client: str, archive_uuid: str) -> Response:
    with backend.lock:  # this operation documents 404 and 403 (and no 400)
        found = backend.photo_archives.get(archive_uuid.lower())
        archive = _owned(found, archive_uuid, client, "GET", statuses=(404, 403))
        orders = copy.deepcopy(archive.orders)
    return Response(
        _photo_zip(orders),
        status=200,
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{archive.uuid}.zip"'},
    )
