"""Calculator: prices and terms, tariffs, international restrictions (beyond OPI)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import call
from ..params import CALCULATOR, TEST_API, TOKEN

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


def _post(path: str) -> Any:
    def send(
        ctx: CallContext, token: str | None, shipment: dict[str, Any], test_api: bool = False
    ) -> Any:
        return call(ctx, "POST", path, token=token, test_api=test_api, json_body=shipment)

    return send


calculate_tariff = _post("/calculator/tariff")
calculate_tariff_list = _post("/calculator/tarifflist")
calculate_tariffs_and_services = _post("/calculator/tariffAndService")
get_international_restrictions = _post("/international/package/restrictions")


def get_available_tariffs(
    ctx: CallContext, token: str | None, lang: str | None = None, test_api: bool = False
) -> Any:
    # CDEK reads the language from a header here, not from the query as elsewhere.
    headers = {"X-User-Lang": lang} if lang else None
    return call(
        ctx, "GET", "/calculator/alltariffs", token=token, test_api=test_api, headers=headers
    )


METHODS = (
    Method(
        name="CalculateTariff",
        summary="Calculates the price and terms of one tariff, with services",
        group=CALCULATOR,
        function=calculate_tariff,
        params=(TOKEN, SHIPMENT, TEST_API),
        docs_url="https://api-docs.cdek.ru/63345519.html",
        returns="delivery_sum, period_min, period_max, total_sum, services, …",
    ),
    Method(
        name="CalculateTariffList",
        summary="Calculates price and terms for every available tariff",
        group=CALCULATOR,
        function=calculate_tariff_list,
        params=(TOKEN, SHIPMENT, TEST_API),
        docs_url="https://api-docs.cdek.ru/63345430.html",
        returns="tariff_codes: a list of tariffs with their price and terms",
    ),
    Method(
        name="CalculateTariffsAndServices",
        summary="Calculates the available tariffs with their additional services priced",
        group=CALCULATOR,
        function=calculate_tariffs_and_services,
        params=(TOKEN, SHIPMENT, TEST_API),
        docs_url="https://api-docs.cdek.ru/172025345.html",
        returns="tariffs with their services and prices",
    ),
    Method(
        name="GetAvailableTariffs",
        summary="Gets the tariffs available under the contract",
        group=CALCULATOR,
        function=get_available_tariffs,
        params=(
            TOKEN,
            Param(
                "Lang",
                "--lang",
                Kind.CHOICE,
                "Language of the answer (sent as the X-User-Lang header)",
                choices=("rus", "eng", "zho"),
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/165719485.html",
        returns="tariff_codes: the tariffs with names and delivery modes",
    ),
    Method(
        name="GetInternationalRestrictions",
        summary="Gets the restrictions for an international parcel",
        group=CALCULATOR,
        function=get_international_restrictions,
        params=(TOKEN, SHIPMENT, TEST_API),
        docs_url="https://api-docs.cdek.ru/153225521.html",
        returns="The restrictions that apply to the shipment",
    ),
)
