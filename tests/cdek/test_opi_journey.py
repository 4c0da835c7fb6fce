"""OPI's own CDEK test journey, on the sandbox, through the CLI exactly as OPI's docs spell it.

token → order (online store) → get → get by number → receipt and barcode downloaded as PDF →
prealert → passport status → cashbox check → update → client return → refusal → delete;
courier invitation create/get/delete, delivery intervals, appointment register/get.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oint_core
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox
from oint_core.testing import run_cli

from .conftest import sandbox_control, sandbox_log

REPO = Path(__file__).resolve().parents[2]
ORDER = json.loads((REPO / "demo" / "order.json").read_text(encoding="utf-8"))


def advance(sandbox: RunningSandbox, seconds: float = 5) -> None:
    sandbox_control(sandbox, "POST", "/advance", json={"seconds": seconds})


class Cli:
    """Runs ``oint cdek …`` in OPI's spelling with a token and ``--testapi true``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, method: str, *args: str, expect: int = 0) -> dict:
        result = run_cli(["cdek", method, *args, "--token", self.token, "--testapi", "true"])
        assert result.exit_code == expect, f"{method}: {result.stderr}"
        assert self.token not in result.stdout + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}


@pytest.fixture
def on_sandbox(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    return sandbox


@pytest.fixture
def cdek(on_sandbox: RunningSandbox) -> Cli:
    result = run_cli(
        [
            "cdek",
            "GetToken",
            "--account",
            TEST_ACCOUNT,
            "--pass",
            TEST_SECURE_PASSWORD,
            "--testapi",
            "true",
        ]
    )
    assert result.exit_code == 0, result.stderr
    return Cli(json.loads(result.stdout)["access_token"])


def pseudo_json(value: dict) -> str:
    """OPI's documentation writes objects with single quotes."""
    return json.dumps(value, ensure_ascii=False).replace('"', "'")


def new_order(cdek: Cli, sandbox: RunningSandbox, number: str) -> dict:
    created = cdek(
        "CreateOrder", "--order", pseudo_json({**ORDER, "number": number}), "--ostore", "true"
    )
    advance(sandbox)
    return cdek("GetOrder", "--uuid", created["entity"]["uuid"])["entity"]


def test_orders_print_forms_and_returns(cdek: Cli, on_sandbox: RunningSandbox, tmp_path) -> None:
    order = new_order(cdek, on_sandbox, "opi-journey-1")
    uuid = order["uuid"]
    assert order["number"] == "opi-journey-1" and order["type"] == 1

    by_cdek = cdek("GetOrderByNumber", "--number", order["cdek_number"], "--internal", "false")
    by_shop = cdek("GetOrderByNumber", "--number", "opi-journey-1", "--internal", "true")
    assert by_cdek["entity"]["uuid"] == by_shop["entity"]["uuid"] == uuid

    for create, get, extra in (
        ("CreateReceipt", "GetReceipt", ["--type", "tpl_russia", "--count", "2"]),
        ("CreateBarcode", "GetBarcode", ["--count", "1", "--format", "A6", "--lang", "RUS"]),
    ):
        form = cdek(create, "--uuids", f"['{uuid}']", *extra)["entity"]["uuid"]
        advance(on_sandbox)
        state = cdek(get, "--uuid", form)
        assert state["entity"]["url"]
        pdf = tmp_path / f"{get}.pdf"
        cdek(get, "--uuid", form, "--getfile", "true", "--out", str(pdf))
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

    planned = (dt.date.today() + dt.timedelta(days=1)).isoformat() + "T10:00:00"
    prealert = cdek("CreatePrealert", "--uuids", uuid, "--date", planned, "--point", "NSK27")
    advance(on_sandbox)
    got = cdek("GetPrealert", "--uuid", prealert["entity"]["uuid"])
    assert got["entity"]["shipment_point"] == "NSK27"

    passport = cdek("GetPassportDataStatus", "--uuid", uuid)
    assert passport["orders"][0]["order_uuid"] == uuid
    check = cdek("GetCashboxCheck", "--uuid", uuid)
    assert check == {}  # no payment on delivery yet: CDEK has no fiscal check to show

    cdek("UpdateOrder", "--uuid", uuid, "--order", "{'comment': 'Позвонить за час'}")
    advance(on_sandbox)
    assert cdek("GetOrder", "--uuid", uuid)["entity"]["comment"] == "Позвонить за час"

    refund = cdek("CreateCustomerRefund", "--uuid", uuid, "--tariff", "139")
    assert refund["requests"][0]["type"] == "CREATE_CLIENT_RETURN"
    refusal = cdek("CreateRefusal", "--uuid", uuid)
    assert refusal["requests"][0]["type"] == "CREATE_REFUSAL"
    advance(on_sandbox)
    assert cdek("GetOrder", "--uuid", uuid)["entity"]["statuses"][0]["code"] == "NOT_DELIVERED"

    fresh = new_order(cdek, on_sandbox, "opi-journey-2")
    deleted = cdek("DeleteOrder", "--uuid", fresh["uuid"])
    assert deleted["requests"][0]["type"] == "DELETE"
    advance(on_sandbox)
    cdek("GetOrder", "--uuid", fresh["uuid"], expect=1)  # CDEK finds no deleted order


def test_reports_by_date(cdek: Cli) -> None:
    today = dt.date.today().isoformat()
    assert isinstance(cdek("GetCashboxChecksByDate", "--date", today), dict)
    # Nothing delivered with cash on delivery today: CDEK answers empty objects.
    assert cdek("GetDeliveryCashRegistry", "--date", today) == {}
    assert cdek("GetDeliveryCashTransfers", "--date", today) == {}


def test_reference_lists(cdek: Cli) -> None:
    offices = run_cli(
        ["cdek", "GetOfficeList", "--filter", "{'city_code': 270}", "--token", cdek.token]
    )
    assert offices.exit_code == 0, offices.stderr
    listed = json.loads(offices.stdout)
    assert listed and all(o["location"]["city_code"] == 270 for o in listed)
    regions = run_cli(
        ["cdek", "GetRegionsList", "--countries", "['RU']", "--page", "0", "--token", cdek.token]
    )
    assert regions.exit_code == 0
    assert {r["country_code"] for r in json.loads(regions.stdout)} == {"RU"}


def test_courier_invitation_and_delivery(cdek: Cli, on_sandbox: RunningSandbox) -> None:
    order = new_order(cdek, on_sandbox, "opi-journey-3")
    intervals = cdek("GetAvailableDeliveryIntervals", "--uuid", order["uuid"])
    assert intervals["date_intervals"]

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    intake = {
        "intake_date": tomorrow,
        "intake_time_from": "10:00",
        "intake_time_to": "17:00",
        "order_uuid": order["uuid"],
        "need_call": False,
    }
    created = cdek("CreateCourierInvitation", "--intake", pseudo_json(intake))
    intake_uuid = created["entity"]["uuid"]
    advance(on_sandbox)
    got = cdek("GetCourierInvitation", "--uuid", intake_uuid)
    assert got["entity"]["intake_date"] == tomorrow
    assert got["entity"]["need_call"] is False
    cdek("DeleteCourierInvitation", "--uuid", intake_uuid)

    appointment = {
        "date": tomorrow,
        "order_uuid": order["uuid"],
        "time_from": "10:00",
        "time_to": "14:00",
    }
    registered = cdek("RegisterDeliveryAppointment", "--appt", pseudo_json(appointment))
    advance(on_sandbox)
    got = cdek("GetDeliveryAppointment", "--uuid", registered["entity"]["uuid"])
    assert got["entity"]["date"] == tomorrow


# -- binary results --------------------------------------------------------------------------


@pytest.fixture
def ready_receipt(cdek: Cli, on_sandbox: RunningSandbox) -> str:
    order = new_order(cdek, on_sandbox, "binary-1")
    form = cdek("CreateReceipt", "--uuids", order["uuid"])["entity"]["uuid"]
    advance(on_sandbox)
    return form


def test_the_library_returns_pdf_bytes(cdek: Cli, ready_receipt: str) -> None:
    data = oint_core.dispatch(
        "cdek", "GetReceipt", token=cdek.token, uuid=ready_receipt, get_file=True
    )
    assert isinstance(data, bytes) and data.startswith(b"%PDF-")


def oint_command() -> list[str]:
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]


