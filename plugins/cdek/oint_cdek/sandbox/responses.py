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


#: How deep a request body may nest; CDEK's deepest documented body is far shallower.
MAX_DEPTH = 32


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: The largest magnitude a number in a body may have: no CDEK amount, weight or size comes
#: near it, and money is computed in decimals that must stay exact.
MAX_NUMBER = 1e12


def _finite(text: str) -> float:
    number = float(text)
    if not abs(number) <= MAX_NUMBER:  # also inf
        raise ValueError(f"{text} is out of range")
    return number


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 13 or abs(int(text)) > MAX_NUMBER:  # no CDEK field holds it
        raise ValueError(f"{text[:20]} is out of range")
    return int(text)


def _check_value(value: Any) -> None:
    """Refuse what JSON text allows but no CDEK field can hold: nesting deeper than
    ``MAX_DEPTH``, and lone surrogate escapes (``"\\ud83d"``), which cannot be stored or
    answered as UTF-8. Iterative, so a hostile depth cannot exhaust the stack here."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        elif isinstance(item, dict):
            for key, inner in item.items():
                key.encode("utf-8")
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)


def _read_json(request: Request) -> Any:
    """The body as JSON, or raise ValueError (CDEK answers v2_bad_request): strict UTF-8, no
    NaN or Infinity, no number beyond a float's range, no lone surrogates, no deep nesting."""
    raw = request.get_data(cache=True)
    text = raw.decode("utf-8")
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_bounded_int
        )
    except RecursionError:  # json's scanner guards its own recursion
        raise ValueError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    _check_value(value)
    return value


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
