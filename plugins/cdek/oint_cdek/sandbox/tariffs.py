"""The tariffs the sandbox's calculator knows: CDEK's common tariff codes, names and
delivery modes (as CDEK's tariff appendix lists them), with the sandbox's own price
parameters (see ``calculator.py``'s formula)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DELIVERY_MODES", "TARIFFS", "Tariff"]


@dataclass(frozen=True)
class Tariff:
    code: int
    name_ru: str
    name_en: str
    description_ru: str
    description_en: str
    delivery_mode: int
    base: int
    per_kg: int
    per_100km: int
    extra_days: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == "eng" else self.name_ru

    def description(self, lang: str) -> str:
        return self.description_en if lang == "eng" else self.description_ru


_PARCEL = (
    "Посылка: доставка товаров для интернет-магазинов",
    "Parcel: delivery of goods for online stores",
)
_ECONOMY = (
    "Экономичная посылка: наземная доставка товаров для интернет-магазинов",
    "Economy parcel: ground delivery of goods for online stores",
)
_EXPRESS = (
    "Экспресс: доставка документов и грузов в стандартные сроки",
    "Express: delivery of documents and cargo in standard terms",
)
_TRUNK = ("Магистральный экспресс: доставка грузов", "Trunk express: cargo delivery")

# fmt: off
#: tariff_code -> the tariff; the order is CDEK's listing order. Columns: code, names,
#: descriptions, delivery_mode, base, per_kg, per_100km, extra_days.
TARIFFS: dict[int, Tariff] = {
    t.code: t
    for t in (
        Tariff(136, "Посылка склад-склад", "Parcel office-office", *_PARCEL, 4, 250, 40, 10, 0),
        Tariff(137, "Посылка склад-дверь", "Parcel office-door", *_PARCEL, 3, 320, 45, 12, 0),
        Tariff(138, "Посылка дверь-склад", "Parcel door-office", *_PARCEL, 2, 330, 45, 12, 0),
        Tariff(139, "Посылка дверь-дверь", "Parcel door-door", *_PARCEL, 1, 400, 50, 14, 0),
        Tariff(233, "Экономичная посылка склад-дверь", "Economy parcel office-door",
               *_ECONOMY, 3, 200, 30, 8, 2),
        Tariff(234, "Экономичная посылка склад-склад", "Economy parcel office-office",
               *_ECONOMY, 4, 150, 25, 6, 2),
        Tariff(366, "Посылка дверь-постамат", "Parcel door-parcel locker",
               *_PARCEL, 6, 310, 45, 12, 0),
        Tariff(368, "Посылка склад-постамат", "Parcel office-parcel locker",
               *_PARCEL, 7, 240, 40, 10, 0),
        Tariff(378, "Экономичная посылка склад-постамат", "Economy parcel office-parcel locker",
               *_ECONOMY, 7, 160, 25, 6, 2),
        Tariff(480, "Экспресс дверь-дверь", "Express door-door", *_EXPRESS, 1, 520, 70, 18, 0),
        Tariff(481, "Экспресс дверь-склад", "Express door-office", *_EXPRESS, 2, 450, 65, 16, 0),
        Tariff(482, "Экспресс склад-дверь", "Express office-door", *_EXPRESS, 3, 440, 65, 16, 0),
        Tariff(483, "Экспресс склад-склад", "Express office-office", *_EXPRESS, 4, 380, 60, 14, 0),
        Tariff(485, "Экспресс дверь-постамат", "Express door-parcel locker",
               *_EXPRESS, 6, 430, 65, 16, 0),
        Tariff(486, "Экспресс склад-постамат", "Express office-parcel locker",
               *_EXPRESS, 7, 370, 60, 14, 0),
        Tariff(62, "Магистральный экспресс склад-склад", "Trunk express office-office",
               *_TRUNK, 4, 600, 20, 5, 1),
    )
}
# fmt: on

#: delivery_mode -> (Russian name, English name).
DELIVERY_MODES: dict[int, tuple[str, str]] = {
    1: ("дверь-дверь", "door-door"),
    2: ("дверь-склад", "door-office"),
    3: ("склад-дверь", "office-door"),
    4: ("склад-склад", "office-office"),
    6: ("дверь-постамат", "door-parcel locker"),
    7: ("склад-постамат", "office-parcel locker"),
}
