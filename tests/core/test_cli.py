"""The command line: CreateRefusal over real HTTP against a local server (the exact request,
exit codes, secrets), ``--out``, the registry click carries, the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import oint_core
from oint_core import Kind, Method, Param, Provider
from oint_core.cli import cli
from oint_core.registry import Registry
from oint_core.testing import run_cli

from ..conftest import closed_port
from .conftest import ACCEPTED, NOT_FOUND, ORDER, PATH, TOKEN, assert_no_secret, refuse


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


@pytest.mark.posix  # file modes
@pytest.mark.parametrize("target", ["folder", "readonly"])
def test_an_unwritable_out_is_refused_before_sending(cdek, tmp_path: Path, target: str) -> None:
    if target == "folder":
        out = tmp_path
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write anything")
        out = tmp_path / "answer.json"
        out.write_text("")
        out.chmod(0o400)
    result = run_cli(
        ["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN, "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert cdek.log == []


# -- the registry travels on click's context --------------------------------------------------


def _echo(ctx, name):  # noqa: ANN001, ANN202
    return {"echoed": name}


THROWAWAY = Provider(
    "throwaway",
    "A provider that lives only in this test",
    (
        Method(
            "Echo",
            "Echoes a name",
            "Tools",
            _echo,
            (Param("Name", "--name", Kind.STRING, "A name", required=True),),
        ),
    ),
)


def test_a_registry_given_as_clicks_obj_is_the_one_listed_and_called() -> None:
    """``CliRunner().invoke(cli, args, obj=registry)``: the root, the provider group, the
    method and ``oint plugins`` all read that registry; nothing global is patched."""
    registry = Registry.from_providers([THROWAWAY])
    runner = CliRunner()
    root = runner.invoke(cli, ["--help"], obj=registry)
    assert root.exit_code == 0, root.stderr
    assert "throwaway" in root.stdout and "cdek" not in root.stdout
    listed = runner.invoke(cli, ["throwaway"], obj=registry)
    assert listed.exit_code == 0, listed.stderr
    assert "Echo" in listed.stdout and "Echoes a name" in listed.stdout
    called = runner.invoke(cli, ["throwaway", "echo", "--name", "Ada"], obj=registry)
    assert called.exit_code == 0, called.stderr
    assert json.loads(called.stdout) == {"echoed": "Ada"}
    plugins = runner.invoke(cli, ["plugins"], obj=registry)
    assert json.loads(plugins.stdout) == {"plugins": [], "failures": []}
    # Without obj, the installed plugins' providers again: the registry was never global.
    default = runner.invoke(cli, ["--help"])
    assert "cdek" in default.stdout and "throwaway" not in default.stdout
    assert runner.invoke(cli, ["throwaway", "Echo", "--name", "Ada"]).exit_code == 2


def test_run_cli_takes_a_registry() -> None:
    result = run_cli(
        ["throwaway", "Echo", "--name", "Ada"], registry=Registry.from_providers([THROWAWAY])
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"echoed": "Ada"}
    assert run_cli(["throwaway", "Echo", "--name", "Ada"]).exit_code == 2


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
