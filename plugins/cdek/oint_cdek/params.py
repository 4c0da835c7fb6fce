"""Parameters and groups shared by many CDEK methods, described once."""

from __future__ import annotations

from oint_core import Kind, Param

COMMON = "Common methods"
ORDERS = "Orders management"
DELIVERY = "Delivery management"
GROUPS = (COMMON, ORDERS, DELIVERY)

TOKEN = Param(
    "Token",
    "--token",
    Kind.STRING,
    "Auth token",
    required=True,
    secret=True,
    env="OINT_CDEK_TOKEN",
)
TEST_API = Param(
    "TestAPI",
    "--testapi",
    Kind.BOOLEAN,
    "Flag to use test API for requests",
    default=False,
    example=True,
)
ORDER_UUID = Param("UUID", "--uuid", Kind.UUID, "Order UUID", required=True)
