"""Handler of CDEK's OAuth endpoint (client_credentials); it needs no bearer token."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..responses import _json_response


def issue_token(backend: SandboxState, request: Request) -> Response:
    values = request.values  # query string and form body, as CDEK accepts both
    grant_type = values.get("grant_type")
    if not grant_type:
        return _json_response(
            {"error": "invalid_request", "error_description": "Missing grant type"}, 400
        )
    if grant_type != "client_credentials":
        return _json_response(
            {
                "error": "unsupported_grant_type",
                "error_description": f"Unsupported grant type: {grant_type}",
            },
            400,
        )
    client_id = values.get("client_id", "")
    secret = values.get("client_secret", "")
    expected = backend.config.accounts.get(client_id)
    if not client_id or expected is None or expected != secret:
        return _json_response(
            {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
        )
    return _json_response(backend.issue_token(client_id))
