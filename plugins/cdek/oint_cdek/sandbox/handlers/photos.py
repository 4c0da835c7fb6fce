"""Handlers of document photo archives: make one (POST), download it as a ZIP (GET)."""

from __future__ import annotations

import copy

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..exceptions import _ApiError
from ..models import _envelope, _Order, _owned, _photo_zip, _PhotoArchive
from ..responses import _json_body, _json_response, _root_url
from ..validation import _check_date_field, _is_empty, _order_refs


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
        archive = _PhotoArchive(
            uuid=backend._new_uuid(),
            owner=client,
            orders=[{"order_uuid": o.uuid, "cdek_number": str(o.cdek_number)} for o in chosen],
        )
        backend.photo_archives[archive.uuid] = archive
        api_request = backend._done_request("CREATE", now)
    link = f"{_root_url(request)}/v2/photoDocument/{archive.uuid}"
    entity = {"uuid": archive.uuid, "orders": [{**ref, "link": link} for ref in archive.orders]}
    return _json_response(_envelope(entity, [api_request]))


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
