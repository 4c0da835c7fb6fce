"""CDEK's closed value lists, as its API v2 specification gives them for requests.

One home for the client (the choices of ``--type``, ``--format``, ``--lang``, the known webhook
types) and the sandbox (what it accepts): a value the client offers is one the sandbox
takes, and both follow the specification (``tests/cdek/test_vocabulary.py`` holds them to it).
Plain tuples, in the specification's order: importing this costs nothing.
"""

from __future__ import annotations

#: Waybill (receipt) templates: WaybillRequestDto.type; CDEK's default is ``tpl_russia``.
RECEIPT_TYPES = (
    "tpl_china",
    "tpl_armenia",
    "tpl_russia",
    "tpl_english",
    "tpl_italian",
    "tpl_korean",
    "tpl_latvian",
    "tpl_lithuanian",
    "tpl_german",
    "tpl_turkish",
    "tpl_czech",
    "tpl_thailand",
    "tpl_invoice",
)
DEFAULT_RECEIPT_TYPE = "tpl_russia"

#: Barcode label paper formats: BarcodeRequestDto.format.
BARCODE_FORMATS = ("A4", "A5", "A6", "A7")
DEFAULT_BARCODE_FORMAT = "A4"

#: Barcode label languages a request may ask for: BarcodeRequestDto.lang (ISO 639-3). The
#: answer's schema (BarcodeDto) lists seven more that CDEK may report but does not take.
BARCODE_LANGUAGES = ("RUS", "ENG")
DEFAULT_BARCODE_LANGUAGE = "RUS"

#: Webhook event types: WebhookDto.type.
WEBHOOK_TYPES = (
    "ORDER_STATUS",
    "ORDER_MODIFIED",
    "PRINT_FORM",
    "RECEIPT",
    "DOWNLOAD_PHOTO",
    "PREALERT_CLOSED",
    "ACCOMPANYING_WAYBILL",
    "OFFICE_AVAILABILITY",
    "DELIV_PROBLEM",
    "DELIV_AGREEMENT",
    "COURIER_INFO",
)

#: At most this many webhook subscriptions per account.
WEBHOOK_LIMIT = 2
