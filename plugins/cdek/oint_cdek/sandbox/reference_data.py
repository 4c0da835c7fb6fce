"""The tables behind the sandbox's reference data (``reference.py`` builds regions, cities
and offices from them): plain literals, nothing computed.

Real CDEK values: the city codes of Moscow (44), Saint Petersburg (137), Novosibirsk (270),
Yekaterinburg (250) and Kazan (424), those cities' FIAS ids, the ``city_uuid`` of Moscow and
Novosibirsk (as CDEK's answers show them, e.g. in the order and office answers recorded by
OpenIntegrations), the region codes of Moscow (81) and the Novosibirsk region (23), and the
tariff-free facts (names, coordinates, time zones). Everything else (other city and region
codes, other ``city_uuid``s, office codes, addresses, phones) is made up for the sandbox:
plausible, not CDEK's.
"""

from __future__ import annotations

from typing import Any

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
CityRow = tuple[int, str, str, str, int, float, float, str, float, tuple[str, ...]]
# fmt: off
CITY_TABLE: list[CityRow] = [
    (44, "Москва", "Moscow", "RU", 81, 55.7558, 37.6173, "Europe/Moscow", -1.0,
     ("101000", "115088", "117639", "119002", "121059", "125009")),
    (137, "Санкт-Петербург", "Saint Petersburg", "RU", 82, 59.9386, 30.3141, "Europe/Moscow",
     -1.0, ("190000", "191040", "191186", "195220", "196084")),
    (270, "Новосибирск", "Novosibirsk", "RU", 23, 55.0302, 82.9204, "Asia/Novosibirsk", -1.0,
     ("630004", "630005", "630007", "630090", "630091", "630099")),
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
REAL_FIAS = {
    44: "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
    137: "c2deb16a-0330-4f05-821f-1d09c93331e6",
    270: "8dea00e3-9aab-4d8e-887c-ef2aaa546456",
    250: "2763c110-cb8b-416a-9dac-ad28a55b4402",
    424: "93b3df57-4c89-44df-ac42-96f05e9cd3b9",
}

#: The ``city_uuid`` CDEK gives these cities (the others get made-up uuid5 ones).
REAL_CITY_UUIDS = {
    44: "7e8f36ba-d937-4ce4-8d53-e44177db6469",
    270: "4e938d63-e189-454d-bb5c-54bfb2f1e4e2",
}

#: Districts that are not the usual "urban okrug" of a Russian city.
SUB_REGIONS = {1152: ("Гатчинский район", "Gatchinsky District")}

#: Office phone numbers per country (the city's number is derived from its code).
PHONE_PREFIXES = {"RU": "+7", "KZ": "+77", "BY": "+375"}
FIRST_PHONES = {
    44: "+74951234500",
    137: "+78121234500",
    270: "+73831234500",
    250: "+73431234500",
    424: "+78431234500",
}


#: One office in most of the cities beyond the first five: (code, city_code, name, address).
#: Listed with ``offices(extended=True)``, which the sandbox's ``SandboxConfig.extra_offices``
#: asks for by default; ``extra_offices=False`` keeps the original 14-office set.
EXTRA_OFFICE_TABLE: list[tuple[str, int, str, str]] = [
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

PVZ_HOURS = "Пн-Пт 09:00-21:00, Сб-Вс 10:00-18:00"
POSTAMAT_HOURS = "Пн-Вс 00:00-24:00"

# The largest parcel an office takes (cm), and a parcel locker's cells (width, height, depth).
PVZ_LIMITS = {"length_max": 120, "width_max": 80, "height_max": 80}
CELLS = ((9, 38, 64), (19, 38, 64), (39, 38, 64))


def _row(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


#: The offices of the first five cities, as arguments of ``reference._office``.
OFFICE_TABLE: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    _row(
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
        nearest_station="Пушкинская площадь",
        nearest_metro_station="Тверская",
        images=2,
    ),
    _row("MSK45", 44, "На Арбате", "ул. Арбат, 24", "119002", 37.5935, 55.7504),
    _row(
        "MSK210",
        44,
        "Постамат Киевская",
        "пл. Киевского Вокзала, 2",
        "121059",
        37.5660,
        55.7449,
        postamat=True,
    ),
    _row(
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
    _row("SPB10", 137, "На Невском", "Невский пр., 1", "191186", 30.3157, 59.9369),
    _row(
        "SPB33",
        137,
        "Постамат Московский",
        "Московский пр., 73",
        "196084",
        30.3187,
        59.8939,
        postamat=True,
    ),
    _row(
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
    _row(
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
    _row(
        "NSK3",
        270,
        "Постамат Красный проспект",
        "Красный пр., 101",
        "630091",
        82.9200,
        55.0480,
        postamat=True,
    ),
    _row(
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
    _row("EKB2", 250, "На Малышева", "ул. Малышева, 51", "620014", 60.6057, 56.8360),
    _row(
        "EKB14",
        250,
        "Постамат Вайнера",
        "ул. Вайнера, 9",
        "620014",
        60.5985,
        56.8353,
        postamat=True,
    ),
    _row(
        "MSK27",
        44,
        "На Балаклавском",
        "Балаклавский пр., 5",
        "117639",
        37.6066,
        55.6409,
        nearest_metro_station="Чертановская",
        images=1,
    ),
    _row(
        "SPB72",
        137,
        "На Гражданском",
        "Гражданский пр., 41",
        "195220",
        30.3951,
        60.0118,
        nearest_metro_station="Академическая",
    ),
    _row(
        "NSK1",
        270,
        "На Кривощековской",
        "ул. Кривощековская, 15, корп. 1",
        "630007",
        82.9291,
        55.0159,
        nearest_station="Площадь Ленина",
    ),
    _row(
        "NSK9",
        270,
        "В Академгородке",
        "ул. Ильича, 6",
        "630090",
        83.0957,
        54.8391,
        weight_max=150,
        address_comment="Цокольный этаж торгового центра",
        nearest_station="Дом Ученых",
        nearest_metro_station="Речной вокзал",
    ),
    _row(
        "EKB25",
        250,
        "На Луначарского",
        "ул. Луначарского, 81",
        "620075",
        60.6200,
        56.8420,
        nearest_metro_station="Площадь 1905 года",
        is_marketplace=True,
    ),
    _row(
        "KZN1",
        424,
        "На Баумана",
        "ул. Баумана, 44",
        "420111",
        49.1160,
        55.7909,
        have_cashless=False,
    ),
    _row(
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
    _row(
        "KZN15",
        424,
        "Постамат Кремлевская",
        "ул. Кремлевская, 21",
        "420111",
        49.1210,
        55.7925,
        postamat=True,
    ),
]
