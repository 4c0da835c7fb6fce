"""Parameters and groups shared by many CDEK methods, described once."""

from __future__ import annotations

from oint_core import Kind, Param

COMMON = "Common methods"
ORDERS = "Orders management"
DELIVERY = "Delivery management"
# Beyond OPI's three regions, for the rest of CDEK API v2.
LOCATIONS = "Locations"
CALCULATOR = "Calculator"
DOCUMENTS = "Print forms and photos"
WEBHOOKS = "Webhooks"
GROUPS = (COMMON, ORDERS, DELIVERY, LOCATIONS, CALCULATOR, DOCUMENTS, WEBHOOKS)

TOKEN = Param(
    "Token",
    "--token",
    Kind.STRING,
    "Auth token",
    secret=True,
    env="OINT_CDEK_TOKEN",
    example="***",  # always shown in examples, masked
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
# Reads that name an order either way (CDEK takes order_uuid or cdek_number).
ORDER_UUID_OR_NUMBER = Param("UUID", "--uuid", Kind.UUID, "Order UUID (or give --number)")
CDEK_NUMBER = Param("CDEKNumber", "--number", Kind.STRING, "CDEK order number, instead of --uuid")
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
ALL_PAGES = Param(
    "All",
    "--all",
    Kind.BOOLEAN,
    "Read every page (page 0, 1, … until an empty one) and return one list",
    default=False,
)
