"""CreateRefusal over real HTTP against a local server: the exact request, exit codes, secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import oint_core
from oint_core import ApiError, OintError, TransportError, UsageError
from oint_core.testing import run_cli

from ..conftest import closed_port

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-S3CRET-abcdef123456"
PATH = f"/v2/orders/{ORDER}/refusal"
ACCEPTED = {
    "entity": {"uuid": ORDER},
    "requests": [
        {
            "request_uuid": "72753031-1e7c-4b1b-8b5c-3c6c2a0a0001",
            "type": "CREATE_REFUSAL",
            "date_time": "2026-08-01T14:34:18+0000",
            "state": "ACCEPTED",
            "errors": [],
            "warnings": [],
        }
    ],
    "related_entities": [],
}
NOT_FOUND = {
    "requests": [
        {
            "type": "CREATE_REFUSAL",
            "state": "INVALID",
            "date_time": "2026-08-01T14:34:18+0000",
            "errors": [{"code": "v2_entity_not_found", "message": "Заказ не найден"}],
            "warnings": [],
        }
    ]
}


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    return httpserver


def refuse(*extra: str, token: str | None = TOKEN, env: dict | None = None):  # noqa: ANN201
    args = ["cdek", "CreateRefusal", "--uuid", ORDER, *extra]
    if token is not None:
        args += ["--token", token]
    return run_cli(args, env=env)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


def test_sends_exactly_the_documented_request(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    result = refuse("--testapi")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == ACCEPTED

    [(request, _)] = cdek.log
    assert request.method == "POST"
    assert request.path == PATH
    assert request.query_string == b""
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"].startswith(f"oint/{oint_core.__version__}")
    assert request.get_data() == b""
    assert request.headers.get("Content-Length", "0") == "0"
    assert "Content-Type" not in request.headers
    assert_no_secret(result.stdout, result.stderr)


def test_output_is_indented_utf8_json(cdek: HTTPServer) -> None:
    body = {"entity": {"uuid": ORDER, "comment": "Отказ получателя"}}
    cdek.expect_request(PATH, method="POST").respond_with_json(body, status=202)
    result = refuse()
    assert result.exit_code == 0
    assert result.stdout == json.dumps(body, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(
    "spelling",
    [
        ["--testapi"],
        ["--testapi", "true"],
        ["--testapi", "false"],
        ["--testapi", "1"],
        ["--testapi", "no"],
        [],
    ],
)
def test_boolean_option_takes_bare_flag_and_explicit_values(cdek: HTTPServer, spelling) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    assert refuse(*spelling).exit_code == 0


def test_method_names_are_case_insensitive_on_the_cli(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    result = run_cli(["cdek", "createrefusal", "--token", TOKEN, "--uuid", ORDER])
    assert result.exit_code == 0


def test_token_comes_from_the_environment(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    result = refuse(token=None, env={"OINT_CDEK_TOKEN": TOKEN})
    assert result.exit_code == 0, result.stderr
    assert cdek.log[0][0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_an_error_status_prints_the_body_and_exits_1(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(NOT_FOUND, status=404)
    result = refuse()
    assert result.exit_code == 1
    assert json.loads(result.stdout) == NOT_FOUND
    [line] = result.stderr.splitlines()
    assert "404" in line and "v2_entity_not_found" in line


def test_a_401_never_shows_the_token(cdek: HTTPServer) -> None:
    body = {
        "requests": [
            {
                "state": "INVALID",
                "errors": [{"code": "v2_token_expired", "message": f"bad token {TOKEN}"}],
            }
        ]
    }
    cdek.expect_request(PATH, method="POST").respond_with_json(body, status=401)
    result = refuse("--debug")
    assert result.exit_code == 1
    assert "v2_token_expired" in result.stderr
    assert_no_secret(result.stdout, result.stderr)


def test_debug_shows_method_url_status_and_timing_but_masks_the_token(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    result = refuse("--debug")
    assert result.exit_code == 0
    assert f"> POST {cdek.url_for(PATH)}" in result.stderr
    assert "> Authorization: Bearer ***" in result.stderr
    assert "< 202" in result.stderr and " ms)" in result.stderr
    assert_no_secret(result.stdout, result.stderr)
    assert json.loads(result.stdout) == ACCEPTED  # debug never pollutes stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--uuid", "not-a-uuid", "--token", TOKEN], "--uuid: 'not-a-uuid' is not a UUID"),
        (["--uuid", ORDER], "no CDEK token: give --token, or set OINT_CDEK_TOKEN"),
        (["--token", TOKEN], "missing required option: --uuid"),
        (["--uuid", ORDER, "--token", TOKEN, "--testapi", "maybe"], "--testapi: 'maybe'"),
        # click words it "No such option: --bogus" (8.2.0) or "No such option '--bogus'".
        (["--uuid", ORDER, "--token", TOKEN, "--bogus"], "--bogus"),
        (["--uuid", ORDER, "--token", TOKEN, "--timeout", "-1"], "--timeout"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_send_nothing(
    cdek: HTTPServer, args: list[str], fragment: str
) -> None:
    result = run_cli(["cdek", "CreateRefusal", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert fragment in line
    assert "Traceback" not in result.stderr
    assert_no_secret(line)
    assert cdek.log == []


@pytest.mark.parametrize("args", [["nosuchprovider"], ["cdek", "NoSuchMethod"]])
def test_unknown_provider_or_method_is_a_usage_error(args: list[str]) -> None:
    result = run_cli(args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1


def test_refused_connection_is_a_transport_error(monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{port}/v2")
    result = refuse()
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert f"connection refused by 127.0.0.1:{port}" in line


def test_a_timeout_is_a_transport_error(cdek: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("{}", status=202)

    cdek.expect_request(PATH, method="POST").respond_with_handler(slow)
    started = time.monotonic()
    result = refuse("--timeout", "0.2")
    assert result.exit_code == 3
    assert "did not answer in time" in result.stderr
    assert time.monotonic() - started < 1.0


def test_a_2xx_body_that_is_not_json_is_a_transport_error(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_data(
        "<html>oops</html>", status=200, content_type="text/html"
    )
    result = refuse()
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert "not valid JSON" in line


def test_an_html_error_page_is_summarised(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_data(
        "<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html"
    )
    result = refuse()
    assert result.exit_code == 1
    assert "<html>" in result.stdout
    assert "502" in result.stderr and len(result.stderr.splitlines()) == 1


def test_out_writes_the_result_to_a_file(cdek: HTTPServer, tmp_path: Path) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    target = tmp_path / "answer.json"
    result = refuse("--out", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == ACCEPTED


def test_out_into_a_missing_folder_is_refused_before_sending(cdek: HTTPServer, tmp_path) -> None:
    result = refuse("--out", str(tmp_path / "nope" / "answer.json"))
    assert result.exit_code == 2
    assert cdek.log == []


# -- the library --------------------------------------------------------------------------


def test_dispatch_gives_the_same_result_as_the_cli(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    from_cli = json.loads(refuse("--testapi").stdout)
    from_library = oint_core.dispatch(
        "cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, testapi=True
    )
    assert from_library == from_cli
    cli_request, lib_request = (entry[0] for entry in cdek.log)
    for attribute in ("method", "path", "query_string"):
        assert getattr(cli_request, attribute) == getattr(lib_request, attribute)
    assert cli_request.headers["Authorization"] == lib_request.headers["Authorization"]
    assert cli_request.get_data() == lib_request.get_data() == b""


@pytest.mark.parametrize("name", ["CreateRefusal", "createrefusal", "create_refusal"])
def test_dispatch_accepts_method_name_spellings(cdek: HTTPServer, name: str) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    assert oint_core.dispatch("cdek", name, token=TOKEN, uuid=ORDER, test_api=False) == ACCEPTED


def test_dispatch_raises_typed_errors(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(NOT_FOUND, status=404)
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    error = caught.value
    assert isinstance(error, OintError)
    assert error.status == 404
    assert error.body == NOT_FOUND
    assert error.codes == ["v2_entity_not_found"]
    assert TOKEN not in str(error)

    with pytest.raises(UsageError, match="uuid: 'x' is not a UUID"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid="x")
    with pytest.raises(UsageError, match="no parameter 'colour'"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, colour="red")
    with pytest.raises(UsageError, match="given twice"):
        oint_core.dispatch(
            "cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, test_api=True, testapi=True
        )
    assert len(cdek.log) == 1  # none of the usage errors sent anything


def test_dispatch_transport_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    with pytest.raises(TransportError, match="connection refused"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)


def test_library_reuses_one_session_across_calls(cdek: HTTPServer) -> None:
    from oint_core.http import get_session

    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    first = get_session()
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    assert get_session() is first


# -- the real console script ---------------------------------------------------------------


def oint_command() -> list[str]:
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint_core"]


def test_the_installed_oint_command_end_to_end(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    env = {**os.environ, "OINT_CDEK_BASE_URL": cdek.url_for("/v2"), "OINT_CDEK_TOKEN": TOKEN}
    done = subprocess.run(
        [*oint_command(), "cdek", "CreateRefusal", "--uuid", ORDER, "--testapi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ACCEPTED
    assert_no_secret(done.stdout, done.stderr)

    bad = subprocess.run(
        [*oint_command(), "cdek", "CreateRefusal", "--uuid", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and len(bad.stderr.splitlines()) == 1
