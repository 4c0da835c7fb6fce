"""Locations: city lookup, localities, postal codes, coordinates (beyond OPI)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import call, query
from ..params import ALL_PAGES, LOCATIONS, TEST_API, TOKEN
from .common import filtered_list

if TYPE_CHECKING:
    from oint_core import CallContext

CITY_FILTER_KEYS = (
    "country_codes",
    "region_code",
    "fias_guid",
    "postal_code",
    "code",
    "city",
    "size",
    "page",
    "lang",
    "payment_limit",
)


def suggest_cities(
    ctx: CallContext,
    token: str | None,
    name: str,
    country: str | None = None,
    test_api: bool = False,
) -> Any:
    params = query({"name": name, "country_code": country})
    return call(
        ctx, "GET", "/location/suggest/cities", token=token, test_api=test_api, params=params
    )


def get_cities_list(
    ctx: CallContext,
    token: str | None,
    filter: dict[str, Any] | None = None,
    all: bool = False,
    test_api: bool = False,
) -> Any:
    return filtered_list(ctx, "/location/cities", token, filter, all, test_api)


def get_postal_codes(ctx: CallContext, token: str | None, city: int, test_api: bool = False) -> Any:
    params = query({"code": city})  # CDEK's parameter is "code", the locality's CDEK code
    return call(ctx, "GET", "/location/postalcodes", token=token, test_api=test_api, params=params)


def get_location_by_coordinates(
    ctx: CallContext, token: str | None, latitude: float, longitude: float, test_api: bool = False
) -> Any:
    params = query({"latitude": latitude, "longitude": longitude})
    return call(ctx, "GET", "/location/coordinates", token=token, test_api=test_api, params=params)


METHODS = (
    Method(
        name="SuggestCities",
        summary="Suggests localities by the beginning of their name",
        group=LOCATIONS,
        function=suggest_cities,
        params=(
            TOKEN,
            Param("Name", "--name", Kind.STRING, "Beginning of the locality's name", required=True),
            Param(
                "Country",
                "--country",
                Kind.STRING,
                "Country code (ISO 3166-1 alpha-2) to search in",
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/144007014.html",
        returns="A JSON array of matches: city_uuid, code, full_name",
    ),
    Method(
        name="GetCitiesList",
        summary="Gets the list of localities",
        group=LOCATIONS,
        function=get_cities_list,
        params=(
            TOKEN,
            Param(
                "Filter",
                "--filter",
                Kind.OBJECT,
                "Query keys: " + ", ".join(CITY_FILTER_KEYS),
                example="{'country_codes': 'RU', 'city': 'Новосибирск'}",
            ),
            ALL_PAGES,
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33829437.html",
        returns="A JSON array of localities",
    ),
    Method(
        name="GetPostalCodes",
        summary="Gets the postal codes of a locality",
        group=LOCATIONS,
        function=get_postal_codes,
        params=(
            TOKEN,
            Param("City", "--city", Kind.INTEGER, "CDEK locality code", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/133171036.html",
        returns="code (the city) and postal_codes (a list)",
    ),
    Method(
        name="GetLocationByCoordinates",
        summary="Gets the locality at the given coordinates",
        group=LOCATIONS,
        function=get_location_by_coordinates,
        params=(
            TOKEN,
            Param("Latitude", "--latitude", Kind.NUMBER, "Latitude", required=True),
            Param("Longitude", "--longitude", Kind.NUMBER, "Longitude", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/150012493.html",
        returns="The locality: code, city, fias_guid, country_code, region, …",
    ),
)
