"""OPI region "Orders management"."""

from __future__ import annotations

from typing import Any

from oint_core import CallContext, Kind, Method, Param

from ..api import call
from ..params import ORDER_UUID, ORDERS, TEST_API, TOKEN


def create_order(
    ctx: CallContext,
    token: str,
    order_description: dict[str, Any],
    online_store: bool = False,
    test_api: bool = False,
) -> Any:
    """Register an order; CDEK validates it statically and finishes it asynchronously."""
    body = {**order_description, "type": 1 if online_store else 2}
    return call(ctx, "POST", "/orders", token=token, test_api=test_api, json_body=body)


def get_order(ctx: CallContext, token: str, uuid: str, test_api: bool = False) -> Any:
    """The order with its statuses and the state of every request made on it."""
    return call(ctx, "GET", f"/orders/{uuid}", token=token, test_api=test_api)


def create_refusal(ctx: CallContext, token: str, uuid: str, test_api: bool = False) -> Any:
    """Register the recipient's refusal: CDEK returns the order to the shop (status 11)."""
    return call(ctx, "POST", f"/orders/{uuid}/refusal", token=token, test_api=test_api)


METHODS = (
    Method(
        name="CreateOrder",
        summary="Creates an order based on field descriptions",
        group=ORDERS,
        function=create_order,
        params=(
            TOKEN,
            Param(
                "OrderDescription",
                "--order",
                Kind.OBJECT,
                "Set of order fields. See GetOrderDescription",
                required=True,
            ),
            Param(
                "OnlineStore",
                "--ostore",
                Kind.BOOLEAN,
                "Flag of Online store order type",
                default=False,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828802.html",
        returns="CDEK's answer: the request envelope; entity.uuid is the new order's UUID",
    ),
    Method(
        name="GetOrder",
        summary="Gets the order by UUID",
        group=ORDERS,
        function=get_order,
        params=(TOKEN, ORDER_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/33828849.html",
        returns="The order (entity) with its statuses and requests",
    ),
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
