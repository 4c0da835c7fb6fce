"""Every CDEK method sends exactly the documented request: verb, path, query, body, headers.

Each case is run twice against a local HTTP server: through the CLI in OPI's spelling
(explicit ``true``/``false``, single-quoted pseudo-JSON, JSON arrays) and through
``dispatch`` with Python values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core.testing import run_cli

TOKEN = "tok-EXACT-1234567890"
U1 = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
U2 = "0a7b5a2c-7f39-4f3e-9d2a-5c7e2b7b1e11"
NO_BODY = object()


@dataclass
class Case:
    method: str
    cli: list[str]
    kwargs: dict[str, Any]
    verb: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = NO_BODY
    form: dict[str, str] | None = None
    bearer: bool = True

    def __str__(self) -> str:
        return self.method


CASES = [
    Case(
        "GetToken",
        ["--account", "acc-1", "--pass", "pw-SECRET-99", "--testapi", "true"],
        {"account": "acc-1", "password": "pw-SECRET-99", "test_api": True},
        "POST",
        "/v2/oauth/token",
        form={
            "grant_type": "client_credentials",
            "client_id": "acc-1",
            "client_secret": "pw-SECRET-99",
        },
        bearer=False,
    ),
    Case(
        "GetCashboxChecksByDate",
        ["--date", "2026-03-07T14:55:51"],
        {"receiving_date": dt.datetime(2026, 3, 7, 14, 55, 51)},
        "GET",
        "/v2/check",
        {"date": "2026-03-07"},
    ),
    Case(
        "GetDeliveryCashRegistry",
        ["--date", "2026-03-07"],
        {"receiving_date": dt.date(2026, 3, 7)},
        "GET",
        "/v2/registries",
        {"date": "2026-03-07"},
    ),
    Case(
        "GetDeliveryCashTransfers",
        ["--date", "2026-03-07"],
        {"receiving_date": "2026-03-07"},
        "GET",
        "/v2/payment",
        {"date": "2026-03-07"},
    ),
    Case(
        "GetOfficeList",
        ["--filter", "{'city_code':'270','allowed_cod':true,'weight_min':0}"],
        {"filter": {"city_code": "270", "allowed_cod": True, "weight_min": 0}},
        "GET",
        "/v2/deliverypoints",
        {"city_code": "270", "allowed_cod": "true", "weight_min": "0"},
    ),
    Case(
        "GetRegionsList",
        ["--countries", "['RU','KZ']", "--page", "0", "--lang", "eng"],
        {"countries": ["RU", "KZ"], "page": 0, "lang": "eng"},
        "GET",
        "/v2/location/regions",
        {"country_codes": "RU,KZ", "page": "0", "lang": "eng"},
    ),
    Case(
        "GetRegionsList",
        ["--countries", "RU"],
        {"countries": "RU"},
        "GET",
        "/v2/location/regions",
        {"country_codes": "RU", "page": "0", "lang": "rus"},
    ),
    Case(
        "CreateOrder",
        ["--order", "{'tariff_code':139,'number':'A1'}", "--ostore", "true"],
        {"order_description": {"tariff_code": 139, "number": "A1"}, "online_store": True},
        "POST",
        "/v2/orders",
        body={"tariff_code": 139, "number": "A1", "type": 1},
    ),
    Case(
        "CreateOrder",
        ["--order", '{"tariff_code": 139}'],
        {"order_description": {"tariff_code": 139}},
        "POST",
        "/v2/orders",
        body={"tariff_code": 139, "type": 2},
    ),
    Case(
        "UpdateOrder",
        ["--uuid", U1, "--order", "{'comment':'','print':false}"],
        {"uuid": U1, "order_description": {"comment": "", "print": False}},
        "PATCH",
        "/v2/orders",
        body={"comment": "", "print": False, "uuid": U1},
    ),
    Case("DeleteOrder", ["--uuid", U1], {"uuid": U1}, "DELETE", f"/v2/orders/{U1}"),
    Case("GetOrder", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/orders/{U1}"),
    Case(
        "GetOrderByNumber",
        ["--number", "1106394409", "--internal", "false"],
        {"order_number": "1106394409"},
        "GET",
        "/v2/orders",
        {"cdek_number": "1106394409"},
    ),
    Case(
        "GetOrderByNumber",
        ["--number", "shop-42", "--internal", "true"],
        {"order_number": "shop-42", "internal": True},
        "GET",
        "/v2/orders",
        {"im_number": "shop-42"},
    ),
    Case(
        "CreateCustomerRefund",
        ["--uuid", U1, "--tariff", "139"],
        {"uuid": U1, "tariff": 139},
        "POST",
        f"/v2/orders/{U1}/clientReturn",
        body={"tariff_code": 139},
    ),
    Case("CreateRefusal", ["--uuid", U1], {"uuid": U1}, "POST", f"/v2/orders/{U1}/refusal"),
    Case(
        "CreateReceipt",
        ["--uuids", f"['{U1}','{U2}']", "--type", "tpl_english", "--count", "0"],
        {"uuid_array": [U1, U2], "type": "tpl_english", "copies_per_sheet": 0},
        "POST",
        "/v2/print/orders",
        body={
            "orders": [{"order_uuid": U1}, {"order_uuid": U2}],
            "copy_count": 0,
            "type": "tpl_english",
        },
    ),
    Case(
        "CreateReceipt",
        ["--uuids", U1],
        {"uuid_array": U1},
        "POST",
        "/v2/print/orders",
        body={"orders": [{"order_uuid": U1}], "copy_count": 2, "type": "tpl_russia"},
    ),
    Case(
        "GetReceipt",
        ["--uuid", U1, "--getfile", "false"],
        {"uuid": U1},
        "GET",
        f"/v2/print/orders/{U1}",
    ),
    Case(
        "CreateBarcode",
        ["--uuids", f'["{U1}"]', "--count", "3", "--format", "A6", "--lang", "ENG"],
        {"uuid_array": [U1], "copies": 3, "format": "A6", "lang": "ENG"},
        "POST",
        "/v2/print/barcodes",
        body={"orders": [{"order_uuid": U1}], "copy_count": 3, "format": "A6", "lang": "ENG"},
    ),
    Case("GetBarcode", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/print/barcodes/{U1}"),
    Case(
        "CreatePrealert",
        ["--uuids", U1, "--date", "2026-03-07T14:55:51", "--point", "NSK27"],
        {
            "uuid_array": [U1],
            "transfer_date": dt.datetime(2026, 3, 7, 14, 55, 51),
            "point": "NSK27",
        },
        "POST",
        "/v2/prealert",
        body={
            "orders": [{"order_uuid": U1}],
            "planned_date": "2026-03-07T14:55:51+0000",
            "shipment_point": "NSK27",
        },
    ),
    Case("GetPrealert", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/prealert/{U1}"),
    Case(
        "GetPassportDataStatus",
        ["--uuid", U1],
        {"uuid": U1},
        "GET",
        "/v2/passport",
        {"order_uuid": U1},
    ),
    Case("GetCashboxCheck", ["--uuid", U1], {"uuid": U1}, "GET", "/v2/check", {"order_uuid": U1}),
    Case(
        "GetAvailableDeliveryIntervals",
        ["--uuid", U1],
        {"uuid": U1},
        "GET",
        "/v2/delivery/intervals",
        {"order_uuid": U1},
    ),
    Case(
        "CreateCourierInvitation",
        [
            "--intake",
            "{'intake_date':'2026-03-07','intake_time_from':'10:00',"
            "'intake_time_to':'17:00','need_call':false,'weight':0}",
        ],
        {
            "invitation_description": {
                "intake_date": "2026-03-07",
                "intake_time_from": "10:00",
                "intake_time_to": "17:00",
                "need_call": False,
                "weight": 0,
            }
        },
        "POST",
        "/v2/intakes",
        body={
            "intake_date": "2026-03-07",
            "intake_time_from": "10:00",
            "intake_time_to": "17:00",
            "need_call": False,
            "weight": 0,
        },
    ),
    Case("GetCourierInvitation", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/intakes/{U1}"),
    Case("DeleteCourierInvitation", ["--uuid", U1], {"uuid": U1}, "DELETE", f"/v2/intakes/{U1}"),
    Case(
        "RegisterDeliveryAppointment",
        ["--appt", f"{{'date':'2026-03-07','order_uuid':'{U1}','comment':''}}"],
        {"appointment": {"date": "2026-03-07", "order_uuid": U1, "comment": ""}},
        "POST",
        "/v2/delivery",
        body={"date": "2026-03-07", "order_uuid": U1, "comment": ""},
    ),
    Case("GetDeliveryAppointment", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/delivery/{U1}"),
]


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/oauth/token").respond_with_json(
        {"access_token": "issued-token", "token_type": "bearer", "expires_in": 3599}
    )
    httpserver.expect_request(re.compile("^/v2/(?!oauth).*")).respond_with_json({"ok": True})
    return httpserver


def check_request(server: HTTPServer, case: Case) -> None:
    assert len(server.log) == 1, [r.path for r, _ in server.log]
    request = server.log[0][0]
    assert request.method == case.verb
    assert request.path == case.path
    assert request.args.to_dict(flat=False) == {k: [v] for k, v in case.query.items()}
    if case.bearer:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    else:
        assert "Authorization" not in request.headers
    if case.form is not None:
        assert request.mimetype == "application/x-www-form-urlencoded"
        assert request.form.to_dict(flat=False) == {k: [v] for k, v in case.form.items()}
    elif case.body is NO_BODY:
        assert request.get_data() == b""
    else:
        assert request.mimetype == "application/json"
        assert json.loads(request.get_data()) == case.body


SHIPMENT = {
    "tariff_code": 139,
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"weight": 1200, "length": 0}],
}
SHIPMENT_TEXT = (
    "{'tariff_code':139,'from_location':{'code':44},'to_location':{'code':270},"
    "'packages':[{'weight':1200,'length':0}]}"
)

# CDEK API v2 beyond OPI's 31 methods.
CASES += [
    Case(
        "SuggestCities",
        ["--name", "Новосиб", "--country", "RU"],
        {"name": "Новосиб", "country": "RU"},
        "GET",
        "/v2/location/suggest/cities",
        {"name": "Новосиб", "country_code": "RU"},
    ),
    Case(
        "GetCitiesList",
        ["--filter", "{'country_codes':'RU','size':10,'page':0}"],
        {"filter": {"country_codes": "RU", "size": 10, "page": 0}},
        "GET",
        "/v2/location/cities",
        {"country_codes": "RU", "size": "10", "page": "0"},
    ),
    Case(
        "GetPostalCodes",
        ["--city", "270"],
        {"city": 270},
        "GET",
        "/v2/location/postalcodes",
        {"city_code": "270"},
    ),
    Case(
        "GetLocationByCoordinates",
        ["--latitude", "55.0302", "--longitude", "82.9204"],
        {"latitude": 55.0302, "longitude": 82.9204},
        "GET",
        "/v2/location/coordinates",
        {"latitude": "55.0302", "longitude": "82.9204"},
    ),
    Case(
        "CalculateTariff",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/calculator/tariff",
        body=SHIPMENT,
    ),
    Case(
        "CalculateTariffList",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/calculator/tarifflist",
        body=SHIPMENT,
    ),
    Case(
        "CalculateTariffsAndServices",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/calculator/tariffAndService",
        body=SHIPMENT,
    ),
    Case(
        "GetAvailableTariffs",
        ["--lang", "eng"],
        {"lang": "eng"},
        "GET",
        "/v2/calculator/alltariffs",
        {"lang": "eng"},
    ),
    Case("GetAvailableTariffs", [], {}, "GET", "/v2/calculator/alltariffs"),
    Case(
        "GetInternationalRestrictions",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/international/package/restrictions",
        body=SHIPMENT,
    ),
    Case(
        "GetOrderCourierInvitations",
        ["--uuid", U1],
        {"uuid": U1},
        "GET",
        f"/v2/orders/{U1}/intakes",
    ),
    Case(
        "GetEstimatedDeliveryIntervals",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/delivery/estimatedIntervals",
        body=SHIPMENT,
    ),
    Case(
        "GetCourierAvailableDays",
        ["--location", "{'code':270}", "--date", "2026-03-07"],
        {"location": {"code": 270}, "date": dt.date(2026, 3, 7)},
        "POST",
        "/v2/intakes/availableDays",
        body={"from_location": {"code": 270}, "date": "2026-03-07"},
    ),
    Case(
        "GetCourierAvailableDays",
        ["--location", '{"code": 270}'],
        {"location": {"code": 270}},
        "POST",
        "/v2/intakes/availableDays",
        body={"from_location": {"code": 270}},
    ),
    Case(
        "UpdateCourierInvitationStatus",
        ["--uuid", U1, "--status", "READY"],
        {"uuid": U1, "status": "READY"},
        "PATCH",
        "/v2/intakes",
        body={"uuid": U1, "status": "READY"},
    ),
    Case(
        "GetOrdersWithPhotos",
        ["--filter", f"{{'orders':[{{'order_uuid':'{U1}'}}]}}"],
        {"filter": {"orders": [{"order_uuid": U1}]}},
        "POST",
        "/v2/photoDocument",
        body={"orders": [{"order_uuid": U1}]},
    ),
    Case("GetPhotoArchive", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/photoDocument/{U1}"),
    Case(
        "CheckReverseAvailability",
        ["--shipment", SHIPMENT_TEXT],
        {"shipment": SHIPMENT},
        "POST",
        "/v2/reverse/availability",
        body=SHIPMENT,
    ),
    Case(
        "CreateWebhook",
        ["--url", "https://shop.example/hook", "--type", "order_status"],
        {"url": "https://shop.example/hook", "type": "ORDER_STATUS"},
        "POST",
        "/v2/webhooks",
        body={"url": "https://shop.example/hook", "type": "ORDER_STATUS"},
    ),
    Case("GetWebhookList", [], {}, "GET", "/v2/webhooks"),
    Case("GetWebhook", ["--uuid", U1], {"uuid": U1}, "GET", f"/v2/webhooks/{U1}"),
    Case("DeleteWebhook", ["--uuid", U1], {"uuid": U1}, "DELETE", f"/v2/webhooks/{U1}"),
]

OPI_METHODS = {
    "GetToken",
    "GetCashboxChecksByDate",
    "GetDeliveryCashRegistry",
    "GetDeliveryCashTransfers",
    "GetOfficeList",
    "GetRegionsList",
    "GetOfficeFilterDescription",
    "CreateOrder",
    "UpdateOrder",
    "DeleteOrder",
    "GetOrder",
    "GetOrderByNumber",
    "CreateCustomerRefund",
    "CreateRefusal",
    "CreateReceipt",
    "GetReceipt",
    "CreateBarcode",
    "GetBarcode",
    "CreatePrealert",
    "GetPrealert",
    "GetPassportDataStatus",
    "GetCashboxCheck",
    "GetOrderDescription",
    "GetAvailableDeliveryIntervals",
    "CreateCourierInvitation",
    "GetCourierInvitation",
    "DeleteCourierInvitation",
    "RegisterDeliveryAppointment",
    "GetDeliveryAppointment",
    "GetCourierInvitationsDescription",
    "GetAppointmentDescription",
}
# Methods that send several requests are tested against the sandbox instead.
MULTI_REQUEST = {"PrintReceipt", "PrintBarcode"}


def test_opi_parity_and_a_case_for_every_single_request_method() -> None:
    from oint_cdek.plugin import PROVIDER

    methods = PROVIDER.load_methods()
    names = {m.name for m in methods}
    assert len(OPI_METHODS) == 31 and names >= OPI_METHODS
    network = {m.name for m in methods if "TestAPI" in {p.name for p in m.params}}
    assert network - MULTI_REQUEST == {case.method for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cli_in_opi_spelling_sends_the_documented_request(cdek: HTTPServer, case: Case) -> None:
    args = ["cdek", case.method, *case.cli]
    if case.bearer:
        args += ["--token", TOKEN]
    result = run_cli(args)
    assert result.exit_code == 0, result.stderr
    check_request(cdek, case)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_dispatch_sends_the_documented_request(cdek: HTTPServer, case: Case) -> None:
    kwargs = dict(case.kwargs)
    if case.bearer:
        kwargs["token"] = TOKEN
    oint_core.dispatch("cdek", case.method, **kwargs)
    check_request(cdek, case)
