"""OPI's ``--config``: settings of one call that are not parameters of its method.

OPI calls this the "advanced call" (``OPI_AdvancedCall``): a JSON object of settings for the
library's own machinery, given on the CLI as ``--config '{"timeout": 30}'`` (OPI's
single-quoted pseudo-JSON and a file path are read too); ``--config`` with no value lists
the settings. oint has the settings OPI documents for HTTP methods:

- ``timeout``: seconds for the whole call (as ``--timeout``);
- ``retries``: retries of the core's policy (as ``--retries``);
- ``proxy``: an ``http://`` or ``https://`` proxy URL every request of the call goes through;
- ``adv_response``: ``true`` makes the result ``{"status", "headers", "body"}`` (the last
  answer's status code and headers, secrets masked) instead of the body alone.

``--timeout`` and ``--retries`` given as options win over the same settings in ``--config``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from .errors import UsageError

if TYPE_CHECKING:
    from .context import CallContext
    from .metadata import Method


class Setting(NamedTuple):
    type: str
    description: str


#: Every setting ``--config`` takes, with what ``--config`` (no value) says about it.
SETTINGS: dict[str, Setting] = {
    "timeout": Setting(
        "number",
        "Seconds the whole call may take, retries and every byte of the answer included"
        " (as --timeout, which wins when both are given) [default: 120]",
    ),
    "retries": Setting(
        "integer",
        "Retries of the safe kind, 0 to 20 (as --retries, which wins when both are given)"
        " [default: 3]",
    ),
    "proxy": Setting(
        "string",
        "An http:// or https:// proxy URL (user:password@ allowed) every request of the"
        " call goes through, loopback included",
    ),
    "adv_response": Setting(
        "boolean",
        "true: the result is {status, headers, body}, with the last answer's status code"
        " and headers (secrets masked), instead of the body alone [default: false]",
    ),
}


def listing(method: Method) -> dict[str, Any]:
    """What ``--config`` with no value prints for ``method``."""
    return {
        "method": method.name,
        "settings": {
            name: {"type": s.type, "description": s.description} for name, s in SETTINGS.items()
        },
    }


def parse(text: str, label: str = "--config") -> dict[str, Any]:
    """``--config``'s value (JSON, OPI's single-quoted JSON, or a file holding either) as
    checked settings; a ``UsageError`` naming the setting otherwise."""
    from .coerce import coerce
    from .metadata import Kind, Param

    # Secret, so that no message quotes the text: it may hold a proxy's password. The
    # messages still say what is wrong (where the JSON broke, which value it cannot carry).
    param = Param("config", label, Kind.OBJECT, "settings of the call", secret=True)
    return check(coerce(param, text, label=label), label)


def check(config: Mapping[str, Any], label: str = "config") -> dict[str, Any]:
    """``config``'s settings, each checked: an unknown key or a value of the wrong type is
    a ``UsageError`` naming it."""
    from .context import check_retries, check_timeout

    checked: dict[str, Any] = {}
    for key, value in config.items():
        if key not in SETTINGS:
            known = ", ".join(SETTINGS)
            raise UsageError(f"{label}: unknown setting {key!r} (settings: {known})")
        where = f"{label} {key}"
        if key == "timeout":
            checked[key] = check_timeout(value, where)
        elif key == "retries":
            checked[key] = check_retries(value, where)
        elif key == "proxy":
            checked[key] = check_proxy(value, where)
        elif key == "adv_response":
            if not isinstance(value, bool):
                raise UsageError(f"{where}: {value!r} is not true or false")
            checked[key] = value
    return checked


def check_proxy(value: Any, where: str) -> str:
    """An absolute http(s) URL with a host, and nothing after it but a ``/``."""
    shown = repr(value)
    if isinstance(value, str):
        try:
            parts = urlsplit(value.strip())
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError for a port that is not one
        except ValueError:
            parts, host = urlsplit(""), None
        plain = parts.path in ("", "/") and not (parts.query or parts.fragment)
        if parts.scheme in ("http", "https") and host and plain:
            return value.strip()
        from .http import display_url

        shown = repr(display_url(value))
    raise UsageError(
        f"{where}: {shown} is not an http:// or https:// proxy URL (like http://proxy:3128)"
    )


def advanced(ctx: CallContext, result: Any) -> dict[str, Any]:
    """``adv_response``: the result with the last answer's status and headers.

    A method that sent nothing has status ``null`` and no headers. Bytes (a PDF) go in
    ``body`` as base64, with ``"encoding": "base64"``, so the result stays JSON.
    """
    http = ctx.__dict__.get("http")  # created only by a method that sent a request
    status = None if http is None else http.last_status
    headers = {} if http is None else dict(http.last_headers)
    if isinstance(result, (bytes, bytearray)):
        body = base64.b64encode(bytes(result)).decode("ascii")
        return {"status": status, "headers": headers, "body": body, "encoding": "base64"}
    return {"status": status, "headers": headers, "body": result}
