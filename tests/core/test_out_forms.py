"""``--out`` forms (OPI's): ``_hex_``, ``_base64_`` and ``_utf8_`` print the result encoded on
standard output; ``--out -`` is standard output itself; ``--out FILE`` still writes a file.
A binary result is its bytes, any other result its JSON text in UTF-8."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from oint_core.testing import run_cli

from .conftest import run_oint

TOKEN = "tok-1a2b3c4d5e6f7a8b9c0d"
FORM = "0f6a2a4e-3a1f-4b8c-9a52-6f0b3c2d1e0f"
PDF = b"%PDF-1.4\n\x00\xff\xfe binary \x1b]0;title\x07 end"
REGIONS = [{"region": "Москва", "region_code": 81, "country_code": "RU", "country": "Россия"}]


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/location/regions").respond_with_json(REGIONS)
    httpserver.expect_request(f"/v2/print/orders/{FORM}").respond_with_json(
        {"entity": {"uuid": FORM, "url": httpserver.url_for(f"/v2/print/orders/{FORM}.pdf")}}
    )
    httpserver.expect_request(f"/v2/print/orders/{FORM}.pdf").respond_with_data(
        PDF, content_type="application/pdf"
    )
    return httpserver


JSON_ARGS = ["cdek", "GetRegionsList", "--token", TOKEN]
FILE_ARGS = ["cdek", "GetReceipt", "--uuid", FORM, "--getfile", "true", "--token", TOKEN]


def test_a_json_result_in_hex_and_base64_is_its_json_text(cdek: HTTPServer) -> None:
    plain = run_cli(JSON_ARGS).stdout
    text = plain.removesuffix("\n").encode("utf-8")
    hexed = run_cli([*JSON_ARGS, "--out", "_hex_"]).stdout
    assert hexed == text.hex().upper() + "\n"
    assert bytes.fromhex(hexed.strip()) == text
    encoded = run_cli([*JSON_ARGS, "--out", "_base64_"]).stdout
    assert base64.b64decode(encoded.removesuffix("\n"), validate=True) == text
    assert json.loads(text) == REGIONS


def test_a_json_result_in_utf8_is_printed_as_it_is(cdek: HTTPServer) -> None:
    assert run_cli([*JSON_ARGS, "--out", "_utf8_"]).stdout == run_cli(JSON_ARGS).stdout


def test_a_binary_result_in_hex_and_base64_is_its_bytes(cdek: HTTPServer) -> None:
    hexed = run_cli([*FILE_ARGS, "--out", "_hex_"])
    assert hexed.exit_code == 0, hexed.stderr
    assert hexed.stdout == PDF.hex().upper() + "\n"
    encoded = run_cli([*FILE_ARGS, "--out", "_base64_"])
    assert base64.b64decode(encoded.stdout.removesuffix("\n"), validate=True) == PDF


def test_a_binary_result_in_utf8_is_text_only(cdek: HTTPServer) -> None:
    result = run_cli([*FILE_ARGS, "--out", "_utf8_"])
    assert result.exit_code == 0, result.stderr
    # One line: every control character is an escape, newlines and tabs too.
    assert result.stdout.startswith("%PDF-1.4\\u000a")
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("\n")
    assert "\ufffd" in result.stdout  # bytes that are not UTF-8
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout  # no terminal escapes
    assert "\x00" not in result.stdout and "\x07" not in result.stdout


def test_out_dash_is_standard_output(
    cdek: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([*JSON_ARGS, "--out", "-"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run_cli(JSON_ARGS).stdout
    binary = run_cli([*FILE_ARGS, "--out", "-"])
    assert binary.exit_code == 0, binary.stderr
    assert binary.stdout_bytes == PDF
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_out_file_still_writes_a_file(cdek: HTTPServer, tmp_path: Path) -> None:
    target = tmp_path / "receipt.pdf"
    result = run_cli([*FILE_ARGS, "--out", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == PDF and result.stdout == ""


def test_forms_in_a_real_process(cdek: HTTPServer, tmp_path: Path) -> None:
    """Through the installed command, with its own standard output encoding."""
    run = run_oint(*FILE_ARGS, "--out", "_base64_", tmp=tmp_path)
    assert run.code == 0, run.stderr
    assert base64.b64decode(run.stdout.removesuffix("\n"), validate=True) == PDF
    text = run_oint(*JSON_ARGS, "--out", "_utf8_", tmp=tmp_path)
    assert json.loads(text.stdout) == REGIONS


@pytest.mark.parametrize("form", ["_HEX_", "_Base64_", "_UTF8_"])
def test_a_form_in_any_letter_case_is_the_form(
    cdek: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([*FILE_ARGS, "--out", form])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run_cli([*FILE_ARGS, "--out", form.lower()]).stdout != ""
    assert list(tmp_path.iterdir()) == []  # no file of that name


def test_a_form_is_not_taken_for_a_file(cdek: HTTPServer, tmp_path: Path) -> None:
    """``_hex_`` names no file: the folder check of --out FILE does not apply to it."""
    result = run_cli([*JSON_ARGS, "--out", "_hex_"])
    assert result.exit_code == 0, result.stderr
    assert not Path("_hex_").exists()
