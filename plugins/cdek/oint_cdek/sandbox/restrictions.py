"""``POST /v2/international/package/restrictions``: what CDEK would say about each package and
item of an international shipment, in the shape of CDEK's specification (``packages`` with a
status per package and per item, ``errors``, ``warnings``).

The statuses and reasons are CDEK's codes (FORBIDDEN, LIMITED, ALLOWED; GENERAL_RESTRICTION,
FEACN_RESTRICTION); the rules are the sandbox's own, simple and stated here: between two
countries a package over 31 kg or over 150 cm in length + width + height is FORBIDDEN
(GENERAL_RESTRICTION); an item whose name names a good commonly barred from international
post (batteries, liquids, aerosols, medicines, weapons, food, cash), or whose FEACN code is
in chapter 93 (arms), is FORBIDDEN (FEACN_RESTRICTION); an item of more than 10 pieces is
LIMITED; anything else, and every package within one country, is ALLOWED. A package is as
restricted as its most restricted item.
"""

from __future__ import annotations

from typing import Any

from .exceptions import InputError
from .locations import resolve_location

_MAX_WEIGHT = 31_000  # grams
_MAX_SIDES = 150  # centimetres, length + width + height
_MAX_PIECES = 10
_BARRED_WORDS = ("батаре", "жидкост", "аэрозол", "лекарств", "оруж", "продукт", "наличн")
_STATUS_NAMES = {"ALLOWED": "Разрешено", "LIMITED": "Ограничено", "FORBIDDEN": "Запрещено"}
_REASON_NAMES = {
    "GENERAL_RESTRICTION": "Общее ограничение",
    "FEACN_RESTRICTION": "Ограничение по коду ТН ВЭД",
}
_RANK = {"ALLOWED": 0, "LIMITED": 1, "FORBIDDEN": 2}


def _status(code: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"code": code, "name": _STATUS_NAMES[code]}
    if reason is not None:
        status["reason"] = {"code": reason, "name": _REASON_NAMES[reason]}
    return status


def _country_of(location: Any, name: str) -> str:
    """A location's country: from its city, or its bare ``country_code``."""
    if (
        isinstance(location, dict)
        and all(location.get(key) in (None, "") for key in ("code", "postal_code", "city"))
        and isinstance(location.get("country_code"), str)
        and len(location["country_code"].strip()) == 2
    ):
        return str(location["country_code"]).strip().upper()
    return str(resolve_location(location, name)["country_code"])


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _item_hint(item: Any, international: bool) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {}
    name = str(item.get("name") or "").casefold()
    feacn = str(item.get("feacn_code") or "")
    if international and (any(word in name for word in _BARRED_WORDS) or feacn.startswith("93")):
        status = _status("FORBIDDEN", "FEACN_RESTRICTION")
    elif international and _number(item.get("amount")) > _MAX_PIECES:
        status = _status("LIMITED", "GENERAL_RESTRICTION")
    else:
        status = _status("ALLOWED")
    hint: dict[str, Any] = {"item_id": item.get("itemId", item.get("item_id"))}
    if feacn:
        hint["feacn_code"] = feacn
    hint.update({"status": status, "limitations": [], "documents": []})
    return hint


def _package_hint(package: Any, international: bool) -> dict[str, Any]:
    package = package if isinstance(package, dict) else {}
    items = [_item_hint(item, international) for item in package.get("items") or []]
    sides = sum(_number(package.get(side)) for side in ("length", "width", "height"))
    if international and (_number(package.get("weight")) > _MAX_WEIGHT or sides > _MAX_SIDES):
        status, description = (
            _status("FORBIDDEN", "GENERAL_RESTRICTION"),
            (f"Вес места больше {_MAX_WEIGHT} г или сумма сторон больше {_MAX_SIDES} см"),
        )
    else:
        worst = max(items, key=lambda hint: _RANK[hint["status"]["code"]], default=None)
        status = worst["status"] if worst else _status("ALLOWED")
        description = ""
    return {
        "package_id": package.get("package_id"),
        "status": status,
        "description": description,
        "items": items,
    }


def restrictions(body: dict[str, Any]) -> dict[str, Any]:
    """The answer for a checked request body; raises ``InputError`` for unknown places."""
    countries: list[str] = []
    errors: list[dict[str, str]] = []
    for name in ("from_location", "to_location"):
        try:
            countries.append(_country_of(body.get(name), name))
        except InputError as problem:
            errors.extend(problem.errors)
    if errors:
        raise InputError(errors)
    international = countries[0] != countries[1]
    given = body.get("packages")
    packages: list[Any] = given if isinstance(given, list) else []
    return {
        "packages": [_package_hint(package, international) for package in packages],
        "errors": [],
        "warnings": [],
    }
