"""Edge cases a second read of the code found: each one failed before its fix."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import PluginError, Provider, TransportError, UsageError
from oint_core.http import HttpClient
from oint_core.redact import Redactor
from oint_core.testing import run_cli

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-REVIEW-1234567890"
PATH = f"/v2/orders/{ORDER}/refusal"


@pytest.fixture
def cdek(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    return httpserver


def test_a_redirect_is_reported_not_followed(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_data(
        "", status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}
    )
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", TOKEN])
    assert result.exit_code == 1
    assert "302" in result.stderr and "not followed" in result.stderr
    assert len(cdek.log) == 1


def test_nothing_is_sent_once_the_deadline_has_passed(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH).respond_with_json({})
    client = HttpClient(service="cdek", redactor=Redactor(), timeout=0.05)
    time.sleep(0.1)
    with pytest.raises(TransportError, match="nothing was sent"):
        client.request("POST", cdek.url_for(PATH), bearer=TOKEN)
    assert cdek.log == []


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


def test_a_long_value_that_is_neither_json_nor_a_file_is_a_usage_error(cdek) -> None:
    value = "x" * 5000
    result = run_cli(["cdek", "GetOfficeList", "--filter", value, "--token", TOKEN])
    assert result.exit_code == 2
    assert "--filter" in result.stderr
    with pytest.raises(UsageError):
        oint_core.dispatch("cdek", "GetOfficeList", filter=value, token=TOKEN)
    assert cdek.log == []


@pytest.mark.parametrize("token", ["two words-12345", "line-break-12345\n", "кириллица-12345"])
def test_a_malformed_token_is_refused_without_showing_it(cdek, token: str) -> None:
    result = run_cli(["cdek", "CreateRefusal", "--uuid", ORDER, "--token", token])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "token is malformed" in line
    for part in token.split():
        assert part not in line
    assert cdek.log == []


def test_a_provider_whose_methods_fail_to_load_says_why(monkeypatch) -> None:
    def broken() -> tuple:
        raise ImportError("no module named oint_missing_dependency")

    from oint_core import registry as registry_module

    fake = registry_module.Registry.from_providers([Provider("broken", "Broken", broken)])
    monkeypatch.setattr(registry_module, "_default", fake)
    from oint_core import cli

    monkeypatch.setattr(cli, "_registry", lambda: fake)
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.cli, ["broken", "DoIt"])
    assert result.exit_code == 1
    assert "oint_missing_dependency" in result.stderr
    with pytest.raises(PluginError):
        fake.method("broken", "DoIt")


def test_a_dangling_dist_info_link_does_not_break_help(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "ghost-1.0.dist-info").symlink_to(tmp_path / "nowhere")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = run_cli(["--help"])
    assert result.exit_code == 0, result.stderr
    assert "cdek" in result.stdout


def test_plugin_groups_merge_without_changing_the_plugins_objects() -> None:
    import click

    from oint_core.cli import plugin_commands
    from oint_core.plugins import LoadedPlugins, new_manager
    from oint_core.registry import Registry

    first, second = click.Group("sandbox"), click.Group("sandbox")
    first.add_command(click.Command("alpha"))
    second.add_command(click.Command("beta"))

    class One:
        @oint_core.hookimpl
        def oint_commands(self) -> list:
            return [first]

    class Two:
        @oint_core.hookimpl
        def oint_commands(self) -> list:
            return [second]

    manager = new_manager()
    manager.register(One(), name="one")
    manager.register(Two(), name="two")
    merged = plugin_commands(Registry(LoadedPlugins(manager=manager)), set())
    assert set(merged["sandbox"].commands) == {"alpha", "beta"}
    assert set(first.commands) == {"alpha"} and set(second.commands) == {"beta"}
