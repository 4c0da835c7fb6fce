"""How the sandbox answers over HTTP: JSON responses, CDEK's error envelope, and reading a
request's JSON body."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from .config import format_datetime
from .exceptions import _ApiError, _error
from .models import INVALID

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type=JSON_CONTENT_TYPE,
    )


def _cdek_error(
    status: int,
    request_type: str,
    errors: list[dict[str, str]],
    now: datetime,
    request_uuid: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The envelope CDEK answers errors with: ``requests[]`` only, state INVALID."""
    record: dict[str, Any] = {}
    if request_uuid is not None:
        record["request_uuid"] = request_uuid
    record.update(
        {
            "type": request_type,
            "date_time": format_datetime(now),
            "state": INVALID,
            "errors": errors,
            "warnings": [],
        }
    )
    return _json_response({"requests": [record]}, status, headers)


def _read_json(request: Request) -> Any:
    """The body as JSON, or raise ValueError (CDEK answers v2_bad_request)."""
    raw = request.get_data(cache=True)
    return json.loads(raw.decode("utf-8"))


def _json_body(request: Request, request_type: str, allow_empty: bool = False) -> dict[str, Any]:
    """The body as a JSON object, or raise CDEK's v2_bad_request."""
    if allow_empty and not request.get_data(cache=True).strip():
        return {}
    try:
        body = _read_json(request)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        message = "Bad request: the body must be a JSON object"
        raise _ApiError(400, [_error("v2_bad_request", message)], request_type)
    return body


def _root_url(request: Request) -> str:
    """Where the client reached us (``http://host:port``), for links such as print URLs."""
    return request.host_url.rstrip("/")