@pytest.mark.posix  # a pseudo-terminal (pty)
def test_bytes_go_to_a_pipe_but_never_to_a_terminal(
    cdek: Cli, ready_receipt: str, on_sandbox: RunningSandbox
) -> None:
    env = {**os.environ, "OINT_CDEK_BASE_URL": on_sandbox.base_url, "OINT_CDEK_TOKEN": cdek.token}
    args = [*oint_command(), "cdek", "GetReceipt", "--uuid", ready_receipt, "--getfile"]
    piped = subprocess.run(args, capture_output=True, env=env, timeout=60, check=False)
    assert piped.returncode == 0
    assert piped.stdout.startswith(b"%PDF-")

    seen = len(sandbox_log(on_sandbox))
    import pty  # POSIX only

    controller, terminal = pty.openpty()
    try:
        on_tty = subprocess.run(
            args, stdout=terminal, stderr=subprocess.PIPE, env=env, timeout=60, check=False
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert on_tty.returncode == 2
    assert b"give --out FILE" in on_tty.stderr
    assert len(sandbox_log(on_sandbox)) == seen  # refused before anything was sent


def test_a_form_that_is_not_ready_has_no_file(
    cdek: Cli, on_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    order = new_order(cdek, on_sandbox, "binary-2")
    form = cdek("CreateBarcode", "--uuids", order["uuid"])["entity"]["uuid"]
    target = tmp_path / "barcode.pdf"
    result = run_cli(
        [
            "cdek",
            "GetBarcode",
            "--uuid",
            form,
            "--getfile",
            "--out",
            str(target),
            "--token",
            cdek.token,
        ]
    )
    assert result.exit_code == 1
    assert "has no file yet" in result.stderr
    assert not target.exists()
