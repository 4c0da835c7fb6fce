"""An order and its rules: which write requests (refusal, delete, update, client return) its
status allows, what settling each of them does, and what the order derives (cash on
delivery, when it was created or delivered)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..config import format_datetime
from ..exceptions import _error
from ..places import city_of
from ..validation import _is_empty, _is_number
from . import order_view
from .common import (
    ACCEPTED,
    INVALID,
    SUCCESSFUL,
    _ApiRequest,
    _entity_invalid,
    _envelope,
    _forbidden,
    _similar_request,
    _Tracked,
)

#: Russian names CDEK gives its order statuses; unknown codes pushed through the control
#: endpoint are named by their code.
STATUS_NAMES = {
    "ACCEPTED": "Принят",
    "CREATED": "Создан",
    "REMOVED": "Удален",
    "INVALID": "Некорректный заказ",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "Принят на склад отправителя",
    "READY_TO_SHIP_AT_SENDING_OFFICE": "Выдан на отправку в г. отправителе",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": "Готов к отправке в городе-отправителе",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": "Сдан перевозчику в городе-отправителе",
    "SENT_TO_RECIPIENT_CITY": "Отправлен в город-получатель",
    "ACCEPTED_IN_RECIPIENT_CITY": "Встречен в городе-получателе",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": "Принят на склад доставки",
    "ACCEPTED_AT_PICK_UP_POINT": "Принят на склад до востребования",
    "TAKEN_BY_COURIER": "Выдан на доставку",
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": "Возвращен на склад доставки",
    "DELIVERED": "Вручен",
    "NOT_DELIVERED": "Не вручен",
}

#: The numeric codes of the order status appendix (its "Status code" column): what an
#: ORDER_STATUS webhook carries as ``status_code``. Statuses the appendix numbers 1000 (and
#: codes it does not list) are 1000.
STATUS_CODES = {
    "ACCEPTED": "0",
    "CREATED": "1",
    "REMOVED": "2",
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": "3",
    "DELIVERED": "4",
    "NOT_DELIVERED": "5",
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": "6",
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": "7",
    "SENT_TO_RECIPIENT_CITY": "8",
    "ACCEPTED_IN_RECIPIENT_CITY": "9",
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": "10",
    "TAKEN_BY_COURIER": "11",
    "ACCEPTED_AT_PICK_UP_POINT": "12",
    "ACCEPTED_AT_TRANSIT_WAREHOUSE": "13",
    "RETURNED_TO_SENDER_CITY_WAREHOUSE": "16",
    "RETURNED_TO_TRANSIT_WAREHOUSE": "17",
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": "18",
    "READY_FOR_SHIPMENT_IN_TRANSIT_CITY": "19",
    "TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY": "20",
    "SENT_TO_TRANSIT_CITY": "21",
    "ACCEPTED_IN_TRANSIT_CITY": "22",
    "SENT_TO_SENDER_CITY": "27",
    "ACCEPTED_IN_SENDER_CITY": "28",
    "INVALID": "404",
}

#: Statuses after which neither a refusal nor any other change is possible.
_REFUSAL_FORBIDDEN = frozenset({"DELIVERED", "NOT_DELIVERED", "REMOVED", "INVALID"})
#: Statuses of an order that no longer exists for CDEK (no print form, check, return...).
_DEAD_STATUSES = frozenset({"REMOVED", "INVALID"})
#: The final statuses of a delivery: an order in one of them can't be deleted any more.
_FINAL_STATUSES = frozenset({"DELIVERED", "NOT_DELIVERED"})
#: The statuses in which CDEK still takes an update.
_UPDATABLE = frozenset({"ACCEPTED", "CREATED"})
#: Where CDEK says its first statuses happen.
_OFFICE_CITY = "Офис СДЭК"


def _delete_problem(order: _Order) -> dict[str, str] | None:
    if order.latest_status in _FINAL_STATUSES:
        message = f"Operation is forbidden. Entity has final status {order.latest_status}"
        return _error("v2_entity_has_final_status", message)
    if order.latest_status != "CREATED":
        return _error("error_validate_order_delete_status", _DELETE_STATUS_MESSAGE)
    return None


def _update_problem(order: _Order) -> dict[str, str] | None:
    if order.latest_status in _UPDATABLE:
        return None
    return _error("v2_update_forbidden", _UPDATE_FORBIDDEN_MESSAGE)


def _refusal_problem(order: _Order) -> dict[str, str] | None:
    if order.create_state == ACCEPTED or order.latest_status in _REFUSAL_FORBIDDEN:
        return _forbidden(order)
    return None


def _client_return_problem(order: _Order) -> dict[str, str] | None:
    if order.create_state == ACCEPTED or order.latest_status in _DEAD_STATUSES:
        return _forbidden(order)
    return None


#: The one statement of which states of an order forbid each write request on it (a
#: refusal, a delete...), and with which error; asked both when the request arrives and
#: when it is settled (the status may have moved on meanwhile).
_WRITE_FORBIDDEN: dict[str, Callable[[_Order], dict[str, str] | None]] = {
    "CREATE_REFUSAL": _refusal_problem,
    "DELETE": _delete_problem,
    "UPDATE": _update_problem,
    "CREATE_CLIENT_RETURN": _client_return_problem,
}

_DELETE_STATUS_MESSAGE = "Ошибка удаления заказа. Заказ может быть удален только в статусе Создан."
_UPDATE_FORBIDDEN_MESSAGE = (
    'Operation is forbidden. Orders can only be updated in "CREATED" or "ACCEPTED" statuses'
)
_DUPLICATE_NUMBER_CODE = "error_validate_im_dep_number_has_already_had_integration"
_DUPLICATE_NUMBER_MESSAGE = (
    "Введенный номер отправления ИМ не уникальный. Введите уникальный номер."
)
_REFUSAL_REASON_CODE = "11"


@dataclass
class _Order(_Tracked):
    uuid: str
    owner: str
    body: dict[str, Any]
    type: int
    #: The shop's number; None when the order has none (CDEK then shows none).
    number: str | None
    tariff_code: int
    requests: list[_ApiRequest] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    cdek_number: str | None = None

    noun = "order"

    def push_status(
        self,
        code: str,
        at: datetime,
        city: str,
        reason_code: str | None = None,
        name: str | None = None,
    ) -> None:
        status: dict[str, Any] = {
            "code": code,
            "name": name or STATUS_NAMES.get(code, code),
            "date_time": at,
            "city": city,
        }
        if reason_code is not None:
            status["reason_code"] = reason_code
        self.statuses.append(status)

    def city(self, location_key: str) -> str:
        """The name of the reference city the order leaves from or goes to."""
        point_key = "shipment_point" if location_key == "from_location" else "delivery_point"
        facts = city_of(self.body.get(location_key), self.body.get(point_key))
        return str(facts["city"]) if facts else _OFFICE_CITY

    def accept(self, at: datetime) -> None:
        """The status CDEK gives an order the moment its CREATE is accepted."""
        self.push_status("ACCEPTED", at, _OFFICE_CITY)

    # --- write rules ---------------------------------------------------------------------

    def status_forbids(self, request_type: str) -> dict[str, str] | None:
        """The error when the order's state forbids a write request of ``request_type``."""
        return _WRITE_FORBIDDEN[request_type](self)

    def write_problem(self, request_type: str) -> dict[str, str] | None:
        """Whether the order may take another write request of ``request_type``: an INVALID
        CREATE, the same request pending, then the rule of ``request_type``, in that order;
        None when the write may be accepted."""
        if self.create_state == INVALID:
            return _entity_invalid(self)
        pending = self.pending(request_type)
        if pending is not None:
            return _similar_request(pending)
        return self.status_forbids(request_type)

    @property
    def is_removed(self) -> bool:
        """Deleted: CDEK then finds no order by its uuid or numbers."""
        return self.latest_status == "REMOVED"

    def settle_create(
        self, request: _ApiRequest, number_taken: bool, cdek_number: Callable[[], str]
    ) -> None:
        """Finish the CREATE: INVALID when another order of the account already holds the
        shop number, else SUCCESSFUL with a new CDEK number (drawn only then)."""
        at = request.ready_at
        if number_taken:
            duplicate = _error(_DUPLICATE_NUMBER_CODE, _DUPLICATE_NUMBER_MESSAGE)
            request.finish(INVALID, at, [duplicate])
            self.push_status("INVALID", at, _OFFICE_CITY)
        else:
            request.finish(SUCCESSFUL, at)
            self.cdek_number = cdek_number()
            self.push_status("CREATED", at, _OFFICE_CITY)

    def settle_change(self, request: _ApiRequest) -> None:
        """Finish an accepted refusal, delete, update or client return: INVALID if the status
        now forbids it, else SUCCESSFUL and its effect applied."""
        at = request.ready_at
        problem = self.status_forbids(request.type)
        if problem is not None:
            request.finish(INVALID, at, [problem])
            return
        request.finish(SUCCESSFUL, at)
        if request.type == "CREATE_REFUSAL":
            self.push_status("NOT_DELIVERED", at, self.city("to_location"), _REFUSAL_REASON_CODE)
        elif request.type == "DELETE":
            self.push_status("REMOVED", at, self.city("from_location"))
        elif request.type == "UPDATE":
            self.merge_changes(request.payload or {})
        # CREATE_CLIENT_RETURN: no return order is modelled, the request only succeeds.

    def merge_changes(self, changes: dict[str, Any]) -> None:
        """Apply an UPDATE: a shallow merge of top-level keys (already validated)."""
        self.body.update(copy.deepcopy(changes))
        if "tariff_code" in changes:
            self.tariff_code = int(changes["tariff_code"])
        if "type" in changes and changes["type"] is not None:
            self.type = int(changes["type"])
        if "number" in changes:
            number = changes["number"]
            self.number = None if _is_empty(number) else str(number)

    # --- what the order derives ----------------------------------------------------------

    @property
    def is_final(self) -> bool:
        """Delivered, refused, removed or invalid: nothing can change the order any more."""
        return self.latest_status in _REFUSAL_FORBIDDEN

    @property
    def is_live(self) -> bool:
        """Created and still changeable (not delivered, refused, removed or invalid): what
        an intake, an appointment or delivery intervals need of their order."""
        return self.create_state == SUCCESSFUL and not self.is_final

    @property
    def has_check(self) -> bool:
        """Created and not REMOVED or INVALID: an order CDEK has a check (and photos) for."""
        return self.create_state == SUCCESSFUL and self.latest_status not in _DEAD_STATUSES

    @property
    def created_at(self) -> datetime:
        created: datetime = next(s["date_time"] for s in self.statuses if s["code"] == "CREATED")
        return created

    @property
    def delivered_at(self) -> datetime | None:
        moments = [s["date_time"] for s in self.statuses if s["code"] == "DELIVERED"]
        return moments[-1] if moments else None

    @property
    def cod_sum(self) -> float:
        """Cash on delivery: items' ``payment.value`` times ``amount``, plus the delivery
        charge."""
        body = self.body
        total = 0.0
        packages = body.get("packages")
        for package in packages if isinstance(packages, list) else []:
            items = package.get("items") if isinstance(package, dict) else None
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or not isinstance(item.get("payment"), dict):
                    continue
                value, amount = item["payment"].get("value"), item.get("amount", 1)
                if _is_number(value) and _is_number(amount):
                    total += value * amount
        charge = body.get("delivery_recipient_cost")
        if isinstance(charge, dict) and _is_number(charge.get("value")):
            total += charge["value"]
        return round(total, 2)

    # --- answers -------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The order as CDEK shows it: its body, with what CDEK derives (``order_view``)."""
        body = self.body
        entity: dict[str, Any] = {
            "uuid": self.uuid,
            "type": self.type,
            "is_return": False,
            "is_reverse": False,
        }
        if self.cdek_number is not None:
            entity["cdek_number"] = self.cdek_number
        if self.number is not None:
            entity["number"] = self.number
        entity["tariff_code"] = self.tariff_code
        derived = order_view.details(self.uuid, body, self.tariff_code)
        skip = {"uuid", "type", "number", "cdek_number", "tariff_code", "statuses"}
        for key, value in body.items():
            if key not in skip and key not in derived:
                entity[key] = copy.deepcopy(value)
        entity.update(derived)
        statuses = []
        for status in reversed(self.statuses):  # CDEK lists the newest first
            shown = dict(status)
            shown["date_time"] = format_datetime(status["date_time"])
            shown["deleted"] = False
            statuses.append(shown)
        entity["statuses"] = statuses
        entity["is_client_return"] = bool(body.get("is_client_return", False))
        entity["delivery_mode"] = str(order_view.delivery_mode(body, self.tariff_code))
        entity["has_reverse_order"] = False
        cod = self.cod_sum if self.delivered_at is not None else None
        entity["delivery_detail"] = order_view.delivery_detail(
            body, self.tariff_code, entity["services"], cod
        )
        entity["calls"] = {}
        return entity

    def envelope(self) -> dict[str, Any]:
        return _envelope(self.to_json(), self.requests)
