"""The tables behind the sandbox's reference data: countries, regions, cities (with their
postal codes, coordinates, time zones, cash-on-delivery limits), and the facts that are real
rather than made up (FIAS ids of the first five cities) or fixed by hand (districts, office
phone numbers). Plain data; ``reference.py`` builds the cities and offices from it."""

from __future__ import annotations

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
