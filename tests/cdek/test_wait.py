"""--wait (library: wait=) on CDEK's writes, against the sandbox over real sockets: the wait
ends SUCCESSFUL (the entity as its Get returns it), INVALID (exit 1) or out of time (exit 3)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import oint_core
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox
from oint_core import ApiError, TransportError, UsageError
from oint_core.registry import default_registry
from oint_core.testing import run_cli

from .conftest import sandbox_control, sandbox_log

REPO = Path(__file__).resolve().parents[2]
ORDER_FILE = REPO / "demo" / "order.json"
UNKNOWN = "00000000-0000-4000-8000-000000000000"

#: Every CDEK method that changes something on CDEK's side and is processed later.
WRITES = {
    "CreateOrder",
    "UpdateOrder",
    "DeleteOrder",
    "CreateCustomerRefund",
    "CreateRefusal",
    "CreateReceipt",
    "CreateBarcode",
    "CreatePrealert",
    "CreateCourierInvitation",
    "DeleteCourierInvitation",
    "UpdateCourierInvitationStatus",
    "RegisterDeliveryAppointment",
    "CreateWebhook",
    "DeleteWebhook",
}
#: Writes that wait by themselves, with a --wait parameter of their own.
WAIT_ON_THEIR_OWN = {"PrintReceipt", "PrintBarcode"}


def start(delay: float, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    running = start_sandbox(SandboxConfig(processing_delay=delay))
    monkeypatch.setenv("OINT_CDEK_BASE_URL", running.base_url)
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", TEST_ACCOUNT)
    monkeypatch.setenv("OINT_CDEK_PASSWORD", TEST_SECURE_PASSWORD)
    return running


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    """A sandbox that takes 0.4 s to process a write: the first look sees it ACCEPTED."""
    with start(0.4, monkeypatch) as running:
        yield running


@pytest.fixture
def stuck(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    """A sandbox that takes 30 s to process a write: no test waits that long."""
    with start(30, monkeypatch) as running:
        yield running


def order(number: str = "wait-1") -> dict:
    body = json.loads(ORDER_FILE.read_text(encoding="utf-8"))
    return {**body, "number": number}


def cli(*args: str) -> tuple[int, str, str]:
    result = run_cli(["cdek", *args])
    return result.exit_code, result.stdout, result.stderr


def order_gets(sandbox: RunningSandbox, uuid: str) -> int:
    return sum(
        1 for r in sandbox_log(sandbox) if (r["method"], r["path"]) == ("GET", f"/v2/orders/{uuid}")
    )


# -- which methods wait ------------------------------------------------------------------------


def test_every_write_and_only_the_writes_take_the_core_wait() -> None:
    methods = default_registry().methods("cdek")
    assert {m.name for m in methods if m.waits is not None} == WRITES
    own = {m.name for m in methods if any(p.option == "--wait" for p in m.params)}
    assert own == WAIT_ON_THEIR_OWN


def test_a_read_has_no_wait_option_and_refuses_wait_in_python() -> None:
    code, _, err = cli("GetOrder", "--uuid", UNKNOWN, "--wait")
    assert code == 2 and "--wait" in err
    with pytest.raises(UsageError, match="GetOrder does not wait"):
        oint_core.dispatch("cdek", "GetOrder", uuid=UNKNOWN, wait=5)


def test_the_help_of_a_write_shows_wait_and_of_print_receipt_its_own() -> None:
    code, out, _ = cli("CreateOrder", "--help")
    assert code == 0 and "--wait [SECONDS]" in out and "--wait alone: 60" in out
    code, out, _ = cli("PrintReceipt", "--help")
    assert code == 0 and "Seconds to wait for the form to be READY" in out
    assert "--wait alone" not in out


@pytest.mark.parametrize("value", ["0", "inf", "nan", "abc", "1e9", "+-1"])
def test_a_bad_wait_is_a_usage_error_before_anything_is_sent(
    slow: RunningSandbox, value: str
) -> None:
    code, out, err = cli("CreateOrder", "--order", str(ORDER_FILE), f"--wait={value}")
    assert (code, out) == (2, "")
    assert "--wait" in err
    assert sandbox_log(slow) == []


def test_a_negative_wait_is_a_usage_error_too(slow: RunningSandbox) -> None:
    # click reads "-1" after an option whose value is optional as another option.
    code, out, err = cli("CreateOrder", "--order", str(ORDER_FILE), "--wait", "-1")
    assert (code, out) == (2, "") and "-1" in err
    assert sandbox_log(slow) == []


@pytest.mark.parametrize("value", [0, -1, float("inf"), "5", 1e9])
def test_a_bad_wait_is_refused_in_python_too(slow: RunningSandbox, value: object) -> None:
    with pytest.raises(UsageError, match="wait"):
        oint_core.dispatch("cdek", "CreateOrder", order_description=order(), wait=value)
    assert sandbox_log(slow) == []


# -- CreateOrder: SUCCESSFUL, INVALID, still processing ------------------------------------------


def test_create_order_wait_prints_the_created_order(slow: RunningSandbox) -> None:
    started = time.monotonic()
    code, out, err = cli("CreateOrder", "--order", str(ORDER_FILE), "--ostore", "true", "--wait")
    assert (code, err) == (0, "")
    created = json.loads(out)
    uuid = created["entity"]["uuid"]
    # The entity as GetOrder returns it, not the 202 envelope.
    assert created["entity"]["cdek_number"]
    assert created["entity"]["statuses"][0]["code"] == "CREATED"
    assert [(r["type"], r["state"]) for r in created["requests"]] == [("CREATE", "SUCCESSFUL")]
    code, again, _ = cli("GetOrder", "--uuid", uuid)
    assert code == 0 and json.loads(again) == created
    # It looked more than once: the first look, at 0.25 s, found the order still ACCEPTED.
    assert order_gets(slow, uuid) >= 3  # two looks while waiting, then GetOrder
    assert time.monotonic() - started < 10


def test_an_order_cdek_finds_invalid_exits_1_with_its_errors(slow: RunningSandbox) -> None:
    body = json.dumps(order("taken-1"))
    assert cli("CreateOrder", "--order", body, "--wait")[0] == 0
    # The same shop number again: accepted (202), then INVALID once processed, as on CDEK.
    code, out, err = cli("CreateOrder", "--order", body, "--wait")
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith("oint: error: CDEK processed the CREATE request on order ")
    assert "as INVALID: error_validate_im_dep_number_has_already_had_integration: " in line
    shown = json.loads(out)  # the entity, printed as GetOrder shows it
    assert shown["requests"][0]["state"] == "INVALID"
    assert shown["entity"]["statuses"][0]["code"] == "INVALID"
    assert shown["entity"]["uuid"] in line


def test_a_wait_too_short_exits_3_naming_the_order_to_look_at(stuck: RunningSandbox) -> None:
    started = time.monotonic()
    code, out, err = cli("CreateOrder", "--order", str(ORDER_FILE), "--wait", "0.6")
    assert (code, out) == (3, "")
    assert time.monotonic() - started < 5
    [line] = err.splitlines()
    match = re.fullmatch(
        r"oint: error: the CREATE request on order (?P<uuid>[0-9a-f-]{36}) is still ACCEPTED"
        r" after 0\.6 s \(raise --wait\); the CREATE was sent and CDEK is still processing it;"
        r" 'oint cdek GetOrder --uuid (?P=uuid)' shows it later",
        line,
    )
    assert match, line
    # The order named is the one sent: once processed, it is there.
    sandbox_control(stuck, "POST", "/advance", json={"seconds": 60})
    code, later, _ = cli("GetOrder", "--uuid", match["uuid"])
    assert code == 0 and json.loads(later)["requests"][0]["state"] == "SUCCESSFUL"


def test_the_call_deadline_bounds_the_wait(stuck: RunningSandbox) -> None:
    started = time.monotonic()
    code, _, err = cli("CreateOrder", "--order", str(ORDER_FILE), "--wait", "--timeout", "1")
    assert code == 3
    assert time.monotonic() - started < 4
    assert "is still ACCEPTED at the call's deadline (1 s; raise --timeout)" in err
    assert "the CREATE was sent" in err


def test_wait_with_a_value_after_it_and_an_option_after_it(slow: RunningSandbox) -> None:
    """``--wait`` takes an optional value: ``--wait --quiet`` is --wait alone, then --quiet."""
    code, out, err = cli("CreateOrder", "--order", str(ORDER_FILE), "--wait", "--quiet")
    assert (code, err) == (0, "")
    assert json.loads(out)["requests"][0]["state"] == "SUCCESSFUL"


# -- the library --------------------------------------------------------------------------------


def test_dispatch_wait_returns_the_processed_order(slow: RunningSandbox) -> None:
    created = oint_core.dispatch(
        "cdek", "CreateOrder", order_description=order("lib-1"), online_store=True, wait=10
    )
    assert created["requests"][0]["state"] == "SUCCESSFUL"
    assert created["entity"]["number"] == "lib-1" and created["entity"]["cdek_number"]
    assert created["entity"]["type"] == 1


def test_dispatch_wait_true_waits_the_default(slow: RunningSandbox) -> None:
    created = oint_core.dispatch("cdek", "CreateOrder", order_description=order(), wait=True)
    assert created["requests"][0]["state"] == "SUCCESSFUL"


def test_dispatch_wait_on_an_invalid_order_raises_api_error(slow: RunningSandbox) -> None:
    oint_core.dispatch("cdek", "CreateOrder", order_description=order("dup"), wait=10)
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateOrder", order_description=order("dup"), wait=10)
    assert caught.value.codes == ["error_validate_im_dep_number_has_already_had_integration"]
    assert caught.value.body["requests"][0]["state"] == "INVALID"


def test_a_write_that_ends_invalid_says_it_was_refused(slow: RunningSandbox) -> None:
    """``sent`` after --wait saw the write end INVALID is "yes" (requests went out, every write
    among them was refused), as for the same refusal answered at once with a 400."""
    oint_core.dispatch("cdek", "CreateOrder", order_description=order("dup-sent"), wait=10)
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateOrder", order_description=order("dup-sent"), wait=10)
    assert caught.value.body["requests"][0]["state"] == "INVALID"
    with pytest.raises(ApiError) as at_once:  # refused with a 400: nothing was made
        oint_core.dispatch("cdek", "CreateOrder", order_description={"number": "x"})
    assert at_once.value.sent == "yes"
    assert caught.value.sent == "yes"


def test_dispatch_wait_too_short_names_the_library_call(stuck: RunningSandbox) -> None:
    with pytest.raises(TransportError) as caught:
        oint_core.dispatch("cdek", "CreateOrder", order_description=order(), wait=0.3)
    assert "is still ACCEPTED after 0.3 s" in str(caught.value)
    assert re.search(r"dispatch\('cdek', 'GetOrder', uuid='[0-9a-f-]{36}'\)", str(caught.value))


def test_dispatch_wait_of_print_receipt_is_its_own_parameter(stuck: RunningSandbox) -> None:
    with pytest.raises(TransportError, match=r"print form .* is still ACCEPTED after 0.4 s"):
        oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[UNKNOWN], wait=0.4)


def test_dispatch_wait_true_of_print_receipt_waits_the_default(slow: RunningSandbox) -> None:
    """As for every write, True means 60 s, False not given (the parameter's default)."""
    uuid = created_order("receipt-wait-true")
    pdf = oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[uuid], wait=True)
    assert pdf.startswith(b"%PDF")
    pdf = oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[uuid], wait=False)
    assert pdf.startswith(b"%PDF")


