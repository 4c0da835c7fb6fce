"""Print forms: waybills and barcode labels, from the request to a valid PDF, and their errors."""

from __future__ import annotations

import re
import uuid

import requests

from .conftest import DELAY, Client, codes, only_error_at


def pdf_object_offsets(document: bytes) -> dict[int, int]:
    """Object number -> byte offset, read from the xref table that startxref points at."""
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF$", document).group(1))
    assert document[startxref:].startswith(b"xref")
    lines = document[startxref:].split(b"\n")
    first, count = (int(part) for part in lines[1].split())
    assert first == 0
    offsets = {}
    for number, entry in enumerate(lines[2 : 2 + count]):
        offset, generation, kind = entry.split()
        assert len(entry) == 19  # 20 bytes with the newline
        if kind == b"n":
            offsets[number] = int(offset)
        else:
            assert (number, generation) == (0, b"65535")
    return offsets


def assert_valid_pdf(document: bytes) -> None:
    assert document.startswith(b"%PDF-1.4")
    assert document.endswith(b"%%EOF")
    offsets = pdf_object_offsets(document)
    assert sorted(offsets) == list(range(1, len(offsets) + 1))
    for number, offset in offsets.items():
        assert document[offset:].startswith(f"{number} 0 obj".encode()), number
    trailer = document[document.rindex(b"trailer") :]
    assert f"/Size {len(offsets) + 1}".encode() in trailer
    assert b"/Root 1 0 R" in trailer
    assert document[offsets[1] :].startswith(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>")
    assert b"/Type /Pages /Kids [3 0 R] /Count 1" in document
    # The content stream's declared length is its real length.
    match = re.search(rb"<< /Length (\d+) >>\nstream\n", document)
    start = match.end()
    length = int(match.group(1))
    assert document[start + length :].startswith(b"endstream")


def test_waybill_from_creation_to_pdf(slow: Client, http: requests.Session) -> None:
    first = slow.created_cod_order()
    second = slow.created_cod_order()
    body = {
        "orders": [{"order_uuid": first["uuid"]}, {"cdek_number": second["cdek_number"]}],
        "copy_count": 2,
        "type": "tpl_russia",
    }
    form_uuid = slow.accepted(slow.post("/print/orders", json=body))
    form_path = f"/print/orders/{form_uuid}"
    pdf_url = f"{slow.sandbox.root_url}/v2/print/orders/{form_uuid}.pdf"

    accepted = slow.read(form_path)
    assert codes(accepted["entity"]["statuses"]) == ["ACCEPTED"]
    assert "url" not in accepted["entity"]
    assert only_error_at(slow.get(pdf_url), 400)["code"] == "v2_entity_not_found"

    slow.advance()
    processing = slow.read(form_path)
    assert codes(processing["entity"]["statuses"]) == ["ACCEPTED", "PROCESSING"]
    assert processing["requests"][0]["state"] == "SUCCESSFUL"
    assert "url" not in processing["entity"]
    assert only_error_at(slow.get(pdf_url), 400)["code"] == "v2_entity_not_found"

    slow.advance()
    ready = slow.read(form_path)["entity"]
    assert codes(ready["statuses"]) == ["ACCEPTED", "PROCESSING", "READY"]
    assert [s["name"] for s in ready["statuses"]] == ["Принят", "Формируется", "Сформирован"]
    assert ready["uuid"] == form_uuid
    assert ready["copy_count"] == 2
    assert ready["type"] == "tpl_russia"
    assert ready["orders"] == [
        {"order_uuid": first["uuid"], "cdek_number": int(first["cdek_number"])},
        {"order_uuid": second["uuid"], "cdek_number": int(second["cdek_number"])},
    ]
    assert ready["url"] == pdf_url

    without_token = http.get(ready["url"], timeout=5)
    assert only_error_at(without_token, 401)["code"] == "unauthorized"
    download = slow.get(ready["url"])
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    document = download.content
    assert_valid_pdf(document)
    assert b"(CDEK waybill: tpl_russia) Tj" in document
    assert first["cdek_number"].encode() in document
    assert second["cdek_number"].encode() in document


def test_barcode_form_and_pdf(slow: Client) -> None:
    order = slow.created_cod_order()
    body = {"orders": [{"order_uuid": order["uuid"]}], "copy_count": 1, "format": "a6"}
    form_uuid = slow.accepted(slow.post("/print/barcodes", json=body))
    slow.advance(2 * DELAY)
    entity = slow.read(f"/print/barcodes/{form_uuid}")["entity"]
    assert (entity["format"], entity["lang"], entity["copy_count"]) == ("A6", "RUS", 1)
    assert entity["url"] == f"{slow.sandbox.root_url}/v2/print/barcodes/{form_uuid}.pdf"
    assert codes(entity["statuses"]) == ["ACCEPTED", "PROCESSING", "READY"]
    document = slow.get(entity["url"]).content
    assert_valid_pdf(document)
    assert b"(CDEK barcode labels: A6, RUS) Tj" in document
    assert order["cdek_number"].encode() in document
    # A barcode form is not a waybill: each kind has its own path.
    assert only_error_at(slow.get(f"/print/orders/{form_uuid}"), 400)["code"] == (
        "v2_entity_not_found"
    )


def test_print_form_with_unknown_order_ends_invalid(slow: Client) -> None:
    missing = str(uuid.uuid4())
    form_uuid = slow.accepted(
        slow.post("/print/orders", json={"orders": [{"order_uuid": missing}]})
    )
    slow.advance(3 * DELAY)
    form = slow.read(f"/print/orders/{form_uuid}")
    assert codes(form["entity"]["statuses"]) == ["ACCEPTED", "INVALID"]
    assert "url" not in form["entity"]
    [record] = form["requests"]
    assert record["state"] == "INVALID"
    assert [e["code"] for e in record["errors"]] == ["v2_entity_not_found"]
    assert missing in record["errors"][0]["message"]
    answer = slow.get(f"/print/orders/{form_uuid}.pdf")
    assert only_error_at(answer, 400)["code"] == "v2_entity_invalid"


def test_print_form_static_errors(slow: Client, slow_other: Client) -> None:
    assert only_error_at(slow.post("/print/orders", json={"orders": []}), 400) == {
        "type": "CREATE",
        "code": "v2_field_is_empty",
        "message": "[orders] is empty",
    }
    too_many = {"orders": [{"order_uuid": str(uuid.uuid4())} for _ in range(101)]}
    assert only_error_at(slow.post("/print/barcodes", json=too_many), 400)["code"] == (
        "v2_exceeded_size"
    )
    one = [{"order_uuid": str(uuid.uuid4())}]
    bad_format = slow.post("/print/barcodes", json={"orders": one, "format": "A3"})
    assert only_error_at(bad_format, 400)["code"] == "v2_invalid_format"
    not_json = slow.post("/print/orders", data=b"nope")
    assert only_error_at(not_json, 400)["code"] == "v2_bad_request"
    unknown = slow.get(f"/print/orders/{uuid.uuid4()}")
    assert only_error_at(unknown, 400)["code"] == "v2_entity_not_found"
    assert only_error_at(slow.get(f"/print/orders/{uuid.uuid4()}.pdf"), 400)["type"] == "GET"
    assert only_error_at(slow.get("/print/orders/not-a-uuid"), 400)["code"] == "v2_invalid_format"

    mine = slow.accepted(slow.post("/print/orders", json={"orders": one}))
    assert (
        only_error_at(slow_other.get(f"/print/orders/{mine}"), 400)["code"] == "v2_entity_forbidden"
    )
