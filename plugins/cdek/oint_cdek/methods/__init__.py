"""Every CDEK method, gathered from the modules of OPI's regions and the rest of API v2."""

from __future__ import annotations

from . import calculator, common, delivery, documents, locations, orders, webhooks

METHODS = (
    *common.METHODS,
    *orders.METHODS,
    *delivery.METHODS,
    *locations.METHODS,
    *calculator.METHODS,
    *documents.METHODS,
    *webhooks.METHODS,
)
