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
    "Auth token (if omitted: OINT_CDEK_TOKEN, else a token oint gets and caches from"
    " OINT_CDEK_ACCOUNT and OINT_CDEK_PASSWORD)",
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
UUID_ARRAY = Param(
    "UUIDArray",
    "--uuids",
    Kind.LIST,
    "One or an array of order UUIDs",
    required=True,
    items=Kind.UUID,
)
RECEIVING_DATE = Param("ReceivingDate", "--date", Kind.DATE, "Date of receiving", required=True)
CLEAR = Param(
    "Clear",
    "--empty",
    Kind.BOOLEAN,
    "True > structure with empty values, False > field descriptions at values",
    default=False,
)
REQUIRED_ONLY = Param(
    "RequiredOnly",
    "--required",
    Kind.BOOLEAN,
    "True > only required fields will be in the set",
    default=False,
)
