"""The sandbox's entities and the rules they own (no state, no werkzeug): see ``common``
for what they share, ``orders`` for the order's write rules, ``records`` for print forms,
prealerts, intakes and delivery appointments."""

from __future__ import annotations

from .access import FAULT_KINDS, _Fault, _jwt_like, _Token
from .common import (
    ACCEPTED,
    INVALID,
    SUCCESSFUL,
    _ApiRequest,
    _conclude,
    _entity_invalid,
    _envelope,
    _forbidden,
    _owned,
    _similar_request,
    _Tracked,
)
from .orders import STATUS_NAMES, _Order
from .photos import _photo_zip, _PhotoArchive
from .records import (
    _BarcodeForm,
    _DeliveryAppointment,
    _Intake,
    _Linked,
    _OrderList,
    _Prealert,
    _PrintForm,
    _Record,
    _Timer,
    _WaybillForm,
)
from .webhooks import _WEBHOOK_LIMIT, WEBHOOK_TYPES, _Webhook

__all__ = [
    "ACCEPTED",
    "FAULT_KINDS",
    "INVALID",
    "STATUS_NAMES",
    "SUCCESSFUL",
    "WEBHOOK_TYPES",
    "_WEBHOOK_LIMIT",
    "_ApiRequest",
    "_BarcodeForm",
    "_DeliveryAppointment",
    "_Fault",
    "_Intake",
    "_Linked",
    "_Order",
    "_OrderList",
    "_PhotoArchive",
    "_Prealert",
    "_PrintForm",
    "_Record",
    "_Timer",
    "_Token",
    "_Tracked",
    "_WaybillForm",
    "_Webhook",
    "_conclude",
    "_entity_invalid",
    "_envelope",
    "_forbidden",
    "_jwt_like",
    "_owned",
    "_photo_zip",
    "_similar_request",
]
