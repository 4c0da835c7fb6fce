"""Handlers of webhook subscriptions: create, list, get, delete."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..backend import SandboxState
from ..exceptions import _ApiError, _error
from ..models import _WEBHOOK_LIMIT, WEBHOOK_TYPES, _envelope, _Webhook
from ..responses import _cdek_error, _json_body, _json_response
from ..validation import _check_text, _is_http_url


def create_webhook(backend: SandboxState, request: Request, client: str) -> Response:
    body = _json_body(request, "CREATE")
    url, hook_type = body.get("url"), body.get("type")
    errors: list[dict[str, str]] = []
    _check_text(url, "url", errors, _is_http_url)
    _check_text(hook_type, "type", errors)
    if isinstance(hook_type, str) and hook_type and hook_type not in WEBHOOK_TYPES:
        errors.append(_error("v2_webhook_type_incorrect", f"Incorrect type [{hook_type}]"))
    if errors:
        raise _ApiError(400, errors, "CREATE")
    with backend.lock:
        now = backend.now()
        mine = [h for h in backend.webhooks.values() if h.owner == client]
        if len(mine) >= _WEBHOOK_LIMIT:  # of any types: two of one type are allowed
            message = f"Too many webhooks: an account may have at most {_WEBHOOK_LIMIT}"
            return _cdek_error(400, "CREATE", [_error("v2_too_many_webhooks", message)], now)
        hook = _Webhook(backend._new_uuid(), client, str(url), str(hook_type))
        backend.webhooks[hook.uuid] = hook
        backend.outbox.start()  # its worker also settles due changes, so events go out
        api_request = backend._done_request("CREATE", now)
        hook.requests.append(api_request)
        answer = _envelope({"uuid": hook.uuid}, [api_request])
    return _json_response(answer)


def list_webhooks(backend: SandboxState, request: Request, client: str) -> Response:
    with backend.lock:
        hooks = [h.to_json() for h in backend.webhooks.values() if h.owner == client]
    return _json_response(hooks)


def get_webhook(backend: SandboxState, request: Request, client: str, hook_uuid: str) -> Response:
    with backend.lock:
        hook = backend.lookup_webhook(hook_uuid, client, "GET")
        answer = _envelope(hook.to_json(), hook.requests)
    return _json_response(answer)


def delete_webhook(
    backend: SandboxState, request: Request, client: str, hook_uuid: str
) -> Response:
    with backend.lock:
        now = backend.now()
        hook = backend.lookup_webhook(hook_uuid, client, "DELETE")
        del backend.webhooks[hook.uuid]
        backend.outbox.drop(hook.uuid)
        api_request = backend._done_request("DELETE", now)
        answer = _envelope({"uuid": hook.uuid}, [api_request])
    return _json_response(answer)
