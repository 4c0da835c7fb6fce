"""Built-in reference data of the CDEK sandbox: regions, cities and offices (pickup points).

CDEK's real directories hold thousands of entries; this is a small, fixed set that is big
enough to exercise filters and paging: 30 regions (20 RU, 5 KZ, 5 BY) and 30 cities (22 RU,
4 KZ, 4 BY), each with Russian and English names, coordinates, an IANA time zone, a
cash-on-delivery ``payment_limit`` and 2-5 postal codes (no postal code belongs to two
cities). The tables are in ``reference_data.py``, which says which values are CDEK's (city
codes and FIAS ids of the first five cities, the ``city_uuid`` of Moscow and Novosibirsk)
and which are made up. Cities outside Russia have no FIAS id. Coordinates are the cities'
real ones (rounded).

There are 20 offices in the first five cities, and (only when asked for: ``offices(
extended=True)``) 20 more, one in most of the other cities. Offices look like CDEK's:
``status`` ACTIVE, ``location.city_uuid``, ``site``, ``office_image_list``,
``work_time_exception_list`` (empty), and ``address_comment``/``note``/``nearest_station``/
``nearest_metro_station`` only where an office has them.

Everything here is plain data built at import time; callers get fresh copies from the
functions below, so nothing can be changed by accident (``CITIES`` itself is read-only by
convention).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .reference_data import (
    CELLS,
    CITY_TABLE,
    COUNTRIES,
    EXTRA_OFFICE_TABLE,
    FIRST_PHONES,
    OFFICE_TABLE,
    PHONE_PREFIXES,
    POSTAMAT_HOURS,
    PVZ_HOURS,
    PVZ_LIMITS,
    REAL_CITY_UUIDS,
    REAL_FIAS,
    REGIONS,
    SUB_REGIONS,
    CityRow,
)

__all__ = ["CITIES", "COUNTRIES", "REGIONS", "cities", "city_object", "offices", "regions"]


def _sub_region(code: int, name_ru: str, name_en: str, country_code: str) -> tuple[str, str]:
    if code in SUB_REGIONS:
        return SUB_REGIONS[code]
    if country_code == "RU":
        return f"городской округ {name_ru}", f"{name_en} Urban Okrug"
    return f"город {name_ru}", f"{name_en} City"


def _city_facts(row: CityRow) -> dict[str, Any]:
    code, name_ru, name_en, country_code, region_code, lat, lon, zone, limit, postal = row
    sub_ru, sub_en = _sub_region(code, name_ru, name_en, country_code)
    fias: str | None = None
    if country_code == "RU":
        made_up = uuid.uuid5(uuid.NAMESPACE_URL, f"cdek-sandbox:fias:{code}")
        fias = REAL_FIAS.get(code) or str(made_up)
    return {
        "code": code,
        "city": name_ru,
        "city_en": name_en,
        "city_uuid": REAL_CITY_UUIDS.get(code)
        or str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdek-sandbox:city:{code}")),
        "fias_guid": fias,
        "country_code": country_code,
        "region_code": region_code,
        "sub_region": sub_ru,
        "sub_region_en": sub_en,
        "latitude": lat,
        "longitude": lon,
        "time_zone": zone,
        "payment_limit": limit,
        "postal_codes": list(postal),
        "phone": FIRST_PHONES.get(code) or f"{PHONE_PREFIXES[country_code]}{code:04d}123450",
    }


#: city_code -> the city's facts (shared by its offices); read-only, see ``cities()``.
CITIES: dict[int, dict[str, Any]] = {row[0]: _city_facts(row) for row in CITY_TABLE}

_REGION_NAMES = {code: name for _, code, name, _ in REGIONS}


def _work_time_list(postamat: bool) -> list[dict[str, Any]]:
    if postamat:
        return [{"day": day, "time": "00:00/23:59"} for day in range(1, 8)]
    return [
        {"day": day, "time": "09:00/21:00" if day <= 5 else "10:00/18:00"} for day in range(1, 8)
    ]


def _office(
    code: str,
    city_code: int,
    name: str,
    address: str,
    postal_code: str,
    longitude: float,
    latitude: float,
    *,
    postamat: bool = False,
    weight_max: int = 30,
    have_cash: bool = True,
    have_cashless: bool = True,
    allowed_cod: bool = True,
    is_dressing_room: bool = True,
    is_reception: bool = True,
    take_only: bool = False,
    is_ltl: bool = False,
    fulfillment: bool = False,
    is_marketplace: bool = False,
    address_comment: str = "",
    nearest_station: str = "",
    nearest_metro_station: str = "",
    images: int = 0,
) -> dict[str, Any]:
    city = CITIES[city_code]
    region = _REGION_NAMES[city["region_code"]]
    country = COUNTRIES[city["country_code"]][0]
    if postamat:
        # A parcel locker: no cash, no fitting room, small parcels only.
        have_cash = is_dressing_room = is_ltl = fulfillment = False
        weight_max = min(weight_max, 20)
    office: dict[str, Any] = {
        "code": code,
        "name": name,
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdek-sandbox:office:{code}")),
        "address_comment": address_comment,
        "nearest_station": nearest_station,
        "nearest_metro_station": nearest_metro_station,
        "work_time": POSTAMAT_HOURS if postamat else PVZ_HOURS,
        "phones": [{"number": city["phone"]}],
        "email": f"{code.lower()}@sandbox.invalid",
        "note": address_comment,
        "type": "POSTAMAT" if postamat else "PVZ",
        "owner_code": "CDEK",
        "take_only": take_only,
        "is_handout": True,
        "is_reception": is_reception and not take_only,
        "is_dressing_room": is_dressing_room,
        "is_ltl": is_ltl,
        "ltl_acceptance_partners": is_ltl,
        "ltl_issuance_partners": is_ltl,
        "is_marketplace": is_marketplace,
        "have_cashless": have_cashless,
        "have_cash": have_cash,
        "have_fast_payment_system": have_cashless,
        "allowed_cod": allowed_cod,
        "site": f"https://www.cdek.ru/contacts/{code.lower()}.html",
        "office_image_list": [
            {
                "number": number,
                "url": f"https://www.cdek.ru/images/offices/{code.lower()}_{number}.jpg",
            }
            for number in range(1, images + 1)
        ],
        "work_time_list": _work_time_list(postamat),
        "work_time_exception_list": [],
        "status": "ACTIVE",
        "fulfillment": fulfillment,
        "weight_min": 0,
        "weight_max": weight_max,
        "location": {
            "country_code": city["country_code"],
            "region_code": city["region_code"],
            "region": region,
            "city_code": city_code,
            "city": city["city"],
            "fias_guid": city["fias_guid"],
            "postal_code": postal_code,
            "longitude": longitude,
            "latitude": latitude,
            "address": address,
            "address_full": f"{postal_code}, {country}, {region}, {city['city']}, {address}",
            "city_uuid": city["city_uuid"],
        },
    }
    if postamat:  # a locker takes what fits one of its cells (cm)
        office["dimensions"] = [
            {"width": width, "height": height, "depth": depth} for width, height, depth in CELLS
        ]
    else:
        office.update(PVZ_LIMITS)
    if city["fias_guid"] is None:  # FIAS is Russian: CDEK shows no id abroad
        del office["location"]["fias_guid"]
    for key in ("address_comment", "nearest_station", "nearest_metro_station", "note"):
        if not office[key]:  # CDEK leaves out what an office has none of
            del office[key]
    return office


def office_fits(office: dict[str, Any], length: int, width: int, height: int) -> bool:
    """Whether a parcel of these sides (cm, 0 for unknown) fits the office or one of its cells."""
    parcel = sorted((length, width, height))
    if "dimensions" in office:
        return any(
            parcel <= sorted((c["width"], c["height"], c["depth"])) for c in office["dimensions"]
        )
    room = sorted((office["length_max"], office["width_max"], office["height_max"]))
    return all(side <= limit for side, limit in zip(parcel, room, strict=True))


_OFFICES: list[dict[str, Any]] = [_office(*args, **kwargs) for args, kwargs in OFFICE_TABLE]


_EXTRA_OFFICES: list[dict[str, Any]] = [
    _office(
        code,
        city_code,
        name,
        address,
        CITIES[city_code]["postal_codes"][0],
        round(CITIES[city_code]["longitude"] + 0.003, 4),
        round(CITIES[city_code]["latitude"] + 0.002, 4),
        allowed_cod=CITIES[city_code]["payment_limit"] != 0.0,
    )
    for code, city_code, name, address in EXTRA_OFFICE_TABLE
]


def offices(extended: bool = False) -> list[dict[str, Any]]:
    """Every office of the reference set, in a fixed order (a fresh deep copy): the original
    14 offices of the first five cities, then (``extended``) one in 20 more cities."""
    return copy.deepcopy(_OFFICES + _EXTRA_OFFICES if extended else _OFFICES)


def regions(lang: str = "rus") -> list[dict[str, Any]]:
    """Every region, named in Russian (``lang="rus"``) or English (``"eng"``)."""
    english = lang.lower() == "eng"
    return [
        {
            "country_code": country_code,
            "country": COUNTRIES[country_code][1 if english else 0],
            "region": name_en if english else name_ru,
            "region_code": region_code,
        }
        for country_code, region_code, name_ru, name_en in REGIONS
    ]


_REGION_NAMES_EN = {code: name for _, code, _, name in REGIONS}


def city_object(facts: dict[str, Any], lang: str = "rus") -> dict[str, Any]:
    """A city as CDEK's ``/location/cities`` shows it, named in Russian or English."""
    english = lang.lower() == "eng"
    code = facts["region_code"]
    shown: dict[str, Any] = {
        "code": facts["code"],
        "city": facts["city_en"] if english else facts["city"],
        "city_uuid": facts["city_uuid"],
    }
    if facts["fias_guid"] is not None:
        shown["fias_guid"] = facts["fias_guid"]
    shown.update(
        {
            "country_code": facts["country_code"],
            "country": COUNTRIES[facts["country_code"]][1 if english else 0],
            "region": _REGION_NAMES_EN[code] if english else _REGION_NAMES[code],
            "region_code": code,
            "sub_region": facts["sub_region_en"] if english else facts["sub_region"],
            "longitude": facts["longitude"],
            "latitude": facts["latitude"],
            "time_zone": facts["time_zone"],
            "payment_limit": facts["payment_limit"],
        }
    )
    return shown


def cities(lang: str = "rus") -> list[dict[str, Any]]:
    """Every city in CDEK's ``/location/cities`` shape, in the reference order."""
    return [city_object(facts, lang) for facts in CITIES.values()]
