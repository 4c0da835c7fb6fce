"""A server that echoes a secret back, encoded, must not make oint print it; and redaction
must never change data (a short numeric password once turned a successful call into exit 3,
by masking digits inside JSON numbers)."""

from __future__ import annotations

import json
import re
import time
import urllib.parse

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import oint_core
from oint_cdek import auth
from oint_core import ApiError
from oint_core.redact import MASK, Redactor
from oint_core.testing import run_cli

PASSWORD = "пароль/Секрет 1+x"  # non-ASCII, a slash, a space and a plus: every encoding differs
ACCOUNT = "account-1"
TOKEN = "tok/eyJhbGciOiJIUzI1NiJ9+secret=part"  # "/", "+" and "=" get encoded


def spellings(secret: str) -> dict[str, str]:
    """How servers echo a string: as JSON source text (what goes between the quotes)."""
    escaped = json.dumps(secret)[1:-1]
    return {
        "json-u-escapes": escaped,
        "json-u-escapes-upper-hex": re.sub(
            r"\\u[0-9a-f]{4}", lambda m: "\\u" + m[0][2:].upper(), escaped
        ),
        "php-slash-escape": escaped.replace("/", "\\/"),
        "php-slash-utf8": json.dumps(secret, ensure_ascii=False)[1:-1].replace("/", "\\/"),
        "percent-encoded": urllib.parse.quote(secret, safe=""),
        "percent-encoded-lower": re.sub(
            r"%[0-9A-F]{2}", lambda m: m[0].lower(), urllib.parse.quote(secret, safe="")
        ),
        "percent-keeps-slash": urllib.parse.quote(secret),
        "form-encoded-plus": urllib.parse.quote_plus(secret),
        "double-json": json.dumps(json.dumps(secret))[3:-3],
    }


def leaked(text: str, secret: str) -> list[str]:
    found = [name for name, form in spellings(secret).items() if form in text]
    return found + (["plain"] if secret in text else [])


@pytest.fixture
def echo_server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """A CDEK that answers the token request, then lists "regions" that echo the password
    in every spelling, with a number that contains the password's digits."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", ACCOUNT)
    monkeypatch.setenv("OINT_CDEK_PASSWORD", PASSWORD)
    auth.forget_tokens()
    httpserver.expect_request("/v2/oauth/token", method="POST").respond_with_json(
        {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600}
    )
    regions = ", ".join(
        f'{{"region": "{form}", "kind": "{name}"}}' for name, form in spellings(PASSWORD).items()
    )
    httpserver.expect_request("/v2/location/regions").respond_with_data(
        f"[{regions}]", content_type="application/json"
    )
    return httpserver


def test_cli_masks_a_password_echoed_in_every_spelling(echo_server: HTTPServer) -> None:
    result = run_cli(["cdek", "GetRegionsList", "--countries", "RU", "--retries", "0"])
    assert result.exit_code == 0, result.stderr
    assert leaked(result.stdout + result.stderr, PASSWORD) == []
    answer = json.loads(result.stdout)
    assert [row["region"] for row in answer] == [MASK] * len(spellings(PASSWORD))
    assert "Traceback" not in result.stderr
    assert len(echo_server.log) == 2  # the token, the list


def test_library_masks_a_password_echoed_in_every_spelling(echo_server: HTTPServer) -> None:
    answer = oint_core.dispatch("cdek", "GetRegionsList", countries=["RU"], retries=0)
    assert [row["region"] for row in answer] == [MASK] * len(spellings(PASSWORD))
    assert leaked(json.dumps(answer, ensure_ascii=False), PASSWORD) == []
    assert len(echo_server.log) == 2


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_an_error_that_echoes_the_token_encoded_prints_no_secret(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, content_type: str
) -> None:
    """The token the caller gave, echoed back in an error (JSON or plain text), encoded."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    forms = spellings(TOKEN)
    if content_type == "application/json":
        message = " ".join(forms.values())
        body = f'{{"requests": [{{"errors": [{{"code": "v2_bad", "message": "{message}"}}]}}]}}'
    else:
        body = "bad token: " + " ".join(forms.values())
    httpserver.expect_request("/v2/location/regions").respond_with_data(
        body, status=400, content_type=content_type
    )
    started = time.monotonic()
    result = run_cli(["cdek", "GetRegionsList", "--token", TOKEN, "--retries", "0"])
    assert time.monotonic() - started < 30
    assert result.exit_code == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("oint: error: cdek answered 400")
    assert leaked(result.stdout + result.stderr, TOKEN) == []
    assert "Traceback" not in result.stderr
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "GetRegionsList", token=TOKEN, retries=0)
    text = str(caught.value) + json.dumps(caught.value.body, ensure_ascii=False)
    assert leaked(text, TOKEN) == []
    assert len(httpserver.log) == 2


