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

Everything here is plain data built at import time; callers get fresh copies from the
functions below, so nothing can be changed by accident (``CITIES`` itself is read-only by
convention).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

__all__ = ["CITIES", "COUNTRIES", "REGIONS", "cities", "city_object", "offices", "regions"]

#: ISO 3166-1 alpha-2 code -> (Russian name, English name).
COUNTRIES: dict[str, tuple[str, str]] = {
    "RU": ("Россия", "Russia"),
    "KZ": ("Казахстан", "Kazakhstan"),
    "BY": ("Беларусь", "Belarus"),
}

#: (country_code, region_code, Russian name, English name), in CDEK's listing order.
REGIONS: list[tuple[str, int, str, str]] = [
    ("RU", 81, "Москва", "Moscow"),
    ("RU", 82, "Санкт-Петербург", "Saint Petersburg"),
    ("RU", 9, "Московская область", "Moscow Oblast"),
    ("RU", 26, "Ленинградская область", "Leningrad Oblast"),
    ("RU", 23, "Новосибирская область", "Novosibirsk Oblast"),
    ("RU", 51, "Свердловская область", "Sverdlovsk Oblast"),
    ("RU", 25, "Республика Татарстан", "Republic of Tatarstan"),
    ("RU", 7, "Краснодарский край", "Krasnodar Krai"),
    ("RU", 34, "Ростовская область", "Rostov Oblast"),
    ("RU", 27, "Нижегородская область", "Nizhny Novgorod Oblast"),
    ("RU", 32, "Самарская область", "Samara Oblast"),
    ("RU", 30, "Челябинская область", "Chelyabinsk Oblast"),
    ("RU", 36, "Омская область", "Omsk Oblast"),
    ("RU", 20, "Красноярский край", "Krasnoyarsk Krai"),
    ("RU", 3, "Республика Башкортостан", "Republic of Bashkortostan"),
    ("RU", 44, "Пермский край", "Perm Krai"),
    ("RU", 13, "Воронежская область", "Voronezh Oblast"),
    ("RU", 12, "Волгоградская область", "Volgograd Oblast"),
    ("RU", 37, "Приморский край", "Primorsky Krai"),
    ("RU", 17, "Калининградская область", "Kaliningrad Oblast"),
    ("KZ", 1001, "Алматы", "Almaty"),
    ("KZ", 1002, "Астана", "Astana"),
    ("KZ", 1003, "Алматинская область", "Almaty Region"),
    ("KZ", 1004, "Карагандинская область", "Karaganda Region"),
    ("KZ", 1005, "Шымкент", "Shymkent"),
    ("BY", 2001, "Минск", "Minsk"),
    ("BY", 2002, "Минская область", "Minsk Region"),
    ("BY", 2003, "Гомельская область", "Gomel Region"),
    ("BY", 2004, "Брестская область", "Brest Region"),
    ("BY", 2005, "Гродненская область", "Grodno Region"),
]

