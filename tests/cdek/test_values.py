"""OPI-compatible values on the CLI, and the four layout methods that make no request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from oint_core.cli import cli
from oint_core.registry import reset_default_registry
from oint_core.testing import run_cli

TOKEN = "tok-EXACT-1234567890"
U1 = "f1799065-01de-448c-91cf-8afe7d4c0cfc"


def leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def cli_json(*args: str) -> dict:
    result = run_cli(list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_order_layout_describes_fields_and_can_be_emptied_or_narrowed() -> None:
    # No server is reachable in these tests (the base URL is a closed port): these methods
    # would fail with exit 3 if they tried to send anything.
    full = cli_json("cdek", "GetOrderDescription")
    assert full["recipient"]["phones"][0]["number"] == "Phone number"
    assert {"tariff_code", "recipient", "packages", "from_location", "services"} <= set(full)
    assert "seller" not in full and "number" not in full
    assert all(isinstance(leaf, str) and leaf for leaf in leaves(full))

    store = cli_json("cdek", "GetOrderDescription", "--ostore", "true")
    assert {"number", "seller", "delivery_recipient_cost"} <= set(store)

    required = cli_json("cdek", "GetOrderDescription", "--required", "--empty", "true")
    assert set(required) == {"tariff_code", "recipient", "packages"}
    assert set(leaves(required)) == {""}


def test_office_filter_layout_lists_every_query_parameter_of_the_spec(contract) -> None:  # noqa: ANN001
    """GetOfficeFilterDescription describes exactly what GET /v2/deliverypoints takes."""
    layout = cli_json("cdek", "GetOfficeFilterDescription", "--empty", "false")
    _, operation = contract.find("GET", "/v2/deliverypoints")
    taken = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert set(layout) == taken
    assert {"length", "width", "height", "is_marketplace", "ltl_acceptance_partners"} <= taken


def test_intake_and_appointment_layouts() -> None:
    intake = cli_json("cdek", "GetCourierInvitationsDescription", "--required", "true")
    assert set(intake) == {"intake_date", "intake_time_from", "intake_time_to"}
    full = cli_json("cdek", "GetCourierInvitationsDescription")
    assert "sender" in full and "from_location" in full
    assert set(cli_json("cdek", "GetAppointmentDescription", "--required")) == {"date"}
    empty = cli_json("cdek", "GetAppointmentDescription", "--empty")
    assert empty["to_location"]["city"] == "" and "order_uuid" in empty


def test_layout_methods_take_neither_token_nor_testapi() -> None:
    result = run_cli(["cdek", "GetOrderDescription", "--token", TOKEN])
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "--token" in result.stderr


# -- object options: inline JSON, pseudo-JSON, a file, stdin --------------------------------


def test_an_object_option_reads_a_json_file(tmp_path: Path, cdek_server) -> None:
    path = tmp_path / "intake.json"
    path.write_text('{"intake_date": "2026-03-07", "comment": "Звонить заранее"}', "utf-8")
    result = run_cli(["cdek", "CreateCourierInvitation", "--intake", str(path), "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    sent = cdek_server.log[0][0].get_json()
    assert sent == {"intake_date": "2026-03-07", "comment": "Звонить заранее"}


def test_an_object_option_reads_standard_input(cdek_server) -> None:
    reset_default_registry()
    result = CliRunner().invoke(
        cli,
        ["cdek", "RegisterDeliveryAppointment", "--appt", "-", "--token", TOKEN],
        input=f"{{'date': '2026-03-07', 'order_uuid': '{U1}'}}",
    )
    assert result.exit_code == 0, result.stderr
    assert cdek_server.log[0][0].get_json() == {"date": "2026-03-07", "order_uuid": U1}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (
            "{'city_code': 270,",
            "--filter: \"{'city_code': 270,\" is not valid JSON (line 1, column",
        ),
        ("['a']", "is not a JSON object"),
        ("no/such/file.json", "is neither inline JSON nor the path of a JSON file"),
    ],
)
def test_a_broken_object_is_a_usage_error_saying_where(value, fragment, cdek_server) -> None:
    result = run_cli(["cdek", "GetOfficeList", "--filter", value, "--token", TOKEN])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert fragment in line
    assert cdek_server.log == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["CreateReceipt", "--uuids", f"['{U1}', 'nope']"], "--uuids[1]: 'nope' is not a UUID"),
        (["CreateReceipt", "--uuids", "[1, 2"], "--uuids: '[1, 2' is not valid JSON"),
        (["CreateBarcode", "--uuids", U1, "--format", "A3"], "is not one of: A4, A5, A6, A7"),
        (["CreateReceipt", "--uuids", U1, "--count", "two"], "--count: 'two' is not an integer"),
        (["GetDeliveryCashRegistry", "--date", "07.03.2026"], "--date: '07.03.2026' is not a date"),
        (["CreatePrealert", "--uuids", U1, "--point", "X", "--date", "soon"], "is not a date-time"),
        (["GetOrderByNumber", "--number", "1", "--internal", "perhaps"], "is not a boolean"),
    ],
)
def test_bad_values_are_usage_errors_and_nothing_is_sent(args, fragment, cdek_server) -> None:
    result = run_cli(["cdek", *args, "--token", TOKEN])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert fragment in line
    assert cdek_server.log == []


def test_a_choice_is_matched_case_insensitively(cdek_server) -> None:
    result = run_cli(
        [
            "cdek",
            "CreateBarcode",
            "--uuids",
            U1,
            "--format",
            "a5",
            "--lang",
            "eng",
            "--token",
            TOKEN,
        ]
    )
    assert result.exit_code == 0, result.stderr
    body = cdek_server.log[0][0].get_json()
    assert (body["format"], body["lang"]) == ("A5", "ENG")
