"""A failed call as data: the one record ``oint batch``, ``oint server`` and library callers
share, so a script reads every mode's failures the same way."""

from __future__ import annotations

from typing import Any, Literal

from .errors import ApiError, OintError, TransportError, UsageError, one_line

Kind = Literal["usage", "api", "transport", "internal"]


def kind_of(error: OintError) -> Kind:
    """``usage`` (refused before sending), ``api`` (the service answered with an error),
    ``transport`` (the exchange failed, or the result could not be written), ``internal``
    (a bug in a method or a plugin)."""
    if isinstance(error, UsageError):
        return "usage"
    if isinstance(error, ApiError):
        return "api"
    if isinstance(error, TransportError) or error.exit_code == TransportError.exit_code:
        return "transport"
    return "internal"


def error_record(error: OintError, *, body: bool = False) -> dict[str, Any]:
    """``{"kind", "message", "status", "codes"}`` for ``error``; with ``body``, an API
    error's answer too (``"body"``: the service's JSON or text)."""
    record: dict[str, Any] = {
        "kind": kind_of(error),
        "message": one_line(str(error)),
        "status": error.status if isinstance(error, ApiError) else None,
        "codes": error.codes if isinstance(error, ApiError) else [],
    }
    if body and isinstance(error, ApiError):
        record["body"] = error.body
    return record


def failed(error: OintError, *, body: bool = False) -> dict[str, Any]:
    """``{"ok": false, "error": error_record(error), "sent": …}``.

    ``sent`` is what the call did at the service (``errors.Sent``): a call whose ``sent`` is
    "no" or "yes" changed nothing and may be repeated; one whose ``sent`` is "unknown" must
    not be repeated blindly (a write may have been processed: check first)."""
    return {"ok": False, "error": error_record(error, body=body), "sent": error.sent}


def succeeded(result: Any) -> dict[str, Any]:
    """``{"ok": true, "result": …}``; a file (bytes) as ``{"media_type", "size", "base64"}``,
    since a JSON line cannot hold bytes."""
    if isinstance(result, (bytes, bytearray)):
        import base64

        from .output import media_type

        data = bytes(result)
        result = {
            "media_type": media_type(data),
            "size": len(data),
            "base64": base64.b64encode(data).decode("ascii"),
        }
    return {"ok": True, "result": result}
