"""What several handlers share: finding the order in the path, accepting a write request,
showing a non-order entity."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..exceptions import _ApiError
from ..models import _ApiRequest, _envelope, _Order, _owned, _Record, _Tracked
from ..responses import _cdek_error, _json_response, _root_url
from ..validation import _require_uuid


def _lookup(
    backend: SandboxState, order_uuid: str, client: str, request_type: str, now: datetime
) -> _Order | Response:
    """Find an order of ``client`` or build the error CDEK would answer (lock held),
    dated ``now`` (the handler's clock read, not the router's)."""
    try:
        _require_uuid(order_uuid, "uuid", request_type)
        return _owned(backend.orders.get(order_uuid.lower()), order_uuid, client, request_type)
    except _ApiError as exc:
        return _cdek_error(exc.status, request_type, exc.errors, now)


def _accept(
    backend: SandboxState,
    entity: _Tracked,
    request_type: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    status: int = 202,
) -> Response:
    """Queue a checked write request on an order or intake and answer it: 202, or the
    200 CDEK's specification gives the few writes that answer so (intake changes)."""
    api_request = backend.accept(entity, request_type, now, payload)
    return _json_response(_envelope({"uuid": entity.uuid}, [api_request]), status)


def _created(record: _Record, api_request: _ApiRequest) -> Response:
    """The 202 answering the creation of a print form, prealert, intake or appointment."""
    return _json_response(_envelope({"uuid": record.uuid}, [api_request]), 202)


def _get_record(
    backend: SandboxState, request: Request, client: str, kind: type[_Record], record_uuid: str
) -> Response:
    """GET of a prealert, intake or appointment: settle, look it up, show its envelope."""
    with backend.lock:
        backend.settled_now()
        record = backend.lookup_record(record_uuid, kind, client, "GET")
        return _json_response(record.envelope(_root_url(request)))


#: The slots CDEK's test server offers (recorded answers): the whole day, then its thirds;
#: times as CDEK writes them, HH:MM:SS.
_TIME_SLOTS = (
    ("09:00:00", "18:00:00"),
    ("09:00:00", "14:00:00"),
    ("14:00:00", "18:00:00"),
    ("18:00:00", "22:00:00"),
)


def _date_intervals(first: date) -> list[dict[str, Any]]:
    """Delivery slots of 3 days from ``first``: one shape for known and estimated orders."""
    return [
        {
            "date": (first + timedelta(days=offset)).isoformat(),
            "time_intervals": [{"start_time": s, "end_time": e} for s, e in _TIME_SLOTS],
        }
        for offset in range(3)
    ]
