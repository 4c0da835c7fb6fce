"""Every CDEK method, gathered from the modules of OPI's regions."""

from __future__ import annotations

from . import common, delivery, orders

METHODS = (*common.METHODS, *orders.METHODS, *delivery.METHODS)
