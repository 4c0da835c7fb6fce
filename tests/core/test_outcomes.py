"""The record of a call's outcome that batch runs and servers print."""

from __future__ import annotations

import base64
import json

from oint_core.errors import ApiError, InternalError, OutputError, TransportError, UsageError
from oint_core.outcomes import failed, kind_of, succeeded


def test_each_error_has_its_kind() -> None:
    assert kind_of(UsageError("x")) == "usage"
    assert kind_of(ApiError("x", status=400, body={})) == "api"
    assert kind_of(TransportError("x")) == "transport"
    assert kind_of(OutputError("x")) == "transport"
    assert kind_of(InternalError("x")) == "internal"


def test_a_failure_is_one_json_line_with_the_services_codes_and_what_was_sent() -> None:
    error = ApiError(
        "cdek answered 400 BAD REQUEST:\n v2_entity_not_found",
        status=400,
        body={"errors": [{"code": "v2_entity_not_found", "message": "m"}]},
        errors=[{"code": "v2_entity_not_found", "message": "m"}],
    )
    error.sent = "yes"
    record = failed(error)
    assert record == {
        "ok": False,
        "error": {
            "kind": "api",
            "message": "cdek answered 400 BAD REQUEST: v2_entity_not_found",
            "status": 400,
            "codes": ["v2_entity_not_found"],
        },
        "sent": "yes",
    }
    assert failed(error, body=True)["error"]["body"] == error.body
    assert "\n" not in json.dumps(record)


def test_an_error_raised_outside_a_call_sent_nothing() -> None:
    assert failed(TransportError("refused"))["sent"] == "no"


def test_a_file_result_travels_as_base64_with_its_type() -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\n"
    record = succeeded(pdf)
    assert record["ok"] is True
    assert record["result"]["media_type"] == "application/pdf"
    assert record["result"]["size"] == len(pdf)
    assert base64.b64decode(record["result"]["base64"]) == pdf
    assert succeeded({"a": 1}) == {"ok": True, "result": {"a": 1}}