#: The reference cities, in CDEK's listing order: (code, Russian name, English name,
#: country_code, region_code, latitude, longitude, IANA time zone, payment_limit, postal
#: codes). ``payment_limit`` is CDEK's cash-on-delivery limit in roubles: -1 means no limit,
#: 0 that cash on delivery is not accepted.
_CityRow = tuple[int, str, str, str, int, float, float, str, float, tuple[str, ...]]
# fmt: off
_CITY_TABLE: list[_CityRow] = [
    (44, "Москва", "Moscow", "RU", 81, 55.7558, 37.6173, "Europe/Moscow", -1.0,
     ("101000", "115088", "119002", "121059", "125009")),
    (137, "Санкт-Петербург", "Saint Petersburg", "RU", 82, 59.9386, 30.3141, "Europe/Moscow",
     -1.0, ("190000", "191040", "191186", "196084")),
    (270, "Новосибирск", "Novosibirsk", "RU", 23, 55.0302, 82.9204, "Asia/Novosibirsk", -1.0,
     ("630004", "630005", "630091", "630099")),
    (250, "Екатеринбург", "Yekaterinburg", "RU", 51, 56.8389, 60.6057, "Asia/Yekaterinburg",
     -1.0, ("620000", "620014", "620075")),
    (424, "Казань", "Kazan", "RU", 25, 55.7963, 49.1088, "Europe/Moscow", -1.0,
     ("420000", "420015", "420111")),
    (435, "Краснодар", "Krasnodar", "RU", 7, 45.0355, 38.9753, "Europe/Moscow", -1.0,
     ("350000", "350015", "350063")),
    (438, "Ростов-на-Дону", "Rostov-on-Don", "RU", 34, 47.2357, 39.7015, "Europe/Moscow", -1.0,
     ("344000", "344002", "344010")),
    (414, "Нижний Новгород", "Nizhny Novgorod", "RU", 27, 56.3269, 44.0059, "Europe/Moscow",
     -1.0, ("603000", "603005", "603950")),
    (430, "Самара", "Samara", "RU", 32, 53.1959, 50.1002, "Europe/Samara", -1.0,
     ("443000", "443010", "443099")),
    (259, "Челябинск", "Chelyabinsk", "RU", 30, 55.1644, 61.4368, "Asia/Yekaterinburg", -1.0,
     ("454000", "454080", "454091")),
    (268, "Омск", "Omsk", "RU", 36, 54.9885, 73.3242, "Asia/Omsk", -1.0,
     ("644000", "644043", "644099")),
    (278, "Красноярск", "Krasnoyarsk", "RU", 20, 56.0153, 92.8932, "Asia/Krasnoyarsk", -1.0,
     ("660000", "660017", "660049")),
    (256, "Уфа", "Ufa", "RU", 3, 54.7388, 55.9721, "Asia/Yekaterinburg", -1.0,
     ("450000", "450008", "450077")),
    (248, "Пермь", "Perm", "RU", 44, 58.0105, 56.2502, "Asia/Yekaterinburg", -1.0,
     ("614000", "614045", "614990")),
    (506, "Воронеж", "Voronezh", "RU", 13, 51.6720, 39.1843, "Europe/Moscow", -1.0,
     ("394000", "394018", "394036")),
    (426, "Волгоград", "Volgograd", "RU", 12, 48.7080, 44.5133, "Europe/Volgograd", -1.0,
     ("400000", "400066", "400131")),
    (288, "Владивосток", "Vladivostok", "RU", 37, 43.1155, 131.8855, "Asia/Vladivostok",
     100000.0, ("690000", "690001", "690091")),
    (152, "Калининград", "Kaliningrad", "RU", 17, 54.7104, 20.4522, "Europe/Kaliningrad",
     100000.0, ("236000", "236010", "236022")),
    (437, "Сочи", "Sochi", "RU", 7, 43.5855, 39.7231, "Europe/Moscow", -1.0,
     ("354000", "354065", "354340")),
    (1121, "Химки", "Khimki", "RU", 9, 55.8970, 37.4297, "Europe/Moscow", -1.0,
     ("141400", "141401", "141407")),
    (1165, "Подольск", "Podolsk", "RU", 9, 55.4242, 37.5547, "Europe/Moscow", -1.0,
     ("142100", "142110")),
    (1152, "Гатчина", "Gatchina", "RU", 26, 59.5650, 30.1283, "Europe/Moscow", -1.0,
     ("188300", "188304")),
    (4756, "Алматы", "Almaty", "KZ", 1001, 43.2389, 76.8897, "Asia/Almaty", 0.0,
     ("050000", "050010", "050012")),
    (4961, "Астана", "Astana", "KZ", 1002, 51.1694, 71.4491, "Asia/Almaty", 0.0,
     ("010000", "010010")),
    (4791, "Караганда", "Karaganda", "KZ", 1004, 49.8047, 73.1094, "Asia/Almaty", 0.0,
     ("100000", "100012")),
    (4800, "Шымкент", "Shymkent", "KZ", 1005, 42.3417, 69.5901, "Asia/Almaty", 0.0,
     ("160000", "160012")),
    (9220, "Минск", "Minsk", "BY", 2001, 53.9045, 27.5615, "Europe/Minsk", 0.0,
     ("220000", "220030", "220050")),
    (9231, "Гомель", "Gomel", "BY", 2003, 52.4412, 30.9878, "Europe/Minsk", 0.0,
     ("246000", "246050")),
    (9256, "Брест", "Brest", "BY", 2004, 52.0976, 23.7341, "Europe/Minsk", 0.0,
     ("224000", "224030")),
    (9282, "Гродно", "Grodno", "BY", 2005, 53.6694, 23.8131, "Europe/Minsk", 0.0,
     ("230000", "230025")),
]
# fmt: on

#: The real FIAS ids of the five cities the sandbox started with; the other Russian cities
#: get made-up (uuid5) ones, and cities outside Russia have none (FIAS is Russian).
_REAL_FIAS = {
    44: "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
    137: "c2deb16a-0330-4f05-821f-1d09c93331e6",
    270: "8dea00e3-9aab-4d8e-887c-ef2aaa546456",
    250: "2763c110-cb8b-416a-9dac-ad28a55b4402",
    424: "93b3df57-4c89-44df-ac42-96f05e9cd3b9",
}

#: Districts that are not the usual "urban okrug" of a Russian city.
_SUB_REGIONS = {1152: ("Гатчинский район", "Gatchinsky District")}

#: Office phone numbers per country (the city's number is derived from its code).
_PHONE_PREFIXES = {"RU": "+7", "KZ": "+77", "BY": "+375"}
_FIRST_PHONES = {
    44: "+74951234500",
    137: "+78121234500",
    270: "+73831234500",
    250: "+73431234500",
    424: "+78431234500",
}


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
