"""What CDEK adds to an order it shows (``GET /v2/orders``): resolved locations, packages
with their ids, barcodes and weights, the INSURANCE service it adds itself, every service
and the delivery priced (with VAT) by the sandbox calculator, the delivery mode, the
default sender and seller. Pure functions of the order's body and uuid: nothing is stored,
so an UPDATE is reflected at once."""

from __future__ import annotations

import copy
import uuid as uuid_module
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import calculator
from ..places import city_of, office, shown_location
from ..validation import _is_number

#: CDEK's VAT rate on its services (percent), as its test server shows it.
VAT_RATE = 20
#: Who sends, and sells, when the order does not say: the legal entity of CDEK's test
#: account, as CDEK's test server names it.
ACCOUNT_COMPANY = "Тестирование Интеграции ИМ"
_CURRENCIES = {"RU": "RUB", "KZ": "KZT", "BY": "BYN"}
_VOLUMETRIC_DIVISOR = 5  # cm3 per gram, as the calculator's


def _money(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _vat(amount: Decimal) -> Decimal:
    return amount * VAT_RATE / 100


def _package_id(order_uuid: str, index: int) -> str:
    return str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"cdek-sandbox:{order_uuid}:{index}"))


def _barcode(order_uuid: str, index: int) -> str:
    return f"{uuid_module.UUID(_package_id(order_uuid, index)).int % 10**12:012d}"


def _side(package: dict[str, Any], name: str) -> int | None:
    value = package.get(name)
    return int(value) if _is_number(value) else None


def _weight_volume(package: dict[str, Any]) -> int:
    sides = [_side(package, name) for name in ("length", "width", "height")]
    if any(side is None for side in sides):
        return 0
    length, width, height = (side or 0 for side in sides)
    return length * width * height // _VOLUMETRIC_DIVISOR


