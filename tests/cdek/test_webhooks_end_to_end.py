"""The whole webhook loop, as a user runs it: ``oint listen cdek`` on one side, ``oint cdek``
commands on the other, the sandbox between them sending CDEK's events.

CreateWebhook with the listener's URL, an order to a pick-up point, its journey there, the
refusal: the listener prints the order's ORDER_STATUS events in order, ending NOT_DELIVERED
with reason 11; a barcode gives PRINT_FORM with a URL that downloads the PDF. Every step is
an ``oint`` process, as in the README.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oint_cdek.testing import CdekSandbox

from .conftest import loopback_session

pytestmark = pytest.mark.posix

ORDER = Path(__file__).resolve().parents[2] / "demo" / "order.json"
SECRET = "end-to-end-listener-secret"


def oint(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("oint")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]
    return [*command, *args]


def run(sandbox: CdekSandbox, *args: str) -> Any:
    done = subprocess.run(
        oint("cdek", *args),
        capture_output=True,
        text=True,
        env={**os.environ, **sandbox.env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.cdek_sandbox(processing_delay=0)
def test_listen_subscribe_refuse_print(cdek_sandbox: CdekSandbox, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    listener = subprocess.Popen(
        oint("listen", "cdek", "--port", "0", "--secret", SECRET, "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **cdek_sandbox.env},
    )
    try:
        assert listener.stderr is not None
        url = listener.stderr.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith(f"?token={SECRET}")

        for kind in ("ORDER_STATUS", "PRINT_FORM"):
            hook = run(cdek_sandbox, "CreateWebhook", "--url", url, "--type", kind)
            assert hook["requests"][0]["state"] == "SUCCESSFUL"
        created = run(cdek_sandbox, "CreateOrder", "--order", str(ORDER), "--wait")
        order = created["entity"]["uuid"]
        cdek_sandbox.move_order(order, "ACCEPTED_AT_PICK_UP_POINT")
        refused = run(cdek_sandbox, "CreateRefusal", "--uuid", order, "--wait")
        assert refused["entity"]["statuses"][0]["code"] == "NOT_DELIVERED"
        barcode = run(cdek_sandbox, "CreateBarcode", "--uuids", order, "--wait")
        cdek_sandbox.wait_for_webhooks()  # every delivery answered: each line is written
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    finally:
        listener.send_signal(signal.SIGINT)
        _, err = listener.communicate(timeout=60)
    assert listener.returncode == 130
    assert "Traceback" not in err
    assert SECRET not in err

    statuses = [e for e in got if e["type"] == "ORDER_STATUS"]
    assert {e["uuid"] for e in statuses} == {order}
    codes = [e["attributes"]["code"] for e in statuses]
    # In the order they happened (the journey the sandbox plays, then the refusal) ...
    journey = [
        s["code"] for s in reversed(refused["entity"]["statuses"]) if s["code"] != "ACCEPTED"
    ]
    assert codes == journey
    assert codes[0] == "CREATED"
    assert "ACCEPTED_AT_PICK_UP_POINT" in codes
    # ... ending NOT_DELIVERED with reason 11, and each change printed once.
    assert codes[-1] == "NOT_DELIVERED"
    assert statuses[-1]["attributes"]["status_reason_code"] == "11"
    assert len({(e["attributes"]["code"], e["date_time"]) for e in statuses}) == len(statuses)

    [form] = [e for e in got if e["type"] == "PRINT_FORM"]
    assert form["uuid"] == barcode["entity"]["uuid"]
    assert form["attributes"]["type"] == "BARCODE"
    with loopback_session() as http:
        token = cdek_sandbox.client().call("GetToken", account=cdek_sandbox.account)
        token = token["access_token"]
        pdf = http.get(
            form["attributes"]["url"], headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
