"""One CDEK vocabulary: the client's choices and the sandbox's checks are the same lists,
and those are the lists CDEK's specification gives for requests."""

from __future__ import annotations

import pytest
import requests

from oint_cdek import vocabulary
from oint_cdek.sandbox.server import RunningSandbox
from oint_core.registry import default_registry

from .conftest import REPO_ORDER, get_token

# (vocabulary list, spec schema, property): each list is the spec's request enum, in order.
SPEC_ENUMS = [
    (vocabulary.RECEIPT_TYPES, "WaybillRequestDto", "type"),
    (vocabulary.BARCODE_FORMATS, "BarcodeRequestDto", "format"),
    (vocabulary.BARCODE_LANGUAGES, "BarcodeRequestDto", "lang"),
    (vocabulary.WEBHOOK_TYPES, "WebhookDto", "type"),
]


@pytest.mark.parametrize(("values", "schema", "field"), SPEC_ENUMS)
def test_each_list_is_the_specifications_request_enum(contract, values, schema, field) -> None:  # noqa: ANN001
    enum = contract.facts["components"]["schemas"][schema]["properties"][field]["enum"]
    assert list(values) == enum


@pytest.mark.parametrize(
    ("method", "option", "values"),
    [
        ("CreateReceipt", "type", vocabulary.RECEIPT_TYPES),
        ("PrintReceipt", "type", vocabulary.RECEIPT_TYPES),
        ("CreateBarcode", "format", vocabulary.BARCODE_FORMATS),
        ("CreateBarcode", "lang", vocabulary.BARCODE_LANGUAGES),
        ("PrintBarcode", "lang", vocabulary.BARCODE_LANGUAGES),
    ],
)
def test_the_clients_choices_are_the_vocabulary(method: str, option: str, values: tuple) -> None:
    assert default_registry().method("cdek", method).param(option).choices == values


def _print(sandbox: RunningSandbox, http: requests.Session, kind: str, body: dict) -> dict:
    token = get_token(sandbox, http)
    order = http.post(
        f"{sandbox.base_url}/orders",
        json=REPO_ORDER,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()["entity"]["uuid"]
    answer = http.post(
        f"{sandbox.base_url}/print/{kind}",
        json={"orders": [{"order_uuid": order}], **body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return {"status": answer.status_code, "body": answer.json()}


@pytest.mark.parametrize(
    ("kind", "field", "values"),
    [
        ("orders", "type", vocabulary.RECEIPT_TYPES),
        ("barcodes", "format", vocabulary.BARCODE_FORMATS),
        ("barcodes", "lang", vocabulary.BARCODE_LANGUAGES),
    ],
)
def test_the_sandbox_takes_every_value_the_client_offers_and_nothing_else(
    sandbox: RunningSandbox, http: requests.Session, kind: str, field: str, values: tuple
) -> None:
    for value in values:
        answer = _print(sandbox, http, kind, {field: value})
        assert answer["status"] == 202, (value, answer)
    refused = _print(sandbox, http, kind, {field: "XYZ"})
    assert refused["status"] == 400
    assert refused["body"]["requests"][0]["errors"][0]["code"] == "v2_invalid_format"
