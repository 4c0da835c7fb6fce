"""The entities besides orders that hang off them: print forms (waybills and barcodes),
prealerts, courier intakes and delivery appointments, one class each."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ..config import format_datetime
from ..exceptions import _error
from .common import (
    ACCEPTED,
    INVALID,
    _ApiRequest,
    _conclude,
    _entity_invalid,
    _envelope,
    _forbidden,
    _similar_request,
    _Tracked,
)


@dataclass
class _Timer:
    """A status change that happens by itself at ``at`` (a print form becoming READY)."""

    at: datetime
    seq: int
    code: str
    done: bool = False


@dataclass
class _Record(_Tracked):
    """A print form, prealert, courier intake or delivery agreement of one account."""

    uuid: str
    owner: str
    #: What the entity shows besides uuid and statuses, in display order.
    fields: dict[str, Any]
    requests: list[_ApiRequest] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # oldest first

    #: Russian status names of this kind of entity.
    status_names: ClassVar[dict[str, str]] = {}
    #: Whether the entity has statuses at all (a prealert's state is in its requests only).
    shows_statuses: ClassVar[bool] = True

    def push_status(self, code: str, at: datetime) -> None:
        name = self.status_names.get(code, code)
        self.statuses.append({"code": code, "name": name, "date_time": at})

    def url(self, root_url: str) -> str | None:
        """Where the entity's document can be downloaded, once there is one."""
        return None

    def fail(self, request: _ApiRequest, at: datetime, errors: list[dict[str, str]]) -> None:
        """End the CREATE INVALID with ``errors`` (and the entity too, if it has statuses)."""
        request.finish(INVALID, at, errors)
        if self.shows_statuses:
            self.push_status("INVALID", at)

    def to_json(self, root_url: str) -> dict[str, Any]:
        entity: dict[str, Any] = {"uuid": self.uuid}
        entity.update(copy.deepcopy(self.fields))
        url = self.url(root_url)
        if url is not None:
            entity["url"] = url
        if self.shows_statuses:
            entity["statuses"] = [  # newest first, as for orders
                {**status, "date_time": format_datetime(status["date_time"])}
                for status in reversed(self.statuses)
            ]
        return entity

    def envelope(self, root_url: str) -> dict[str, Any]:
        return _envelope(self.to_json(root_url), self.requests)


@dataclass
class _OrderList(_Record):
    """An entity listing orders (``fields["orders"]``), checked when its CREATE settles."""

    def to_json(self, root_url: str) -> dict[str, Any]:
        entity = super().to_json(root_url)
        for ref in entity.get("orders", []):  # CDEK numbers are JSON integers here
            number = ref.get("cdek_number")
            if isinstance(number, str) and number.isdigit():
                ref["cdek_number"] = int(number)
        return entity


@dataclass
class _PrintForm(_OrderList):
    """A print form: ACCEPTED, PROCESSING once its CREATE settles, READY a delay later."""

    timers: list[_Timer] = field(default_factory=list)

    noun = "print form"
    status_names: ClassVar[dict[str, str]] = {
        "ACCEPTED": "Принят",
        "PROCESSING": "Формируется",
        "READY": "Сформирован",
        "INVALID": "Некорректный запрос",
        "REMOVED": "Удален",
    }
    #: The path segment of the form's kind: ``/v2/print/{path_kind}/...``.
    path_kind: ClassVar[str]
    #: ``copy_count`` when the request gives none.
    default_copies: ClassVar[int]

    def pdf_path(self) -> str:
        return f"/v2/print/{self.path_kind}/{self.uuid}.pdf"

    def url(self, root_url: str) -> str | None:
        return root_url + self.pdf_path() if self.latest_status == "READY" else None

    def start_processing(self, at: datetime, ready_at: datetime, seq: int) -> None:
        self.push_status("PROCESSING", at)
        self.timers.append(_Timer(ready_at, seq, "READY"))

    def fire(self, timer: _Timer) -> None:
        timer.done = True
        if self.latest_status not in ("INVALID", "REMOVED"):
            self.push_status(timer.code, timer.at)

    def to_json(self, root_url: str) -> dict[str, Any]:
        entity = super().to_json(root_url)
        entity["statuses"].reverse()  # a print form lists its statuses oldest first
        return entity

    def heading(self) -> tuple[str, str]:
        """The PDF's title and its layout line."""
        raise NotImplementedError

    def pdf_text(self) -> tuple[str, list[str]]:
        """Title and lines of the form's PDF: its type and the CDEK numbers it covers."""
        title, layout = self.heading()
        numbers = [str(ref.get("cdek_number")) for ref in self.fields["orders"]]
        lines = [f"Print form {self.uuid}", layout, f"Orders ({len(numbers)}):"]
        lines += [", ".join(numbers[at : at + 6]) for at in range(0, len(numbers), 6)]
        lines += ["", "CDEK sandbox: a test document, not valid for shipping."]
        return title, lines


