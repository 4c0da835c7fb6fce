"""OPI region "Common methods"."""

from __future__ import annotations

from typing import Any

from oint_core import CallContext, Kind, Method, Param

from ..api import call
from ..params import COMMON, TEST_API


def get_token(ctx: CallContext, account: str, password: str, test_api: bool = False) -> Any:
    """Exchange the account and secure password for a bearer token (OAuth client credentials)."""
    form = {"grant_type": "client_credentials", "client_id": account, "client_secret": password}
    return call(ctx, "POST", "/oauth/token", token=None, test_api=test_api, form=form)


METHODS = (
    Method(
        name="GetToken",
        summary="Gets a token based on account ID and password",
        group=COMMON,
        function=get_token,
        params=(
            Param(
                "Account",
                "--account",
                Kind.STRING,
                "Client identifier (Account)",
                required=True,
                env="OINT_CDEK_ACCOUNT",
            ),
            Param(
                "Password",
                "--pass",
                Kind.STRING,
                "Secret key (Password)",
                required=True,
                secret=True,
                env="OINT_CDEK_PASSWORD",
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828799.html",
        returns="access_token, token_type, expires_in (seconds), scope and jti",
    ),
)