def packages(order_uuid: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's packages as CDEK shows them: ``barcode``, ``weight_volume`` (cm3 / 5),
    ``weight_calc`` (the larger of it and the weight) and ``package_id`` added; items get
    ``weight_gross`` (the weight), ``delivery_amount`` 0 and money as decimal numbers."""
    shown: list[dict[str, Any]] = []
    raw = body.get("packages")
    for index, package in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(package, dict):
            continue
        weight = int(package["weight"]) if _is_number(package.get("weight")) else 0
        volume = _weight_volume(package)
        entry = {"number": package.get("number"), "barcode": _barcode(order_uuid, index)}
        entry.update(
            {k: copy.deepcopy(v) for k, v in package.items() if k not in ("number", "items")}
        )
        entry["weight_volume"] = volume
        entry["weight_calc"] = max(weight, volume)
        items = package.get("items")
        if isinstance(items, list):
            entry["items"] = [_item(item) for item in items if isinstance(item, dict)]
        entry["package_id"] = _package_id(order_uuid, index)
        shown.append(entry)
    return shown


def _item(item: dict[str, Any]) -> dict[str, Any]:
    shown = copy.deepcopy(item)
    payment = shown.get("payment")
    if isinstance(payment, dict):
        if _is_number(payment.get("value")):
            payment["value"] = _money(payment["value"])
        payment.setdefault("vat_sum", 0.0)
    if _is_number(shown.get("cost")):
        shown["cost"] = _money(shown["cost"])
    shown.setdefault("weight_gross", shown.get("weight"))
    shown.setdefault("delivery_amount", 0)
    shown.setdefault("excise", False)
    return shown


def declared_value(body: dict[str, Any]) -> Decimal:
    """Items' ``cost`` times ``amount``: what CDEK insures."""
    total = Decimal(0)
    raw = body.get("packages")
    for package in raw if isinstance(raw, list) else []:
        items = package.get("items") if isinstance(package, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            cost, amount = item.get("cost"), item.get("amount", 1)
            if _is_number(cost) and _is_number(amount):
                total += Decimal(str(cost)) * Decimal(str(amount))
    return total


def _decimal(value: Any) -> Decimal | None:
    """A service parameter as a number (CDEK sends it as a string), or None."""
    try:
        number = Decimal(str(value).strip()) if value is not None else None
    except ArithmeticError:
        return None
    return number if number is not None and number.is_finite() else None


def _service_sum(code: str, parameter: Any) -> Decimal:
    """A service's price (without VAT) by the sandbox calculator; 0 for services the
    calculator does not price."""
    if code not in calculator.SERVICES:
        return Decimal(0)
    amount = _decimal(parameter)
    if code == "INSURANCE" and amount is None:
        return Decimal(0)
    return Decimal(str(calculator.price_services([(code, amount)])[0]["sum"]))


def services(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's services, then the INSURANCE CDEK adds itself (of the declared value)
    when the body has none; each priced: ``sum`` without VAT, ``vat_rate``, ``vat_sum``,
    ``total_sum`` with it, no discount."""
    raw = body.get("services")
    given = [copy.deepcopy(s) for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
    if not any(str(s.get("code", "")).upper() == "INSURANCE" for s in given):
        given.append({"code": "INSURANCE", "parameter": f"{declared_value(body):.2f}"})
    shown = []
    for service in given:
        price = _service_sum(str(service.get("code", "")).upper(), service.get("parameter"))
        vat = _vat(price)
        service.update(
            {
                "sum": _money(price),
                "total_sum": _money(price + vat),
                "discount_percent": 0.0,
                "discount_sum": 0.0,
                "vat_rate": VAT_RATE,
                "vat_sum": _money(vat),
            }
        )
        shown.append(service)
    return shown


def delivery_mode(body: dict[str, Any], tariff_code: int) -> int:
    """The tariff's delivery mode; for a tariff the calculator does not know, the one the
    body implies (an office code at either end: office, else door)."""
    tariff = calculator.TARIFFS.get(tariff_code)
    if tariff is not None:
        return tariff.delivery_mode
    from_office = office(body.get("shipment_point")) is not None
    to_office = office(body.get("delivery_point")) is not None
    return {(False, False): 1, (False, True): 2, (True, False): 3, (True, True): 4}[
        (from_office, to_office)
    ]


_PRICE_DAY = date(2026, 1, 1)


def delivery_sum(body: dict[str, Any], tariff_code: int) -> Decimal:
    """The calculator's delivery price for the order's cities and packages; a tariff it
    does not know is priced as the parcel tariff (136-139) of the same delivery mode."""
    mode = delivery_mode(body, tariff_code)
    tariff = calculator.TARIFFS.get(tariff_code) or next(
        t for t in calculator.TARIFFS.values() if t.delivery_mode == mode
    )
    cities = [
        city_of(body.get("from_location"), body.get("shipment_point")),
        city_of(body.get("to_location"), body.get("delivery_point")),
    ]
    if cities[0] is None or cities[1] is None:
        return Decimal(0)
    weight = sum(p["weight_calc"] for p in packages("", body))
    # Only the price is read, and it does not depend on the day of hand-over.
    shipment = calculator.Shipment(tariff, cities[0], cities[1], weight, [], "rus", _PRICE_DAY)
    return Decimal(str(calculator.quote(tariff, shipment)["delivery_sum"]))


def delivery_detail(
    body: dict[str, Any], tariff_code: int, priced: list[dict[str, Any]], cod: float | None
) -> dict[str, Any]:
    """``delivery_detail``: the delivery price and its VAT, and ``total_sum`` = the delivery
    with VAT plus every service's ``total_sum``; ``payment_info`` lists the cash on
    delivery taken (``cod``, once delivered)."""
    price = delivery_sum(body, tariff_code)
    vat = _vat(price)
    total = price + vat + sum((Decimal(str(s["total_sum"])) for s in priced), Decimal(0))
    payment_info = [{"type": "CARD", "sum": _money(cod)}] if cod else []
    return {
        "delivery_sum": _money(price),
        "total_sum": _money(total),
        "payment_info": payment_info,
        "delivery_vat_rate": VAT_RATE,
        "delivery_vat_sum": _money(vat),
        "delivery_discount_percent": 0.0,
        "delivery_discount_sum": 0.0,
    }


def _contact(contact: Any, domestic: bool) -> dict[str, Any]:
    shown = copy.deepcopy(contact) if isinstance(contact, dict) else {}
    has_passport = bool(shown.get("passport_series") and shown.get("passport_number"))
    shown["passport_requirements_satisfied"] = domestic or has_passport
    return shown


def _with_vat_sum(value: Any) -> Any:
    if isinstance(value, dict):
        shown = copy.deepcopy(value)
        for key in ("value", "sum"):
            if _is_number(shown.get(key)):
                shown[key] = _money(shown[key])
        shown.setdefault("vat_sum", 0.0)
        return shown
    if isinstance(value, list):
        return [_with_vat_sum(entry) for entry in value]
    return copy.deepcopy(value)


def details(order_uuid: str, body: dict[str, Any], tariff_code: int) -> dict[str, Any]:
    """Every key of the order's answer that CDEK derives from (or adds to) its body."""
    from_location = shown_location(body.get("from_location"), body.get("shipment_point"))
    to_location = shown_location(body.get("to_location"), body.get("delivery_point"))
    countries = [loc["country_code"] if loc else "RU" for loc in (from_location, to_location)]
    domestic = countries[0] == countries[1]
    sender = body.get("sender")
    if not isinstance(sender, dict) or not sender:
        sender = {"company": ACCOUNT_COMPANY, "name": ACCOUNT_COMPANY}
        sender["contragent_type"] = "LEGAL_ENTITY"
    shown: dict[str, Any] = {
        "items_cost_currency": body.get("items_cost_currency") or "RUB",
        "recipient_currency": body.get("recipient_currency") or _CURRENCIES.get(countries[1]),
    }
    for key in ("delivery_recipient_cost", "delivery_recipient_cost_adv"):
        if key in body:
            shown[key] = _with_vat_sum(body[key])
    shown["sender"] = _contact(sender, domestic)
    shown["seller"] = copy.deepcopy(body.get("seller")) or {"name": ACCOUNT_COMPANY}
    shown["recipient"] = _contact(body.get("recipient"), domestic)
    shown["from_location"] = from_location
    shown["to_location"] = to_location
    shown["services"] = services(body)
    shown["packages"] = packages(order_uuid, body)
    return shown
