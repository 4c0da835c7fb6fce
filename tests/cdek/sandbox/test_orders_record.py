"""The order record as CDEK shows it: what it adds to the body (prices, package ids,
locations, the INSURANCE it adds itself...) and the errors of a body it cannot place."""

from __future__ import annotations

import re
import uuid

from ..conftest import order_body
from .conftest import RECORDED_LIKE, Client, only_error_400


def test_a_read_right_after_the_create_shows_the_order_accepted(cdek: Client) -> None:
    order_uuid = cdek.accepted(cdek.post("/orders", json=RECORDED_LIKE))
    entity = cdek.read(f"/orders/{order_uuid}")["entity"]
    [status] = entity["statuses"]
    assert (status["code"], status["name"], status["city"]) == ("ACCEPTED", "Принят", "Офис СДЭК")
    assert status["deleted"] is False
    assert entity["packages"][0]["package_id"] and entity["delivery_detail"]["total_sum"] > 0
    cdek.advance()
    statuses = cdek.read(f"/orders/{order_uuid}")["entity"]["statuses"]
    assert [(s["code"], s["city"]) for s in statuses] == [
        ("CREATED", "Офис СДЭК"),
        ("ACCEPTED", "Офис СДЭК"),
    ]


def test_the_order_is_priced_by_the_calculator_with_vat(cdek: Client) -> None:
    entity = cdek.settled_order(RECORDED_LIKE)
    shipment = {k: RECORDED_LIKE[k] for k in ("tariff_code", "from_location", "to_location")}
    shipment["packages"] = [{"weight": 4000, "length": 10, "width": 10, "height": 10}]
    quote = cdek.post("/calculator/tariff", json=shipment).json()
    detail = entity["delivery_detail"]
    delivery = quote["delivery_sum"]
    assert detail == {
        "delivery_sum": delivery,
        "total_sum": round(delivery * 1.2 + 14.4 + 5.4, 2),
        "payment_info": [],
        "delivery_vat_rate": 20,
        "delivery_vat_sum": round(delivery * 0.2, 2),
        "delivery_discount_percent": 0.0,
        "delivery_discount_sum": 0.0,
    }
    # The SMS the order asked for, then the INSURANCE CDEK adds of the items' cost x amount.
    assert entity["services"] == [
        {
            "code": "SMS",
            "sum": 12.0,
            "total_sum": 14.4,
            "discount_percent": 0.0,
            "discount_sum": 0.0,
            "vat_rate": 20,
            "vat_sum": 2.4,
        },
        {
            "code": "INSURANCE",
            "parameter": "600.00",
            "sum": 4.5,
            "total_sum": 5.4,
            "discount_percent": 0.0,
            "discount_sum": 0.0,
            "vat_rate": 20,
            "vat_sum": 0.9,
        },
    ]
    assert entity["delivery_mode"] == "1"  # tariff 139: door to door
    assert entity["has_reverse_order"] is False and entity["calls"] == {}


def test_packages_and_items_carry_what_cdek_adds(cdek: Client) -> None:
    entity = cdek.settled_order(RECORDED_LIKE)
    [package] = entity["packages"]
    uuid.UUID(package["package_id"])
    assert re.fullmatch(r"\d{12}", package["barcode"])
    assert (package["weight_volume"], package["weight_calc"]) == (200, 4000)  # 10x10x10 / 5
    [item] = package["items"]
    assert (item["weight_gross"], item["delivery_amount"]) == (700, 0)
    assert item["payment"] == {"value": 3000.0, "vat_sum": 0.0}
    assert isinstance(item["cost"], float)
    again = cdek.read(f"/orders/{entity['uuid']}")["entity"]["packages"][0]
    assert (again["package_id"], again["barcode"]) == (package["package_id"], package["barcode"])


def test_locations_are_resolved_from_codes_and_offices(cdek: Client) -> None:
    entity = cdek.settled_order(RECORDED_LIKE)
    moscow, novosibirsk = entity["from_location"], entity["to_location"]
    assert {k: moscow[k] for k in ("code", "city", "country_code", "region_code")} == {
        "code": 44,
        "city": "Москва",
        "country_code": "RU",
        "region_code": 81,
    }
    assert moscow["fias_guid"] == "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"
    assert moscow["address"] == "ул. Лесная, 1"
    assert (novosibirsk["code"], novosibirsk["kladr_code"]) == (270, "5400000100000")
    assert {"city_uuid", "country", "region", "sub_region", "longitude", "latitude"} <= set(
        novosibirsk
    )
    by_office = cdek.settled_order(order_body(number="by-office"))  # shipment_point MSK123
    assert by_office["from_location"]["code"] == 44
    assert by_office["from_location"]["address"] == "ул. Тверская, 7"
    assert by_office["to_location"]["city"] == "Санкт-Петербург"
    assert by_office["delivery_mode"] == "4"  # tariff 136: office to office


def test_sender_and_seller_are_always_shown(cdek: Client) -> None:
    entity = cdek.settled_order(RECORDED_LIKE)
    assert entity["sender"]["name"] and entity["seller"]["name"]
    assert entity["sender"]["passport_requirements_satisfied"] is True  # domestic
    sender = {"name": "Петров Пётр", "company": "ООО Ромашка"}
    given = cdek.settled_order({**RECORDED_LIKE, "number": "with-sender", "sender": sender})
    assert {k: given["sender"][k] for k in sender} == sender
    assert (given["items_cost_currency"], given["recipient_currency"]) == ("RUB", "RUB")


def test_an_order_without_a_number_shows_none(cdek: Client) -> None:
    body = {k: v for k, v in RECORDED_LIKE.items() if k != "number"}
    assert "number" not in cdek.settled_order(body)


def test_money_is_shown_with_decimals(cdek: Client) -> None:
    body = {
        **RECORDED_LIKE,
        "delivery_recipient_cost": {"value": 50},
        "delivery_recipient_cost_adv": [{"threshold": 200, "sum": 3000}],
    }
    entity = cdek.settled_order(body)
    assert entity["delivery_recipient_cost"] == {"value": 50.0, "vat_sum": 0.0}
    assert entity["delivery_recipient_cost_adv"] == [
        {"threshold": 200, "sum": 3000.0, "vat_sum": 0.0}
    ]


def test_an_unknown_city_or_office_is_not_recognized(cdek: Client) -> None:
    errors = cdek.post("/orders", json=order_body(shipment_point="NOPE1")).json()
    assert [e["code"] for e in errors["requests"][0]["errors"]] == [
        "v2_sender_location_not_recognized"
    ]
    body = {**RECORDED_LIKE, "to_location": {"code": 999999}}
    assert only_error_400(cdek.post("/orders", json=body))["code"] == (
        "v2_recipient_location_not_recognized"
    )


def test_missing_fields_are_worded_as_cdek_words_them(cdek: Client) -> None:
    body = {k: v for k, v in RECORDED_LIKE.items() if k != "recipient"}
    error = only_error_400(cdek.post("/orders", json=body))
    assert (error["code"], error["message"]) == ("v2_field_is_empty", "[recipient] is empty")
