"""Where CDEK lives and how a method sends one request to it."""

from __future__ import annotations

from typing import Any

from oint_core import CallContext

PRODUCTION_ROOT = "https://api.cdek.ru/v2"
TEST_ROOT = "https://api.edu.cdek.ru/v2"
BASE_URL_ENV = "OINT_CDEK_BASE_URL"


def api_root(ctx: CallContext, test_api: bool) -> str:
    """``OINT_CDEK_BASE_URL`` replaces both roots, so the same commands run on a sandbox."""
    override = ctx.env(BASE_URL_ENV)
    if override:
        return override.rstrip("/")
    return TEST_ROOT if test_api else PRODUCTION_ROOT


def call(
    ctx: CallContext,
    verb: str,
    path: str,
    *,
    token: str | None,
    test_api: bool,
    **request: Any,
) -> Any:
    """Send ``verb {root}{path}`` with the bearer token and return the parsed answer."""
    return ctx.http.request(verb, api_root(ctx, test_api) + path, bearer=token, **request)
