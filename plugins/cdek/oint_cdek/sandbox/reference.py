"""Built-in reference data of the CDEK sandbox: a few regions and offices (pickup points).

CDEK's real directories hold thousands of entries; this is a small, fixed set that is big
enough to exercise filters and paging. City codes are CDEK's (Moscow 44, Saint Petersburg
137, Novosibirsk 270, Yekaterinburg 250, Kazan 424); the FIAS ids are the cities' real ones.
Region codes, office codes, addresses, coordinates and phone numbers are made up for the
sandbox (plausible, not CDEK's).

Everything here is plain data built at import time; callers get deep copies from the
functions below, so nothing can be changed by accident.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

__all__ = ["CITIES", "COUNTRIES", "REGIONS", "offices", "regions"]

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

#: city_code -> the city's facts shared by its offices.
CITIES: dict[int, dict[str, Any]] = {
    44: {
        "city": "Москва",
        "region_code": 81,
        "fias_guid": "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
        "phone": "+74951234500",
    },
    137: {
        "city": "Санкт-Петербург",
        "region_code": 82,
        "fias_guid": "c2deb16a-0330-4f05-821f-1d09c93331e6",
        "phone": "+78121234500",
    },
    270: {
        "city": "Новосибирск",
        "region_code": 23,
        "fias_guid": "8dea00e3-9aab-4d8e-887c-ef2aaa546456",
        "phone": "+73831234500",
    },
    250: {
        "city": "Екатеринбург",
        "region_code": 51,
        "fias_guid": "2763c110-cb8b-416a-9dac-ad28a55b4402",
        "phone": "+73431234500",
    },
    424: {
        "city": "Казань",
        "region_code": 25,
        "fias_guid": "93b3df57-4c89-44df-ac42-96f05e9cd3b9",
        "phone": "+78431234500",
    },
}

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
    address_comment: str = "",
) -> dict[str, Any]:
    city = CITIES[city_code]
    region = _REGION_NAMES[city["region_code"]]
    if postamat:
        # A parcel locker: no cash, no fitting room, small parcels only.
        have_cash = is_dressing_room = is_ltl = fulfillment = False
        weight_max = min(weight_max, 20)
    return {
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
        "have_cashless": have_cashless,
        "have_cash": have_cash,
        "have_fast_payment_system": have_cashless,
        "allowed_cod": allowed_cod,
        "fulfillment": fulfillment,
        "weight_min": 0,
        "weight_max": weight_max,
        "location": {
            "country_code": "RU",
            "region_code": city["region_code"],
            "region": region,
            "city_code": city_code,
            "city": city["city"],
            "fias_guid": city["fias_guid"],
            "postal_code": postal_code,
            "longitude": longitude,
            "latitude": latitude,
            "address": address,
            "address_full": f"{postal_code}, Россия, {region}, {city['city']}, {address}",
        },
    }


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


def offices() -> list[dict[str, Any]]:
    """Every office of the reference set, in a fixed order (a fresh deep copy)."""
    return copy.deepcopy(_OFFICES)


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
