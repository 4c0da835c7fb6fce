"""Parameters and groups shared by many CDEK methods, described once."""

from __future__ import annotations

from oint_core import Kind, Param

from .vocabulary import (
    BARCODE_FORMATS,
    BARCODE_LANGUAGES,
    DEFAULT_BARCODE_FORMAT,
    DEFAULT_BARCODE_LANGUAGE,
    DEFAULT_RECEIPT_TYPE,
    RECEIPT_TYPES,
)

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
    env="OINT_CDEK_TESTAPI",
    example=True,
)
#: What CDEK's own plumbing reads (``api.call``), not the method functions: the token and
#: which API to call. Every method that sends a request declares them with ``with_auth``.
CONTEXT_PARAMS = (TOKEN.keyword, TEST_API.keyword)


def with_auth(*params: Param) -> tuple[Param, ...]:
    """A sending method's parameters in OPI's order: the token, its own, then the test flag."""
    return (TOKEN, *params, TEST_API)


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

# -- print forms: waybills (receipts) and barcode labels ------------------------------------

FORM_UUID = Param("UUID", "--uuid", Kind.UUID, "UUID of the print form", required=True)
GET_FILE = Param(
    "GetFile",
    "--getfile",
    Kind.BOOLEAN,
    "True > the PDF file is downloaded, False > CDEK's answer about the form",
    default=False,
)
RECEIPT_OPTIONS = (
    Param(
        "Type",
        "--type",
        Kind.CHOICE,
        "Receipt type (language)",
        default=DEFAULT_RECEIPT_TYPE,
        choices=RECEIPT_TYPES,
    ),
    Param(
        "CopiesPerSheet",
        "--count",
        Kind.INTEGER,
        "Number of copies of one receipt per sheet",
        default=2,
    ),
)
BARCODE_OPTIONS = (
    Param("Copies", "--count", Kind.INTEGER, "Number of copies", default=1),
    Param(
        "Format",
        "--format",
        Kind.CHOICE,
        "Print format",
        default=DEFAULT_BARCODE_FORMAT,
        choices=BARCODE_FORMATS,
    ),
    Param(
        "Lang",
        "--lang",
        Kind.CHOICE,
        "Barcode language",
        default=DEFAULT_BARCODE_LANGUAGE,
        choices=BARCODE_LANGUAGES,
    ),
)

# -- what methods return ---------------------------------------------------------------------

ENVELOPE = "CDEK's answer: the request envelope (entity.uuid, requests[].state)"
LAYOUT = "no request is made"
