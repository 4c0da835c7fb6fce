"""Real results for the generated docs: every method run once on a sandbox made stable.

The sandbox gets a clock that moves one second per reading and a fixed seed, so ids, tokens,
dates and the order of events are the same on every machine; its address is replaced by
CDEK's edu host in the recorded text. Entities a method needs (an order, a print form, an
intake, …) are created beforehand over plain HTTP, in the same order every time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from oint_core import ExampleRun

START = dt.datetime(2026, 8, 3, 9, 0, 0, tzinfo=dt.timezone.utc)
SEED = 20260803
STABLE_ROOT = "https://api.edu.cdek.ru"
SHIPMENT = {
    "tariff_code": 139,
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"weight": 1200, "length": 20, "width": 15, "height": 10}],
}


class TickingClock:
    """A clock that advances one second each time it is read: stable, yet time passes."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            self._now += dt.timedelta(seconds=1)
            return self._now


def order(number: str) -> dict[str, Any]:
    return {
        "number": number,
        "tariff_code": 139,
        "comment": "Пример заказа",
        "delivery_recipient_cost": {"value": 0},
        "delivery_recipient_cost_adv": [{"threshold": 3000, "sum": 0}],
        "sender": {
            "company": "ООО Книжная лавка",
            "name": "Петров Пётр",
            "phones": [{"number": "+74951234567"}],
        },
        "seller": {"name": "ООО Книжная лавка"},
        "recipient": {"name": "Иванов Иван", "phones": [{"number": "+79134637228"}]},
        "from_location": {"code": 44, "address": "Москва, ул. Лесная, 1"},
        "to_location": {"code": 270, "address": "Новосибирск, ул. Кутателадзе, 4"},
        "packages": [
            {
                "number": "box-1",
                "weight": 1200,
                "length": 20,
                "width": 15,
                "height": 10,
                "comment": "Хрупкое",
                "items": [
                    {
                        "name": "Книга",
                        "ware_key": "book-1",
                        "url": "https://shop.example/books/1",
                        "payment": {"value": 0},
                        "cost": 500,
                        "weight": 1200,
                        "amount": 1,
                    }
                ],
            }
        ],
    }