@pytest.fixture
def numeric_password_server(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """Password ``1200``; the answer is full of numbers containing those digits."""
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    monkeypatch.setenv("OINT_CDEK_ACCOUNT", ACCOUNT)
    monkeypatch.setenv("OINT_CDEK_PASSWORD", "1200")
    auth.forget_tokens()
    httpserver.expect_request("/v2/oauth/token", method="POST").respond_with_json(
        {"access_token": TOKEN, "token_type": "bearer", "expires_in": 12000}
    )

    def regions(request: Request) -> Response:
        body = (
            '[{"region": "Регион 12000", "region_code": 1200, "weight": 12001200.5,'
            ' "note": "pin 1200", "1200": true}]'
        )
        return Response(body, content_type="application/json")

    httpserver.expect_request("/v2/location/regions").respond_with_handler(regions)
    return httpserver


EXPECTED_REGIONS = [
    {
        "region": "Регион 12000",
        "region_code": 1200,
        "weight": 12001200.5,
        "note": f"pin {MASK}",  # the password itself, standing alone in a text: masked
        MASK: True,  # a key that is the secret is an echo of it too
    }
]


def test_a_short_numeric_password_never_corrupts_the_answer_cli(
    numeric_password_server: HTTPServer,
) -> None:
    result = run_cli(["cdek", "GetRegionsList", "--retries", "0"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED_REGIONS
    assert len(numeric_password_server.log) == 2


def test_a_short_numeric_password_never_corrupts_the_answer_library(
    numeric_password_server: HTTPServer,
) -> None:
    assert oint_core.dispatch("cdek", "GetRegionsList", retries=0) == EXPECTED_REGIONS
    assert len(numeric_password_server.log) == 2


# -- the redactor's rules, directly ----------------------------------------------------------


@pytest.mark.parametrize("secret", [PASSWORD, TOKEN, "p@ss😀word", 'abc\\def"ghi'])
def test_every_spelling_of_a_secret_is_masked_in_text(secret: str) -> None:
    redact = Redactor([secret])
    for name, form in spellings(secret).items():
        out = redact(f"before {form} after")
        assert out == f"before {MASK} after", name


def test_short_secrets_are_masked_only_standing_alone() -> None:
    redact = Redactor(["1200", "ab"])
    assert redact("secret=1200&x=12000&y=a1200&z=%3D1200") == "secret=***&x=12000&y=a1200&z=%3D***"
    assert redact("ab cab") == "ab cab"  # shorter than 4: too short to protect, never masked


def test_parsed_values_keep_numbers_mask_keys_and_work_at_any_depth() -> None:
    deep: list = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    node.append("x 1200 y")
    value = {"1200": 1200, "s": "1200", "deep": deep, "k12000": 1}
    assert Redactor(["1200"]).value(value) is value
    assert value == {MASK: 1200, "s": MASK, "deep": deep, "k12000": 1}  # numbers stay
    assert node == [f"x {MASK} y"]


def test_a_secret_echoed_as_a_json_key_is_masked(httpserver, monkeypatch) -> None:  # noqa: ANN001
    """A server that puts the password in a key must not make oint print it."""
    import oint_core

    password = "hunter2-key-echo-77"
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/oauth/token").respond_with_json(
        {"access_token": "eyJ.a.b", "expires_in": 3600, password: "x", "n": {f"a {password}": 1}}
    )
    result = oint_core.dispatch(
        "cdek", "GetToken", account="acc-1234567890", password=password, test_api=True
    )
    assert password not in repr(result)
    assert result["***"] == "x" and result["n"] == {"a ***": 1}
