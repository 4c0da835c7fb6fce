"""Built-in reference data of the CDEK sandbox: regions, cities and offices (pickup points).

CDEK's real directories hold thousands of entries; this is a small, fixed set that is big
enough to exercise filters and paging: 30 regions (20 RU, 5 KZ, 5 BY) and 30 cities (22 RU,
4 KZ, 4 BY), each with Russian and English names, coordinates, an IANA time zone, a
cash-on-delivery ``payment_limit`` and 2-5 postal codes (no postal code belongs to two
cities). City codes of the first five are CDEK's (Moscow 44, Saint Petersburg 137,
Novosibirsk 270, Yekaterinburg 250, Kazan 424) and so are their FIAS ids; the other city
codes, the other Russian cities' FIAS ids, every ``city_uuid``, the region codes, office
codes, addresses and phone numbers are made up for the sandbox (plausible, not CDEK's).
Cities outside Russia have no FIAS id. Coordinates are the cities' real ones (rounded).

There are 14 offices in the first five cities, and (only when asked for: ``offices(
extended=True)``) 20 more, one in most of the other cities.

Everything here is plain data built at import time from the tables in
``reference_data.py``; callers get fresh copies from the functions below, so nothing can be
changed by accident (``CITIES`` itself is read-only by convention).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .reference_data import (
    _CITY_TABLE,
    _FIRST_PHONES,
    _PHONE_PREFIXES,
    _REAL_FIAS,
    _SUB_REGIONS,
    COUNTRIES,
    REGIONS,
    _CityRow,
)

__all__ = ["CITIES", "COUNTRIES", "REGIONS", "cities", "city_object", "offices", "regions"]


def _sub_region(code: int, name_ru: str, name_en: str, country_code: str) -> tuple[str, str]:
    if code in _SUB_REGIONS:
        return _SUB_REGIONS[code]
    if country_code == "RU":
        return f"городской округ {name_ru}", f"{name_en} Urban Okrug"
    return f"город {name_ru}", f"{name_en} City"


def _city_facts(row: _CityRow) -> dict[str, Any]:
    code, name_ru, name_en, country_code, region_code, lat, lon, zone, limit, postal = row
    sub_ru, sub_en = _sub_region(code, name_ru, name_en, country_code)
    fias: str | None = None
    if country_code == "RU":
        made_up = uuid.uuid5(uuid.NAMESPACE_URL, f"cdek-sandbox:fias:{code}")
        fias = _REAL_FIAS.get(code) or str(made_up)
    return {
        "code": code,
        "city": name_ru,
        "city_en": name_en,
        "city_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdek-sandbox:city:{code}")),
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
        "phone": _FIRST_PHONES.get(code) or f"{_PHONE_PREFIXES[country_code]}{code:04d}123450",
    }


#: city_code -> the city's facts (shared by its offices); read-only, see ``cities()``.
CITIES: dict[int, dict[str, Any]] = {row[0]: _city_facts(row) for row in _CITY_TABLE}

_REGION_NAMES = {code: name for _, code, name, _ in REGIONS}

_PVZ_HOURS = "Пн-Пт 09:00-21:00, Сб-Вс 10:00-18:00"
_POSTAMAT_HOURS = "Пн-Вс 00:00-24:00"


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
        "work_time": _POSTAMAT_HOURS if postamat else _PVZ_HOURS,
        "work_time_list": _work_time_list(postamat),
        "phones": [{"number": city["phone"]}],
        "email": f"{code.lower()}@sandbox.invalid",
        "note": "",
        "type": "POSTAMAT" if postamat else "PVZ",
        "owner_code": "cdek",
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
        },
    }
    if postamat:  # a locker takes what fits one of its cells (cm)
        office["dimensions"] = [
            {"width": width, "height": height, "depth": depth} for width, height, depth in _CELLS
        ]
    else:
        office.update(_PVZ_LIMITS)
    if city["fias_guid"] is None:  # FIAS is Russian: CDEK shows no id abroad
        del office["location"]["fias_guid"]
    return office


# The largest parcel an office takes (cm), and a parcel locker's cells (width, height, depth).
_PVZ_LIMITS = {"length_max": 120, "width_max": 80, "height_max": 80}
_CELLS = ((9, 38, 64), (19, 38, 64), (39, 38, 64))


def office_fits(office: dict[str, Any], length: int, width: int, height: int) -> bool:
    """Whether a parcel of these sides (cm, 0 for unknown) fits the office or one of its cells."""
    parcel = sorted((length, width, height))
    if "dimensions" in office:
        return any(
            parcel <= sorted((c["width"], c["height"], c["depth"])) for c in office["dimensions"]
        )
    room = sorted((office["length_max"], office["width_max"], office["height_max"]))
    return all(side <= limit for side, limit in zip(parcel, room, strict=True))


_OFFICES: list[dict[str, Any]] = [
    _office(
        "MSK123",
        44,
        "На Тверской",
        "ул. Тверская, 7",
        "125009",
        37.6126,
        55.7578,
        weight_max=50,
        is_ltl=True,
        address_comment="Вход со двора",
    ),
    _office("MSK45", 44, "На Арбате", "ул. Арбат, 24", "119002", 37.5935, 55.7504),
    _office(
        "MSK210",
        44,
        "Постамат Киевская",
        "пл. Киевского Вокзала, 2",
        "121059",
        37.5660,
        55.7449,
        postamat=True,
    ),
    _office(
        "MSK7",
        44,
        "Склад Южнопортовая",
        "ул. Южнопортовая, 21",
        "115088",
        37.6961,
        55.7059,
        weight_max=1000,
        is_dressing_room=False,
        is_ltl=True,
        fulfillment=True,
    ),
    _office("SPB10", 137, "На Невском", "Невский пр., 1", "191186", 30.3157, 59.9369),
    _office(
        "SPB33",
        137,
        "Постамат Московский",
        "Московский пр., 73",
        "196084",
        30.3187,
        59.8939,
        postamat=True,
    ),
    _office(
        "SPB5",
        137,
        "На Лиговском",
        "Лиговский пр., 50",
        "191040",
        30.3597,
        59.9237,
        allowed_cod=False,
        have_cash=False,
    ),
    _office(
        "NSK27",
        270,
        "На Ленина",
        "ул. Ленина, 12",
        "630004",
        82.9043,
        55.0302,
        weight_max=50,
        is_ltl=True,
    ),
    _office(
        "NSK3",
        270,
        "Постамат Красный проспект",
        "Красный пр., 101",
        "630091",
        82.9200,
        55.0480,
        postamat=True,
    ),
    _office(
        "NSK90",
        270,
        "На Гоголя",
        "ул. Гоголя, 42",
        "630005",
        82.9403,
        55.0421,
        take_only=True,
        is_dressing_room=False,
    ),
    _office("EKB2", 250, "На Малышева", "ул. Малышева, 51", "620014", 60.6057, 56.8360),
    _office(
        "EKB14",
        250,
        "Постамат Вайнера",
        "ул. Вайнера, 9",
        "620014",
        60.5985,
        56.8353,
        postamat=True,
    ),
    _office(
        "KZN1",
        424,
        "На Баумана",
        "ул. Баумана, 44",
        "420111",
        49.1160,
        55.7909,
        have_cashless=False,
    ),
    _office(
        "KZN8",
        424,
        "На Пушкина",
        "ул. Пушкина, 26",
        "420015",
        49.1250,
        55.7930,
        weight_max=100,
        is_ltl=True,
    ),
]


#: One office in most of the cities beyond the first five: (code, city_code, name, address).
#: Listed with ``offices(extended=True)``, which the sandbox's ``SandboxConfig.extra_offices``
#: asks for by default; ``extra_offices=False`` keeps the original 14-office set.
_EXTRA_OFFICE_TABLE: list[tuple[str, int, str, str]] = [
    ("KRD4", 435, "На Красной", "ул. Красная, 109"),
    ("ROV2", 438, "На Большой Садовой", "ул. Большая Садовая, 47"),
    ("NNV6", 414, "На Большой Покровской", "ул. Большая Покровская, 18"),
    ("SMR3", 430, "На Ленинградской", "ул. Ленинградская, 35"),
    ("CHL5", 259, "На Кирова", "ул. Кирова, 60"),
    ("OMS1", 268, "На Ленина", "ул. Ленина, 22"),
    ("KJA2", 278, "На Мира", "пр. Мира, 88"),
    ("UFA4", 256, "На Ленина", "ул. Ленина, 70"),
    ("PRM3", 248, "На Ленина", "ул. Ленина, 45"),
    ("VRN7", 506, "На Плехановской", "ул. Плехановская, 10"),
    ("VLG2", 426, "На Мира", "ул. Мира, 19"),
    ("VVO1", 288, "На Светланской", "ул. Светланская, 29"),
    ("KGD3", 152, "На Ленинском", "Ленинский пр., 30"),
    ("AER2", 437, "На Навагинской", "ул. Навагинская, 9"),
    ("KHM1", 1121, "На Ленинградской", "ул. Ленинградская, 25"),
    ("ALA1", 4756, "На Абая", "пр. Абая, 52"),
    ("NQZ2", 4961, "На Кенесары", "ул. Кенесары, 40"),
    ("KGF1", 4791, "На Бухар-Жырау", "пр. Бухар-Жырау, 32"),
    ("MSQ1", 9220, "На Независимости", "пр. Независимости, 44"),
    ("BQT1", 9256, "На Советской", "ул. Советская, 60"),
]

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
    for code, city_code, name, address in _EXTRA_OFFICE_TABLE
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
