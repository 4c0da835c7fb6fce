"""Calculator: prices and terms, tariffs, international restrictions (beyond OPI).

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import call
from ..params import CALCULATOR, with_auth

if TYPE_CHECKING:
    from oint_core import CallContext

SHIPMENT = Param(
    "Shipment",
    "--shipment",
    Kind.OBJECT,
    "The shipment as CDEK's calculator takes it: from_location, to_location, packages,"
    " tariff_code, services, …",
    required=True,
    example="{'tariff_code': 139, 'from_location': {'code': 44}, 'to_location': {'code': 270},"
    " 'packages': [{'weight': 1200}]}",
)


def calculate_tariff(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/calculator/tariff", json_body=shipment)


CALCULATE_TARIFF = Method(
    name="CalculateTariff",
    summary="Calculates the price and terms of one tariff, with services",
    group=CALCULATOR,
    effect="read",
    function=calculate_tariff,
    params=with_auth(SHIPMENT),
    docs_url="https://api-docs.cdek.ru/63345519.html",
    returns="delivery_sum, period_min, period_max, total_sum, services, …",
)


def calculate_tariff_list(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/calculator/tarifflist", json_body=shipment)


CALCULATE_TARIFF_LIST = Method(
    name="CalculateTariffList",
    summary="Calculates price and terms for every available tariff",
    group=CALCULATOR,
    effect="read",
    function=calculate_tariff_list,
    params=with_auth(SHIPMENT),
    docs_url="https://api-docs.cdek.ru/63345430.html",
    returns="tariff_codes: a list of tariffs with their price and terms",
)


def calculate_tariffs_and_services(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/calculator/tariffAndService", json_body=shipment)


CALCULATE_TARIFFS_AND_SERVICES = Method(
    name="CalculateTariffsAndServices",
    summary="Calculates the available tariffs with their additional services priced",
    group=CALCULATOR,
    effect="read",
    function=calculate_tariffs_and_services,
    params=with_auth(SHIPMENT),
    docs_url="https://api-docs.cdek.ru/172025345.html",
    returns="tariffs with their services and prices",
)


def get_available_tariffs(ctx: CallContext, lang: str | None) -> Any:
    # CDEK reads the language from a header here, not from the query as elsewhere.
    headers = {"X-User-Lang": lang} if lang else None
    return call(ctx, "GET", "/calculator/alltariffs", headers=headers)


GET_AVAILABLE_TARIFFS = Method(
    name="GetAvailableTariffs",
    summary="Gets the tariffs available under the contract",
    group=CALCULATOR,
    effect="read",
    function=get_available_tariffs,
    params=with_auth(
        Param(
            "Lang",
            "--lang",
            Kind.CHOICE,
            "Language of the answer (sent as the X-User-Lang header)",
            choices=("rus", "eng", "zho"),
        )
    ),
    docs_url="https://api-docs.cdek.ru/165719485.html",
    returns="tariff_codes: the tariffs with names and delivery modes",
)


def get_international_restrictions(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/international/package/restrictions", json_body=shipment)


GET_INTERNATIONAL_RESTRICTIONS = Method(
    name="GetInternationalRestrictions",
    summary="Gets the restrictions for an international parcel",
    group=CALCULATOR,
    effect="read",
    function=get_international_restrictions,
    params=with_auth(SHIPMENT),
    docs_url="https://api-docs.cdek.ru/153225521.html",
    returns="The restrictions that apply to the shipment",
)

METHODS = (
    CALCULATE_TARIFF,
    CALCULATE_TARIFF_LIST,
    CALCULATE_TARIFFS_AND_SERVICES,
    GET_AVAILABLE_TARIFFS,
    GET_INTERNATIONAL_RESTRICTIONS,
)
