"""OPI region "Orders management"."""

from __future__ import annotations

from typing import Any

from oint_core import CallContext, Method

from ..api import call
from ..params import ORDER_UUID, ORDERS, TEST_API, TOKEN


def create_refusal(ctx: CallContext, token: str, uuid: str, test_api: bool = False) -> Any:
    """Register the recipient's refusal: CDEK returns the order to the shop (status 11)."""
    return call(ctx, "POST", f"/orders/{uuid}/refusal", token=token, test_api=test_api)


METHODS = (
    Method(
        name="CreateRefusal",
        summary="Creates an order refusal to return to the online store",
        group=ORDERS,
        function=create_refusal,
        params=(TOKEN, ORDER_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/55327658.html",
        returns="CDEK's answer: the request envelope (entity.uuid, requests[].state)",
    ),
)
