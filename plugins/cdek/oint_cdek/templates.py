"""Field layouts for CDEK's structured parameters (OPI's Get…Description methods).

Each layout is data: a leaf is the field's description. ``--required`` keeps the required
part only; ``--empty`` turns every leaf into an empty string, giving a skeleton to fill in.
"""

from __future__ import annotations

from typing import Any

PHONE = {"number": "Phone number", "additional": "Additional information (extension number)"}

PARTY = {
    "company": "Company name",
    "name": "Full name of the contact person",
    "passport_series": "Passport series",
    "passport_number": "Passport number",
    "passport_date_of_issue": "Date of issue of the passport",
    "passport_organization": "Passport issuing authority",
    "tin": "TIN",
    "passport_date_of_birth": "Birth date",
    "email": "Email (RFC 2822)",
    "contragent_type": "Type: LEGAL_ENTITY, INDIVIDUAL",
    "phones": [PHONE],
}

ADDRESS = {
    "code": "CDEK locality code",
    "fias_guid": "Unique FIAS identifier",
    "postal_code": "Postal code",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "country_code": "Country code (ISO 3166-1 alpha-2)",
    "region": "Region name, refines the city field",
    "region_code": "CDEK region code, refines the city field",
    "sub_region": "District of the region, refines the region field",
    "city": "City name, refines postal_code",
    "kladr_code": "KLADR code",
    "address": "Address line",
}

VAT = {
    "value": "Amount, including VAT",
    "vat_sum": "VAT amount",
    "vat_rate": "VAT rate (0, 10, 12, 20; null: no VAT)",
}

ORDER_REQUIRED = {
    "tariff_code": "Tariff code",
    "recipient": PARTY,
    "packages": [
        {
            "number": "Package number",
            "weight": "Total weight (grams)",
            "length": "Package length (cm)",
            "width": "Package width (cm)",
            "height": "Package height (cm)",
            "comment": "Package comment",
            "items": [
                {
                    "name": "Product name",
                    "ware_key": "Product ID / article",
                    "marking": "Product marking",
                    "payment": {**VAT, "value": "Cash on delivery amount, including VAT"},
                    "cost": "Declared price of the product",
                    "weight": "Weight per unit (grams)",
                    "weight_gross": "Gross weight",
                    "amount": "Number of units",
                    "name_i18n": "Name in a foreign language",
                    "brand": "Brand in a foreign language",
                    "country_code": "Country of manufacture (ISO 3166-1 alpha-2)",
                    "material": "Material code",
                    "wifi_gsm": "Contains Wi-Fi or GSM",
                    "url": "Link to the product page in the online store",
                }
            ],
        }
    ],
}

ORDER_FULL = {
    "additional_order_types": "Additional order types",
    "comment": "Order comment",
    "developer_key": "Developer key (for module developers)",
    "shipment_point": "CDEK office code where the shop hands the parcel over",
    "delivery_point": "CDEK office code the parcel is delivered to",
    "date_invoice": "Invoice date",
    "shipper_name": "Shipper",
    "shipper_address": "Shipper's address",
    "sender": PARTY,
    "from_location": ADDRESS,
    "to_location": ADDRESS,
    "services": [{"code": "Additional service type", "parameter": "Service parameter"}],
    "print": "Document to generate together with the order",
    "is_client_return": "Customer return",
    "accompanying_number": "Number of the accompanying waybill",
    "widget_token": "Token from the CDEK widget",
}

ORDER_ONLINE_STORE = {
    "number": "Order number in the shop's system (the order uuid if empty)",
    "delivery_recipient_cost": {**VAT, "value": "Extra delivery charge, including VAT"},
    "delivery_recipient_cost_adv": [
        {
            "threshold": "Goods value threshold, in whole currency units",
            "sum": "Extra delivery charge for goods in this range",
            "vat_sum": "VAT included in the charge",
            "vat_rate": "VAT rate (0, 10, 12, 20; null: no VAT)",
        }
    ],
    "seller": {
        "name": "Name of the true seller",
        "inn": "TIN of the true seller",
        "phone": "Phone of the true seller",
        "ownership_form": "Form of ownership code",
        "address": "Address of the true seller",
    },
}

INTAKE_REQUIRED = {
    "intake_date": "Date the courier is expected (YYYY-MM-DD)",
    "intake_time_from": "Waiting for the courier from (HH:MM)",
    "intake_time_to": "Waiting for the courier until (HH:MM)",
}

INTAKE_FULL = {
    "cdek_number": "CDEK order number",
    "order_uuid": "Order UUID in CDEK",
    "lunch_time_from": "Lunch break start",
    "lunch_time_to": "Lunch break end",
    "name": "Goods description",
    "weight": "Total weight (grams)",
    "length": "Length (cm)",
    "width": "Width (cm)",
    "height": "Height (cm)",
    "comment": "Comment for the courier",
    "need_call": "The courier should call the sender first",
    "courier_power_of_attorney": "The courier needs a power of attorney",
    "courier_identity_card": "The courier needs an identity document",
    "sender": {
        "company": "Sender's company",
        "name": "Full name of the contact person",
        "contragent_type": "Sender type: LEGAL_ENTITY, INDIVIDUAL",
        "phones": [PHONE],
    },
    "from_location": ADDRESS,
}

APPOINTMENT_REQUIRED = {"date": "Delivery date agreed with the recipient (YYYY-MM-DD)"}

APPOINTMENT_FULL = {
    "cdek_number": "CDEK order number",
    "order_uuid": "Order UUID in CDEK",
    "time_from": "Delivery time from, agreed with the recipient",
    "time_to": "Delivery time to, agreed with the recipient",
    "comment": "Comment",
    "delivery_point": "CDEK office code",
    "to_location": ADDRESS,
}

OFFICE_FILTER = {
    "postal_code": "Postal code of the locality",
    "city_code": "CDEK locality code",
    "type": "Office type: PVZ, POSTAMAT, ALL",
    "country_code": "Country code (ISO 3166-1 alpha-2)",
    "region_code": "CDEK region code",
    "have_cashless": "Has card payment",
    "have_cash": "Accepts cash",
    "allowed_cod": "Cash on delivery allowed",
    "is_dressing_room": "Has a fitting room",
    "weight_max": "Maximum weight the office accepts (kg)",
    "weight_min": "Minimum weight the office accepts (kg)",
    "length": "Length of the parcel the office must take (cm)",
    "width": "Width of the parcel the office must take (cm)",
    "height": "Height of the parcel the office must take (cm)",
    "lang": "Language of the answer: rus, eng, zho",
    "take_only": "Only hands parcels out",
    "is_handout": "Hands parcels out",
    "is_reception": "Accepts parcels",
    "fias_guid": "FIAS identifier of the locality",
    "code": "Office code",
    "is_marketplace": "Works with marketplace orders",
    "is_ltl": "Works with large freight",
    "ltl_acceptance_partners": "Accepts large freight from partners",
    "ltl_issuance_partners": "Hands large freight out to partners",
    "fulfillment": "Has a fulfillment service",
    "size": "Page size",
    "page": "Page number, from 0",
}


def layout(*parts: dict[str, Any], empty: bool) -> dict[str, Any]:
    """Merge layout parts; with ``empty`` every description becomes ``""``."""
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    result: dict[str, Any] = _clear(merged) if empty else _copy(merged)
    return result


def _clear(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clear(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clear(v) for v in value]
    return ""


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
