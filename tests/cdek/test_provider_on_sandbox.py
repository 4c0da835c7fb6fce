"""The CDEK provider against the sandbox over real sockets: CLI and library, journeys and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import oint_core
from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD
from oint_cdek.sandbox.server import RunningSandbox
from oint_core import ApiError
from oint_core.testing import run_cli

from .conftest import sandbox_control

REPO = Path(__file__).resolve().parents[2]
ORDER_FILE = REPO / "demo" / "order.json"


@pytest.fixture
def on_sandbox(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", sandbox.base_url)
    return sandbox


def control(sandbox: RunningSandbox, path: str, payload: dict | None = None) -> requests.Response:
    answer = sandbox_control(sandbox, "POST", f"/{path}", json=payload or {})
    answer.raise_for_status()
    return answer


def settle(sandbox: RunningSandbox) -> None:
    """Let the sandbox finish its asynchronous processing now (moves its clock on)."""
    control(sandbox, "advance", {"seconds": 5})


def cli_json(*args: str, expect: int = 0) -> dict:
    result = run_cli(list(args))
    assert result.exit_code == expect, result.stderr
    return json.loads(result.stdout)


def latest_status(order: dict) -> dict:
    return order["entity"]["statuses"][0]


def test_refusal_journey_through_the_cli(on_sandbox: RunningSandbox) -> None:
    token = cli_json(
        "cdek", "GetToken", "--account", TEST_ACCOUNT, "--pass", TEST_SECURE_PASSWORD, "--testapi"
    )
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    auth = ["--token", token["access_token"], "--testapi"]

    created = cli_json("cdek", "CreateOrder", "--order", str(ORDER_FILE), "--ostore", *auth)
    assert created["requests"][0]["state"] == "ACCEPTED"
    uuid = created["entity"]["uuid"]
    settle(on_sandbox)

    order = cli_json("cdek", "GetOrder", "--uuid", uuid, *auth)
    assert order["entity"]["type"] == 1
    assert order["entity"]["number"] == "demo-shop-0001"
    assert order["entity"]["cdek_number"]
    assert latest_status(order)["code"] == "CREATED"

    refusal = cli_json("cdek", "CreateRefusal", "--uuid", uuid, *auth)
    assert refusal["entity"]["uuid"] == uuid
    assert refusal["requests"][0]["type"] == "CREATE_REFUSAL"
    assert refusal["requests"][0]["state"] == "ACCEPTED"
    settle(on_sandbox)

    after = cli_json("cdek", "GetOrder", "--uuid", uuid, *auth)
    assert latest_status(after)["code"] == "NOT_DELIVERED"
    assert latest_status(after)["reason_code"] == "11"


def test_refusal_journey_through_the_library(on_sandbox: RunningSandbox) -> None:
    token = oint_core.dispatch(
        "cdek", "GetToken", account=TEST_ACCOUNT, password=TEST_SECURE_PASSWORD, test_api=True
    )["access_token"]
    order = json.loads(ORDER_FILE.read_text(encoding="utf-8"))
    created = oint_core.dispatch(
        "cdek", "create_order", token=token, order_description=order, online_store=True
    )
    uuid = created["entity"]["uuid"]
    settle(on_sandbox)
    oint_core.dispatch("cdek", "create_refusal", token=token, uuid=uuid)
    settle(on_sandbox)
    after = oint_core.dispatch("cdek", "get_order", token=token, uuid=uuid)
    assert latest_status(after)["code"] == "NOT_DELIVERED"


@pytest.fixture
def token(on_sandbox: RunningSandbox) -> str:
    return oint_core.dispatch(
        "cdek", "GetToken", account=TEST_ACCOUNT, password=TEST_SECURE_PASSWORD
    )["access_token"]


@pytest.fixture
def order_uuid(on_sandbox: RunningSandbox, token: str) -> str:
    order = json.loads(ORDER_FILE.read_text(encoding="utf-8"))
    created = oint_core.dispatch("cdek", "CreateOrder", token=token, order_description=order)
    settle(on_sandbox)
    return created["entity"]["uuid"]


def refuse_cli(uuid: str, token: str):  # noqa: ANN201
    return run_cli(["cdek", "CreateRefusal", "--uuid", uuid, "--token", token])


def test_refusing_an_unknown_order_is_400(token: str) -> None:
    result = refuse_cli("00000000-0000-4000-8000-000000000000", token)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["requests"][0]["errors"][0]["code"] == "v2_entity_not_found"
    assert "400" in result.stderr and "v2_entity_not_found" in result.stderr


def test_a_second_refusal_while_the_first_is_processing_is_refused(
    order_uuid: str, token: str
) -> None:
    assert refuse_cli(order_uuid, token).exit_code == 0
    second = refuse_cli(order_uuid, token)
    assert second.exit_code == 1
    assert "v2_similar_request_still_processed" in second.stderr


def test_refusing_a_delivered_order_is_a_400(
    on_sandbox: RunningSandbox, order_uuid: str, token: str
) -> None:
    control(on_sandbox, f"orders/{order_uuid}/status", {"code": "DELIVERED"})
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateRefusal", token=token, uuid=order_uuid)
    assert caught.value.status == 400
    assert caught.value.codes == ["v2_order_forbidden_status"]


def test_refusing_an_already_refused_order_is_a_400(
    on_sandbox: RunningSandbox, order_uuid: str, token: str
) -> None:
    assert refuse_cli(order_uuid, token).exit_code == 0
    settle(on_sandbox)
    again = refuse_cli(order_uuid, token)
    assert again.exit_code == 1
    assert "400" in again.stderr


def test_an_expired_token_is_a_401_and_never_printed(
    on_sandbox: RunningSandbox, order_uuid: str, token: str
) -> None:
    control(on_sandbox, "advance", {"seconds": 4000})
    result = run_cli(["cdek", "CreateRefusal", "--uuid", order_uuid, "--token", token, "--debug"])
    assert result.exit_code == 1
    assert "v2_token_expired" in result.stderr
    assert token not in result.stdout + result.stderr


def test_an_unknown_token_is_a_401(order_uuid: str) -> None:
    result = refuse_cli(order_uuid, "not-a-token-the-sandbox-issued")
    assert result.exit_code == 1
    assert "401" in result.stderr


def test_bad_credentials_are_refused_without_echoing_the_password(on_sandbox) -> None:
    password = "wrong-password-123456"
    result = run_cli(["cdek", "GetToken", "--account", TEST_ACCOUNT, "--pass", password, "--debug"])
    assert result.exit_code == 1
    assert "invalid_client" in result.stderr
    assert password not in result.stdout + result.stderr


@pytest.mark.posix  # the demo is a bash script
def test_the_readme_demo_runs_the_whole_journey() -> None:
    """The README's demo command, run as written (with this venv's oint), so it cannot rot."""
    env = {**os.environ, "OINT_BIN": str(Path(sys.executable).parent)}
    env.pop("OINT_CDEK_BASE_URL", None)
    done = subprocess.run(
        ["bash", str(REPO / "demo" / "refusal-journey.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for step in ("GetToken", "CreateOrder", "GetOrder", "CreateRefusal", "sandbox stopped"):
        assert step in out
    # The refusal comes once the parcel waits at the pick-up point, as CDEK intends it.
    assert out.index("ACCEPTED_AT_PICK_UP_POINT") < out.index("$ oint cdek CreateRefusal")
    assert "status now: NOT_DELIVERED (reason 11)" in out
    assert TEST_SECURE_PASSWORD not in out + done.stderr
    assert '"access_token": "***"' in out