@dataclass
class _WaybillForm(_PrintForm):
    """POST /v2/print/orders: waybills (receipts) of the orders."""

    path_kind = "orders"
    default_copies = 2

    def heading(self) -> tuple[str, str]:
        fields = self.fields
        return f"CDEK waybill: {fields['type']}", f"Copies per sheet: {fields['copy_count']}"


@dataclass
class _BarcodeForm(_PrintForm):
    """POST /v2/print/barcodes: barcode labels of the orders' packages."""

    path_kind = "barcodes"
    default_copies = 1

    def heading(self) -> tuple[str, str]:
        fields = self.fields
        title = f"CDEK barcode labels: {fields['format']}, {fields['lang']}"
        return title, f"Copies: {fields['copy_count']}"


@dataclass
class _Prealert(_OrderList):
    noun = "prealert"
    shows_statuses = False

    def to_json(self, root_url: str) -> dict[str, Any]:
        entity = super().to_json(root_url)
        # CDEK lists a prealert's orders with their numbers; one that names no order of the
        # account (the prealert is INVALID for it) has none, and is not listed.
        entity["orders"] = [ref for ref in entity["orders"] if "cdek_number" in ref]
        return entity


@dataclass
class _Linked(_Record):
    """An entity that may name one live order (``fields["order_uuid"]``)."""

    #: The statuses a successful CREATE gives it, in order.
    created_statuses: ClassVar[tuple[str, ...]]


@dataclass
class _Intake(_Linked):
    """A courier intake: CREATED, then READY_FOR_APPOINTMENT with an ``intake_number`` once
    created; takes UPDATE (a status pushed by the client) and DELETE."""

    noun = "intake"
    created_statuses = ("CREATED", "READY_FOR_APPOINTMENT")
    #: CDEK's intake statuses (its appendix of intake statuses).
    status_names: ClassVar[dict[str, str]] = {
        "ACCEPTED": "Принят",
        "CREATED": "Создан",
        "REMOVED": "Отменена",
        "READY_FOR_APPOINTMENT": "Готова к назначению",
        "APPOINTED_COURIER": "Назначен курьер",
        "DONE": "Выполнена",
        "PROBLEM_DETECTED": "Выявлена проблема",
        "PROCESSING_REQUIRED": "Требует обработки",
        "INVALID": "Некорректная заявка",
    }
    #: Statuses after which the intake can't be deleted any more.
    final_statuses: ClassVar[frozenset[str]] = frozenset({"REMOVED", "DONE"})

    def write_problem(self, request_type: str) -> dict[str, str] | None:
        """Whether the intake may take another write request (DELETE or UPDATE): not with an
        INVALID CREATE, not while the CREATE processes or once REMOVED, not while the same
        request is pending; None when it may."""
        if self.create_state == INVALID:
            return _entity_invalid(self)
        if request_type == "DELETE" and self.latest_status in self.final_statuses:
            message = f"Operation is forbidden. Entity has final status {self.latest_status}"
            return _error("v2_entity_has_final_status", message)
        if self.create_state == ACCEPTED or self.latest_status == "REMOVED":
            return _forbidden(self)
        pending = self.pending(request_type)
        if pending is not None:
            return _similar_request(pending)
        return None

    def settle_change(self, request: _ApiRequest) -> None:
        """Finish an UPDATE (push the status it carries) or a DELETE (REMOVED), unless the
        intake was REMOVED or INVALID meanwhile."""
        at = request.ready_at
        if _conclude(request, at, self, self.latest_status in ("REMOVED", "INVALID")):
            if request.type == "UPDATE":
                self.push_status(str((request.payload or {}).get("status")), at)
            else:
                self.push_status("REMOVED", at)


@dataclass
class _DeliveryAppointment(_Linked):
    """A delivery agreement (POST /v2/delivery): PROCESSING (registered) once its CREATE
    settles."""

    noun = "delivery agreement"
    created_statuses = ("PROCESSING",)
    #: CDEK's appointment statuses (its appendix of delivery agreement statuses).
    status_names: ClassVar[dict[str, str]] = {
        "ACCEPTED": "Принята",
        "PROCESSING": "Зарегистрирована",
        "INVALID": "Некорректна",
        "CANCEL": "Аннулирована",
    }