def test_a_bad_wait_of_print_receipt_names_wait_not_the_option(slow: RunningSandbox) -> None:
    with pytest.raises(UsageError) as caught:
        oint_core.dispatch("cdek", "PrintReceipt", uuid_array=[UNKNOWN], wait=0)
    assert str(caught.value).startswith("wait: 0 ")
    code, _, err = cli("PrintReceipt", "--uuids", UNKNOWN, "--wait", "0")
    assert code == 2 and "--wait: 0 " in err


# -- the other writes: each reads back its own entity and its own request -----------------------


def created_order(number: str) -> str:
    return oint_core.dispatch("cdek", "CreateOrder", order_description=order(number), wait=10)[
        "entity"
    ]["uuid"]


def test_update_waits_for_the_update_not_the_earlier_create(slow: RunningSandbox) -> None:
    uuid = created_order("upd-1")
    code, out, err = cli(
        "UpdateOrder", "--uuid", uuid, "--order", '{"comment": "changed"}', "--wait"
    )
    assert (code, err) == (0, "")
    updated = json.loads(out)
    assert [(r["type"], r["state"]) for r in updated["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("UPDATE", "SUCCESSFUL"),
    ]
    assert updated["entity"]["comment"] == "changed"  # applied: it was processed


def test_refusal_wait_shows_the_order_refused(slow: RunningSandbox) -> None:
    uuid = created_order("ref-1")
    slow.move_order(uuid, "ACCEPTED_AT_PICK_UP_POINT")
    refused = oint_core.dispatch("cdek", "CreateRefusal", uuid=uuid, wait=10)
    assert refused["entity"]["uuid"] == uuid
    assert refused["requests"][-1]["type"] == "CREATE_REFUSAL"
    assert refused["requests"][-1]["state"] == "SUCCESSFUL"
    assert refused["entity"]["statuses"][0]["code"] == "NOT_DELIVERED"


def test_delete_wait_ends_when_cdek_no_longer_finds_the_order(slow: RunningSandbox) -> None:
    uuid = created_order("del-1")
    code, out, err = cli("DeleteOrder", "--uuid", uuid, "--wait")
    assert (code, err) == (0, "")
    assert json.loads(out)["requests"][0]["type"] == "DELETE"  # the delete's own answer
    code, _, err = cli("GetOrder", "--uuid", uuid)
    assert code == 1 and "v2_entity_not_found" in err  # deleted by the time --wait ended


def test_courier_invitation_create_update_delete_with_wait(slow: RunningSandbox) -> None:
    uuid = created_order("intake-1")
    intake = {
        "intake_date": "2030-01-10",
        "intake_time_from": "10:00",
        "intake_time_to": "15:00",
        "order_uuid": uuid,
    }
    created = oint_core.dispatch(
        "cdek", "CreateCourierInvitation", invitation_description=intake, wait=10
    )
    intake_uuid = created["entity"]["uuid"]
    assert created["entity"]["intake_number"]  # set once processed
    assert created["requests"][0]["state"] == "SUCCESSFUL"
    changed = oint_core.dispatch(
        "cdek",
        "UpdateCourierInvitationStatus",
        uuid=intake_uuid,
        add_status="CALL_REQUIRED",
        wait=10,
    )
    assert [(r["type"], r["state"]) for r in changed["requests"]][-1] == ("UPDATE", "SUCCESSFUL")
    deleted = oint_core.dispatch("cdek", "DeleteCourierInvitation", uuid=intake_uuid, wait=10)
    assert deleted["requests"][-1]["type"] == "DELETE"
    assert deleted["requests"][-1]["state"] == "SUCCESSFUL"
    assert deleted["entity"]["statuses"][0]["code"] == "REMOVED"


def test_appointment_and_prealert_with_wait(slow: RunningSandbox) -> None:
    uuid = created_order("appt-1")
    appointment = oint_core.dispatch(
        "cdek",
        "RegisterDeliveryAppointment",
        appointment={"order_uuid": uuid, "date": "2030-01-11"},
        wait=10,
    )
    assert appointment["entity"]["order_uuid"] == uuid
    assert appointment["requests"][0]["state"] == "SUCCESSFUL"
    prealert = oint_core.dispatch(
        "cdek",
        "CreatePrealert",
        uuid_array=[uuid],
        transfer_date="2030-01-12T10:00:00",
        point="MSK1",
        wait=10,
    )
    assert prealert["requests"][0]["state"] == "SUCCESSFUL"
    assert prealert["entity"]["orders"][0]["order_uuid"] == uuid


def test_a_prealert_of_an_unknown_order_ends_invalid(slow: RunningSandbox) -> None:
    code, out, err = cli(
        "CreatePrealert",
        "--uuids",
        UNKNOWN,
        "--date",
        "2030-01-12T10:00:00",
        "--point",
        "MSK1",
        "--wait",
    )
    assert code == 1
    assert "CDEK processed the CREATE request on prealert" in err
    assert "v2_entity_not_found" in err
    assert json.loads(out)["requests"][0]["state"] == "INVALID"


def test_create_receipt_wait_ends_when_the_form_is_ready(slow: RunningSandbox) -> None:
    uuid = created_order("form-1")
    code, out, err = cli("CreateReceipt", "--uuids", uuid, "--wait")
    assert (code, err) == (0, "")
    form = json.loads(out)
    assert form["entity"]["url"].endswith(".pdf")
    assert form["entity"]["statuses"][-1]["code"] == "READY"


def test_create_barcode_of_an_unknown_order_ends_invalid(slow: RunningSandbox) -> None:
    code, out, err = cli("CreateBarcode", "--uuids", UNKNOWN, "--wait")
    assert code == 1
    assert re.search(r"print form [0-9a-f-]{36} ended INVALID", err)
    assert json.loads(out)["entity"]["statuses"][-1]["code"] == "INVALID"


def test_webhooks_are_final_at_once_and_still_read_back(slow: RunningSandbox) -> None:
    created = oint_core.dispatch(
        "cdek", "CreateWebhook", url="https://shop.example/hook", type="ORDER_STATUS", wait=10
    )
    hook = created["entity"]["uuid"]
    assert created["entity"]["url"] == "https://shop.example/hook"  # GetWebhook's entity
    assert created == oint_core.dispatch("cdek", "GetWebhook", uuid=hook)
    deleted = oint_core.dispatch("cdek", "DeleteWebhook", uuid=hook, wait=10)
    assert deleted["requests"][0]["type"] == "DELETE"
    with pytest.raises(ApiError):
        oint_core.dispatch("cdek", "GetWebhook", uuid=hook)


# -- the getting-started snippet runs as written -----------------------------------------------


def python_snippet(guide: Path) -> str:
    """The first ```python block of the guide's "From Python" section."""
    text = guide.read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_getting_started_snippet_runs_as_written(slow: RunningSandbox, tmp_path: Path) -> None:
    snippet = python_snippet(REPO / "docs" / "getting-started.md")
    assert "wait=" in snippet
    env = {
        **os.environ,
        "OINT_CDEK_BASE_URL": slow.base_url,
        "XDG_CACHE_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=REPO,  # the snippet reads demo/order.json, as the guide's commands do
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    number, status = done.stdout.split()
    assert number.isdigit()  # CDEK's number: the order was processed before the refusal
    assert status == "NOT_DELIVERED"
