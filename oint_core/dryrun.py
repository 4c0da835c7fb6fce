"""OPI's ``--test``: what a call would send, shown instead of sent.

With ``CallOptions.dry_run`` the HTTP layer prepares a request exactly as it would send it
(URL with its query, every header, the body), then raises ``WouldSend`` carrying a printable
description of it, with every secret masked (``Authorization: Bearer ***``). Nothing reaches
the network. The signal is a ``BaseException``, like ``KeyboardInterrupt``: a method's own
``except Exception`` (one that adds a note to a failure, say) must not take it for a failure.

A call stops at its first request: a method whose later requests depend on the answers (a
print form's create, poll and download; every page of a list) shows the first one only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .redact import MASK

if TYPE_CHECKING:
    import requests

    from .redact import Redactor

#: The bearer a provider sends in a dry run when it would have fetched a token first: the
#: description shows ``Bearer ***`` either way, and no token is fetched.
PLACEHOLDER_BEARER = "dry-run-token-not-fetched"


class WouldSend(BaseException):
    """The request a dry run stopped at, as ``request`` (a JSON-ready dict, secrets masked)."""

    def __init__(self, request: dict[str, Any]) -> None:
        super().__init__(f"{request.get('method')} {request.get('url')}")
        self.request = request


def describe(
    prepared: requests.PreparedRequest,
    redactor: Redactor,
    *,
    shown_url: str,
    proxy: str | None = None,
) -> dict[str, Any]:
    """``prepared`` as JSON-ready data: method, URL, headers and body, secrets masked.

    A JSON body is shown parsed, a form body as its fields, any other body as text.
    """
    headers = redactor.headers(prepared.headers)
    raw = prepared.body
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    body: Any = None
    if text:
        kind = prepared.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            try:
                body = redactor.value(_mask_whole(json.loads(text), redactor))
            except ValueError:
                body = redactor(text)
        elif kind == "application/x-www-form-urlencoded":
            body = {
                name: MASK if redactor.is_secret(value) else redactor(value)
                for name, value in parse_qsl(text, keep_blank_values=True)
            }
        else:
            body = redactor(text)
    described: dict[str, Any] = {
        "method": prepared.method,
        "url": redactor(shown_url),
        "headers": headers,
        "body": body,
    }
    if proxy is not None:
        described["proxy"] = redactor(proxy)
    return described


def _mask_whole(value: Any, redactor: Redactor) -> Any:
    """``value`` (parsed JSON) with every string that is exactly a secret masked, however
    short: the Redactor leaves a secret under ``MIN_SECRET`` characters in free text, but a
    value that is all of it would show it. Changed in place and returned."""
    if isinstance(value, str):
        return MASK if redactor.is_secret(value) else value
    stack = [value] if isinstance(value, (dict, list)) else []
    while stack:
        node = stack.pop()
        entries = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in list(entries):
            if isinstance(item, str) and redactor.is_secret(item):
                node[key] = MASK
            elif isinstance(item, (dict, list)):
                stack.append(item)
    return value