class World:
    """The sandbox's state the examples need, made on demand through CDEK's own API."""

    def __init__(self, base_url: str) -> None:
        import requests

        from .sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD

        self.base = base_url
        self.account, self.password = TEST_ACCOUNT, TEST_SECURE_PASSWORD
        self.http = requests.Session()
        self.http.trust_env = False
        answer = self.http.post(
            f"{base_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.account,
                "client_secret": self.password,
            },
            timeout=10,
        )
        answer.raise_for_status()
        self.token = answer.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self._orders = 0
        self.order = self.new_order()

    def post(self, path: str, body: Any) -> dict[str, Any]:
        answer = self.http.request("POST", self.base + path, json=body, timeout=10)
        answer.raise_for_status()
        parsed: dict[str, Any] = answer.json()
        return parsed

    def new_order(self) -> str:
        self._orders += 1
        uuid = str(
            self.post("/orders", {**order(f"shop-{self._orders:04d}"), "type": 1})["entity"]["uuid"]
        )
        self.http.get(f"{self.base}/orders/{uuid}", timeout=10)  # settles it (the clock ticks)
        return uuid

    def form(self, kind: str) -> str:
        body: dict[str, Any] = {"orders": [{"order_uuid": self.order}], "copy_count": 1}
        body.update({"type": "tpl_russia"} if kind == "orders" else {"format": "A4", "lang": "RUS"})
        uuid = str(self.post(f"/print/{kind}", body)["entity"]["uuid"])
        for _ in range(5):  # ACCEPTED -> PROCESSING -> READY as the clock ticks
            self.http.get(f"{self.base}/print/{kind}/{uuid}", timeout=10)
        return uuid

    def make_room_for_a_webhook(self) -> None:
        """CDEK keeps at most two subscriptions per account: leave at most one."""
        hooks = self.http.get(f"{self.base}/webhooks", timeout=10).json()
        for hook in hooks[1:]:
            self.http.delete(f"{self.base}/webhooks/{hook['uuid']}", timeout=10)

    def webhook(self) -> str:
        """A new subscription (after making room for it)."""
        self.make_room_for_a_webhook()
        made = self.post("/webhooks", {"url": "https://shop.example/print", "type": "PRINT_FORM"})
        return str(made["entity"]["uuid"])

    def intake(self) -> str:
        return str(self.post("/intakes", self.intake_body())["entity"]["uuid"])

    def intake_body(self) -> dict[str, Any]:
        return {
            "intake_date": "2026-08-05",
            "intake_time_from": "10:00",
            "intake_time_to": "17:00",
            "name": "Книги",
            "weight": 1200,
            "length": 20,
            "width": 15,
            "height": 10,
            "comment": "Подъезд со двора",
            "order_uuid": self.order,
            "need_call": False,
        }

    def params(self, method: str) -> Mapping[str, Any] | None:
        """The values ``method`` is called with on this sandbox."""
        token = {"token": self.token, "test_api": True}
        today = START.date()
        simple: dict[str, dict[str, Any]] = {
            "GetToken": {"account": self.account, "password": self.password, "test_api": True},
            "GetCashboxChecksByDate": {"receiving_date": today},
            "GetDeliveryCashRegistry": {"receiving_date": today},
            "GetDeliveryCashTransfers": {"receiving_date": today},
            "GetOfficeList": {"filter": {"city_code": 270, "type": "PVZ"}},
            "GetRegionsList": {"countries": ["KZ"], "page": 0, "lang": "rus"},
            "GetOfficeFilterDescription": {},
            "GetOrderDescription": {"required_only": True},
            "GetCourierInvitationsDescription": {"required_only": True},
            "GetAppointmentDescription": {"required_only": True},
            "CreateOrder": {"order_description": order("shop-new"), "online_store": True},
            "GetOrder": {"uuid": self.order},
            "GetOrderByNumber": {"order_number": "shop-0001", "internal": True},
            "UpdateOrder": {
                "uuid": self.order,
                "order_description": {"comment": "Звонить заранее"},
            },
            "CreateCustomerRefund": {"uuid": self.order, "tariff": 139},
            "CreateReceipt": {"uuid_array": [self.order]},
            "CreateBarcode": {"uuid_array": [self.order], "format": "A6"},
            "CreatePrealert": {
                "uuid_array": [self.order],
                "transfer_date": dt.datetime(2026, 8, 4, 10, 0),
                "point": "NSK27",
            },
            "GetPassportDataStatus": {"uuid": self.order},
            "GetCashboxCheck": {"uuid": self.order},
            "GetAvailableDeliveryIntervals": {"uuid": self.order},
            "CreateCourierInvitation": {"invitation_description": self.intake_body()},
            "RegisterDeliveryAppointment": {
                "appointment": {
                    "date": "2026-08-06",
                    "order_uuid": self.order,
                    "time_from": "10:00",
                    "time_to": "14:00",
                }
            },
            "SuggestCities": {"name": "Новосиб", "country": "RU"},
            "GetCitiesList": {"filter": {"country_codes": "RU", "size": 2}},
            "GetPostalCodes": {"city": 270},
            "GetLocationByCoordinates": {"latitude": 55.0302, "longitude": 82.9204},
            "CalculateTariff": {"shipment": SHIPMENT},
            "CalculateTariffList": {"shipment": SHIPMENT},
            "CalculateTariffsAndServices": {"shipment": SHIPMENT},
            "GetAvailableTariffs": {"lang": "rus"},
            "GetInternationalRestrictions": {
                "shipment": {**SHIPMENT, "to_location": {"code": 4756}}
            },
            "GetOrderCourierInvitations": {"uuid": self.order},
            "GetEstimatedDeliveryIntervals": {
                "shipment": {**SHIPMENT, "date_time": "2026-08-03T10:00:00+0700"}
            },
            "GetCourierAvailableDays": {"location": {"code": 270}, "date": dt.date(2026, 8, 3)},
            "CheckReverseAvailability": {"shipment": SHIPMENT},
            "GetOrdersWithPhotos": {"filter": {"orders": [{"order_uuid": self.order}]}},
            "GetWebhookList": {},
            "PrintReceipt": {"uuid_array": [self.order], "wait": 30},
            "PrintBarcode": {"uuid_array": [self.order], "wait": 30},
        }
        if method in simple:
            values = simple[method]
            takes_token = not (method.endswith("Description") or method == "GetToken")
            return {**token, **values} if takes_token else values
        made = self._made(method)
        return None if made is None else {**token, **made}

    def _made(self, method: str) -> dict[str, Any] | None:
        """Methods that need an entity made just for them."""
        if method in ("CreateRefusal", "DeleteOrder"):
            return {"uuid": self.new_order()}
        if method in ("GetReceipt", "GetBarcode"):
            return {"uuid": self.form("orders" if method == "GetReceipt" else "barcodes")}
        if method == "GetPrealert":
            body = {
                "orders": [{"order_uuid": self.order}],
                "planned_date": "2026-08-04T10:00:00+0000",
                "shipment_point": "NSK27",
            }
            return {"uuid": self.post("/prealert", body)["entity"]["uuid"]}
        if method in ("GetCourierInvitation", "DeleteCourierInvitation"):
            return {"uuid": self.intake()}
        if method == "UpdateCourierInvitationStatus":
            return {"uuid": self.intake(), "add_status": "CALL_REQUIRED"}
        if method == "GetDeliveryAppointment":
            body = {
                "date": "2026-08-06",
                "time_from": "10:00",
                "time_to": "14:00",
                "comment": "Позвонить за час",
                "order_uuid": self.order,
            }
            return {"uuid": self.post("/delivery", body)["entity"]["uuid"]}
        if method == "GetPhotoArchive":
            found = self.post("/photoDocument", {"orders": [{"order_uuid": self.order}]})
            # the archive's uuid is the last segment of the orders' link
            return {"uuid": found["orders"][0]["link"].rsplit("/", 1)[1]}
        if method == "CreateWebhook":
            self.make_room_for_a_webhook()
            return {"url": "https://shop.example/cdek/events", "type": "ORDER_STATUS"}
        if method in ("GetWebhook", "DeleteWebhook"):
            return {"uuid": self.webhook()}
        return None


@contextmanager
def examples() -> Iterator[ExampleRun]:
    """A stable sandbox and the values to call every CDEK method with on it."""
    from .sandbox.app import SandboxConfig
    from .sandbox.server import start_sandbox

    config = SandboxConfig(clock=TickingClock(START), seed=SEED, processing_delay=0.5)
    with start_sandbox(config) as sandbox:
        world = World(sandbox.base_url)
        yield ExampleRun(
            params=world.params,
            env={"OINT_CDEK_BASE_URL": sandbox.base_url},
            replacements={sandbox.root_url: STABLE_ROOT},
        )
