"""Odd option values are usage errors (exit 2, ``UsageError`` naming the option) found before
anything is sent, never an internal error after: deeply nested or non-finite JSON, date-times
that overflow on conversion to UTC, UUIDs and integers in spellings CDEK does not take."""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import UsageError
from oint_core.testing import run_cli

TOKEN = "t-1234567890"
ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """A CDEK that accepts everything: any request that reaches it is a failure of the test
    (but for the ones a test expects)."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/orders", method="POST").respond_with_json(
        {"entity": {"uuid": ORDER}, "requests": []}, status=202
    )
    httpserver.expect_request(f"/v2/orders/{ORDER}/refusal").respond_with_json(
        {"entity": {"uuid": ORDER}, "requests": []}, status=202
    )
    httpserver.expect_request("/v2/prealert", method="POST").respond_with_json(
        {"entity": {"uuid": ORDER}, "requests": []}, status=202
    )
    httpserver.expect_request("/v2/location/regions").respond_with_json([])
    httpserver.expect_request("/v2/location/coordinates").respond_with_json({"code": 44})
    return httpserver


def refused(cdek: HTTPServer, option: str, args: list[str]) -> str:
    """Run ``oint cdek ARGS`` and check it is one usage-error line naming ``option``."""
    result = run_cli(["cdek", *args, "--token", TOKEN, "--retries", "0"])
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("oint: usage error:") and option in line, line
    assert "internal error" not in line and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert cdek.log == []
    return line


# -- item 7: JSON, numbers and date-times that used to be internal errors ----------------------

BAD_ORDERS = {
    "100000-brackets": "[" * 100_000,
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "deep-but-parsable": '{"a":' * 200 + "1" + "}" * 200,
    "nan": '{"number": "1", "a": NaN}',
    "infinity": '{"a": Infinity}',
    "minus-infinity": '{"a": [-Infinity]}',
    "overflowing-float": '{"a": 1e999}',
    "json5-nan": "{'a': NaN}",
    "huge-integer": '{"a": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("order", BAD_ORDERS.values(), ids=BAD_ORDERS.keys())
def test_a_hostile_order_is_a_usage_error_cli(cdek: HTTPServer, order: str) -> None:
    refused(cdek, "--order", ["CreateOrder", "--order", order])


@pytest.mark.parametrize("order", BAD_ORDERS.values(), ids=BAD_ORDERS.keys())
def test_a_hostile_order_is_a_usage_error_library(cdek: HTTPServer, order: str) -> None:
    with pytest.raises(UsageError, match="order"):
        oint_core.dispatch("cdek", "CreateOrder", token=TOKEN, order=order)
    assert cdek.log == []


def nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


def cyclic() -> dict:
    value: dict = {"number": "1"}
    value["self"] = value
    return value


@pytest.mark.parametrize(
    "order",
    [nested(100_000), cyclic(), {"a": math.nan}, {"a": [math.inf]}, {"a": {"b": -math.inf}}],
    ids=["deep", "cyclic", "nan", "inf", "minus-inf"],
)
def test_python_objects_that_json_cannot_carry_are_usage_errors(
    cdek: HTTPServer, order: dict
) -> None:
    with pytest.raises(UsageError, match="order"):
        oint_core.dispatch("cdek", "CreateOrder", token=TOKEN, order=order)
    assert cdek.log == []


def test_an_ordinary_order_still_goes_through(cdek: HTTPServer) -> None:
    order = {"number": "1", "packages": [{"number": "1", "weight": 500.5}], "deep": nested(50)}
    result = run_cli(["cdek", "CreateOrder", "--order", json.dumps(order), "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    assert len(cdek.log) == 1
    assert json.loads(cdek.log[0][0].get_data())["packages"][0]["weight"] == 500.5


BAD_DATETIMES = [
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: overflowed converting
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "0001-01-01T00:00:00",  # would be written "1-01-01T…": not CDEK's four-digit year
    "0999-12-31T23:59:59+00:00",
]


@pytest.mark.parametrize("value", BAD_DATETIMES)
def test_a_date_time_out_of_range_is_a_usage_error(cdek: HTTPServer, value: str) -> None:
    line = refused(
        cdek, "--date", ["CreatePrealert", "--uuids", ORDER, "--date", value, "--point", "P"]
    )
    assert "out of range" in line
    with pytest.raises(UsageError, match="transfer_date"):
        oint_core.dispatch(
            "cdek", "CreatePrealert", token=TOKEN, uuids=[ORDER], transfer_date=value, point="P"
        )
    assert cdek.log == []


def test_a_python_date_time_out_of_range_is_a_usage_error(cdek: HTTPServer) -> None:
    early = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    with pytest.raises(UsageError, match="transfer_date"):
        oint_core.dispatch(
            "cdek", "CreatePrealert", token=TOKEN, uuids=[ORDER], transfer_date=early, point="P"
        )
    assert cdek.log == []


def test_a_date_time_near_the_edges_but_in_range_is_sent_in_utc(cdek: HTTPServer) -> None:
    args = ["CreatePrealert", "--uuids", ORDER, "--point", "P", "--token", TOKEN]
    result = run_cli(["cdek", *args, "--date", "9999-12-31T10:00:00+03:00"])
    assert result.exit_code == 0, result.stderr
    [(request, _)] = cdek.log
    assert json.loads(request.get_data())["planned_date"] == "9999-12-31T07:00:00+0000"


# -- item 8: UUIDs and numbers in spellings CDEK does not take ---------------------------------

BAD_UUIDS = [
    "{f1799065-01de-448c-91cf-8afe7d4c0cfc}",
    "urn:uuid:f1799065-01de-448c-91cf-8afe7d4c0cfc",
    "URN:UUID:f1799065-01de-448c-91cf-8afe7d4c0cfc",
    "f179906501de448c91cf8afe7d4c0cfc",
    "+f1799065-01de-448c-91cf-8afe7d4c0cfc",
    "0xf1799065-01de-448c-91cf-8afe7d4c0cfc",
    "{f1799065-01de-448c-91cf-8afe7d4c0cfc\n}",
    "f1799065-01de-448c-91cf-8afe7d4c0cf",
    "f1799065-01de-448c-91cf-8afe7d4c0cfc0",
    "f1799065_01de_448c_91cf_8afe7d4c0cfc",
    "f1799065-01de-448c-91cf-8afe7d4c0cfg",
    "f1799065-01de-448c-91cf-8afe7d4c0cf\uff43",  # a full-width letter
    "f1799065-01de-448c-91cf-8afe7d4c0cfc\u2003",  # a Unicode space
    "f1799065-01de-448c-91cf-8afe7d4c0cfc/../x",
]


@pytest.mark.parametrize("value", BAD_UUIDS)
def test_a_uuid_in_another_spelling_is_a_usage_error(cdek: HTTPServer, value: str) -> None:
    refused(cdek, "--uuid", ["CreateRefusal", "--uuid", value])
    with pytest.raises(UsageError, match="uuid"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=value)
    refused(
        cdek,
        "--uuids",
        ["CreatePrealert", "--uuids", value, "--date", "2026-03-07", "--point", "P"],
    )
    assert cdek.log == []


@pytest.mark.parametrize(
    "value",
    [ORDER.upper(), f" {ORDER}\n", uuid.UUID(ORDER)],
    ids=["upper", "spaces", "uuid-object"],
)
def test_a_uuid_is_sent_in_canonical_lower_case(cdek: HTTPServer, value: object) -> None:
    if isinstance(value, str):
        result = run_cli(["cdek", "CreateRefusal", "--uuid", value, "--token", TOKEN])
        assert result.exit_code == 0, result.stderr
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=value)
    assert {request.path for request, _ in cdek.log} == {f"/v2/orders/{ORDER}/refusal"}


BAD_INTEGERS = ["5_5", "0x10", "1e3", "1.0", "١٢", "１２", "+-1", "", " ", "9" * 30, "12abc"]


@pytest.mark.parametrize("value", BAD_INTEGERS)
def test_an_integer_is_plain_ascii_digits(cdek: HTTPServer, value: str) -> None:
    refused(cdek, "--page", ["GetRegionsList", "--page", value])
    with pytest.raises(UsageError, match="page"):
        oint_core.dispatch("cdek", "GetRegionsList", token=TOKEN, page=value)
    assert cdek.log == []


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, math.nan, math.inf, 1.5, True])
def test_python_integers_out_of_range_are_usage_errors(cdek: HTTPServer, value: object) -> None:
    with pytest.raises(UsageError, match="page"):
        oint_core.dispatch("cdek", "GetRegionsList", token=TOKEN, page=value)
    assert cdek.log == []


@pytest.mark.parametrize("value", ["5_5", "0x1", "nan", "inf", "1e999", "١", "1,5", "--1"])
def test_a_number_is_plain_ascii_and_finite(cdek: HTTPServer, value: str) -> None:
    refused(
        cdek, "--latitude", ["GetLocationByCoordinates", "--latitude", value, "--longitude", "37"]
    )
    assert cdek.log == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_python_non_finite_numbers_are_usage_errors(cdek: HTTPServer, value: float) -> None:
    with pytest.raises(UsageError, match="latitude"):
        oint_core.dispatch(
            "cdek", "GetLocationByCoordinates", token=TOKEN, latitude=value, longitude=37
        )
    assert cdek.log == []


def test_plain_integers_and_numbers_are_still_taken(cdek: HTTPServer) -> None:
    result = run_cli(["cdek", "GetRegionsList", "--page", " +2 ", "--size", "10", "--token", TOKEN])
    assert result.exit_code == 0, result.stderr
    result = run_cli(
        ["cdek", "GetLocationByCoordinates", "--latitude", "-55.75", "--longitude", "3.7e1"]
        + ["--token", TOKEN]
    )
    assert result.exit_code == 0, result.stderr
    [(regions, _), (coordinates, _)] = cdek.log
    assert regions.args["page"] == "2" and regions.args["size"] == "10"
    assert coordinates.args["latitude"] == "-55.75" and coordinates.args["longitude"] == "37.0"


def test_a_long_value_that_is_neither_json_nor_a_file_is_a_usage_error(cdek) -> None:
    value = "x" * 5000
    result = run_cli(["cdek", "GetOfficeList", "--filter", value, "--token", TOKEN])
    assert result.exit_code == 2
    assert "--filter" in result.stderr
    with pytest.raises(UsageError):
        oint_core.dispatch("cdek", "GetOfficeList", filter=value, token=TOKEN)
    assert cdek.log == []
