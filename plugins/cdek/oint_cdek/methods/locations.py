"""Locations: city lookup, localities, postal codes, coordinates (beyond OPI).

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import call, query
from ..paging import paged_list
from ..params import ALL_PAGES, LOCATIONS, with_auth

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


def suggest_cities(ctx: CallContext, name: str, country: str | None) -> Any:
    params = query({"name": name, "country_code": country})
    return call(ctx, "GET", "/location/suggest/cities", params=params)


SUGGEST_CITIES = Method(
    name="SuggestCities",
    summary="Suggests localities by the beginning of their name",
    group=LOCATIONS,
    effect="read",
    function=suggest_cities,
    params=with_auth(
        Param("Name", "--name", Kind.STRING, "Beginning of the locality's name", required=True),
        Param(
            "Country", "--country", Kind.STRING, "Country code (ISO 3166-1 alpha-2) to search in"
        ),
    ),
    docs_url="https://api-docs.cdek.ru/144007014.html",
    returns="A JSON array of matches: city_uuid, code, full_name",
)


def get_cities_list(ctx: CallContext, filter: dict[str, Any] | None, all: bool) -> Any:
    return paged_list(ctx, "/location/cities", filter or {}, all)


GET_CITIES_LIST = Method(
    name="GetCitiesList",
    summary="Gets the list of localities",
    group=LOCATIONS,
    effect="read",
    function=get_cities_list,
    params=with_auth(
        Param(
            "Filter",
            "--filter",
            Kind.OBJECT,
            "Query keys: " + ", ".join(CITY_FILTER_KEYS),
            example="{'country_codes': 'RU', 'city': 'Новосибирск'}",
        ),
        ALL_PAGES,
    ),
    docs_url="https://api-docs.cdek.ru/33829437.html",
    returns="A JSON array of localities",
)


def get_postal_codes(ctx: CallContext, city: int) -> Any:
    # CDEK's parameter is "code", the locality's CDEK code.
    return call(ctx, "GET", "/location/postalcodes", params=query({"code": city}))


GET_POSTAL_CODES = Method(
    name="GetPostalCodes",
    summary="Gets the postal codes of a locality",
    group=LOCATIONS,
    effect="read",
    function=get_postal_codes,
    params=with_auth(Param("City", "--city", Kind.INTEGER, "CDEK locality code", required=True)),
    docs_url="https://api-docs.cdek.ru/133171036.html",
    returns="code (the city) and postal_codes (a list)",
)


def get_location_by_coordinates(ctx: CallContext, latitude: float, longitude: float) -> Any:
    params = query({"latitude": latitude, "longitude": longitude})
    return call(ctx, "GET", "/location/coordinates", params=params)


GET_LOCATION_BY_COORDINATES = Method(
    name="GetLocationByCoordinates",
    summary="Gets the locality at the given coordinates",
    group=LOCATIONS,
    effect="read",
    function=get_location_by_coordinates,
    params=with_auth(
        Param("Latitude", "--latitude", Kind.NUMBER, "Latitude", required=True),
        Param("Longitude", "--longitude", Kind.NUMBER, "Longitude", required=True),
    ),
    docs_url="https://api-docs.cdek.ru/150012493.html",
    returns="The locality: code, city, fias_guid, country_code, region, …",
)

METHODS = (SUGGEST_CITIES, GET_CITIES_LIST, GET_POSTAL_CODES, GET_LOCATION_BY_COORDINATES)
