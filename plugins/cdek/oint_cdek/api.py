"""Where CDEK lives, and how a method sends one request to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oint_core import ApiError, UsageError

if TYPE_CHECKING:
    from oint_core import CallContext

PRODUCTION_ROOT = "https://api.cdek.ru/v2"
TEST_ROOT = "https://api.edu.cdek.ru/v2"
BASE_URL_ENV = "OINT_CDEK_BASE_URL"


def api_root(ctx: CallContext) -> str:
    """The call's API root: test or production by its ``test_api``; ``OINT_CDEK_BASE_URL``
    replaces both, so the same commands run on a sandbox."""
    override = ctx.env(BASE_URL_ENV)
    if override:
        where = ctx.settings.label(BASE_URL_ENV) if ctx.settings is not None else BASE_URL_ENV
        return checked_root(override.rstrip("/"), where)
    return TEST_ROOT if ctx.values.get("test_api") else PRODUCTION_ROOT


def checked_root(root: str, where: str = BASE_URL_ENV) -> str:
    """``root`` if it is an http(s) URL with a host; a ``UsageError`` naming the setting
    (``where``: the variable, or the profile key it came from) otherwise, before anything
    is sent."""
    from urllib.parse import urlsplit

    from oint_core.http import display_url

    try:
        parts = urlsplit(root)
        good = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        good = False
    if not good:
        raise UsageError(
            f"{where}: {display_url(root)!r} is not an http:// or https:// URL"
            f" (like {PRODUCTION_ROOT}); nothing was sent"
        )
    return root


def call(ctx: CallContext, verb: str, path: str, **request: Any) -> Any:
    """Send ``verb {root}{path}`` with a bearer token (the call's ``token``, or a managed one)
    and return the answer. ``request`` goes to ``HttpClient.request`` (``params``,
    ``json_body``, ``headers``, ``binary``).

    ``path`` may also be a full URL on CDEK's side (print-form links).
    """
    from .auth import with_token  # tokens (and the token cache) load with the first request

    root = api_root(ctx)
    url = path if path.startswith(("http://", "https://")) else root + path
    answer = with_token(
        ctx,
        ctx.values.get("token"),
        root,
        lambda bearer: ctx.http.request(verb, url, bearer=bearer, **request),
    )
    if verb != "GET":
        refuse_invalid(ctx, answer)
    surface_warnings(ctx, answer)
    return answer


# Codes CDEK documents as "try again later". oint reports them and leaves the decision to the
# caller: a write has no idempotency key, so repeating it blindly could do it twice.
RETRYABLE_CODES = frozenset({"v2_similar_request_still_processed", "v2_internal_error"})


def refuse_invalid(ctx: CallContext, answer: Any) -> None:
    """A 2xx answer to a write whose request is already INVALID is a failure, not a result."""
    if not isinstance(answer, dict):
        return
    invalid = [
        r
        for r in answer.get("requests") or []
        if isinstance(r, dict) and r.get("state") == "INVALID"
    ]
    errors = [e for r in invalid for e in r.get("errors") or [] if isinstance(e, dict)]
    if not invalid:
        return
    listed = [r for r in answer.get("requests") or [] if isinstance(r, dict)]
    # Every request refused: nothing was made ("sent": yes, as after a 400). One accepted
    # beside them may have been processed, so then the write stays "unknown".
    if len(invalid) == len(listed):
        ctx.http.write_refused()
    codes = {str(e.get("code")) for e in errors}
    detail = "; ".join(f"{e.get('code', '?')}: {e.get('message', '')}" for e in errors)
    hint = (
        " (CDEK says try again later; oint does not repeat writes on its own)"
        if (codes & RETRYABLE_CODES)
        else ""
    )
    raise ApiError(
        f"{ctx.provider} answered {ctx.http.last_status} but the request is INVALID:"
        f" {detail or 'no error details'}{hint}",
        status=ctx.http.last_status or 200,
        body=answer,
        errors=errors,
    )


def surface_warnings(ctx: CallContext, answer: Any) -> None:
    """CDEK puts warnings (``v2_cost_change_by_*``, ``v2_late_intake``) next to success,
    where they are easy to miss: each one is reported on its own line."""
    if not isinstance(answer, dict):
        return
    for request in answer.get("requests") or []:
        for warning in (request.get("warnings") or []) if isinstance(request, dict) else []:
            if isinstance(warning, dict):
                ctx.warn(f"{warning.get('code', '?')}: {warning.get('message', '')}")


def query(values: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters in CDEK's spelling: booleans ``true``/``false``, dates ``YYYY-MM-DD``,
    lists comma-separated. ``None`` means "not given"; 0, false and "" are sent as given.
    """
    params: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        params[name] = query_value(value)
    return params


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(query_value(v) for v in value)
    return str(value)


def cdek_datetime(value: dt.datetime) -> str:
    """CDEK's ``YYYY-MM-DDTHH:MM:SS+0000``; a naive time is taken as UTC, as OPI does."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S") + "+0000"


def call_with_notice(ctx: CallContext, notice: str, verb: str, path: str, **request: Any) -> Any:
    """``call``, then ``notice`` as a warning once the request was sent (answered or not).

    A usage error stays the one line it is: nothing was sent, so the notice is not news.
    """
    try:
        answer = call(ctx, verb, path, **request)
    except UsageError:
        raise
    except Exception:
        ctx.warn(notice)
        raise
    ctx.warn(notice)
    return answer


def order_ref(ctx: CallContext, uuid: str | None, number: str | None) -> dict[str, str]:
    """The query naming one order, by its UUID or by its CDEK number (exactly one)."""
    if (uuid is None) == (number is None):
        names = ("--uuid", "--number") if ctx.style == "cli" else ("uuid", "cdek_number")
        raise UsageError(f"give the order as {names[0]} or as {names[1]} (one of them)")
    if uuid is not None:
        return {"order_uuid": str(uuid)}
    return {"cdek_number": cdek_number(ctx, str(number), "--number", "cdek_number")}


def cdek_number(ctx: CallContext, value: str, option: str, keyword: str) -> str:
    """A CDEK order number as CDEK takes it (an integer), refused before sending otherwise."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        label = option if ctx.style == "cli" else keyword
        raise UsageError(
            f"{label}: {value!r} is not a CDEK order number (digits only); a shop's own"
            " number goes with --internal true to GetOrderByNumber",
            option=option,
        )
    return text


def orders_list(uuids: list[Any]) -> list[dict[str, str]]:
    """CDEK's ``orders`` array for print forms and prealerts: ``[{"order_uuid": …}, …]``."""
    return [{"order_uuid": str(uuid)} for uuid in uuids]
