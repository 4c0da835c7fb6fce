"""Plugins are found through entry points, one at a time; a broken one never breaks the rest."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import oint_core
from oint_core.testing import run_cli, write_plugin_distribution

GREETER = """
from oint_core import Kind, Method, Param, Provider, hookimpl


def say_hello(ctx, name, loud=False):
    text = f"Hello, {name}!"
    return {"greeting": text.upper() if loud else text}


@hookimpl
def oint_providers():
    method = Method(
        name="SayHello",
        summary="Greets someone",
        group="Greetings",
        function=say_hello,
        params=(
            Param("Name", "--name", Kind.STRING, "Who to greet", required=True),
            Param("Loud", "--loud", Kind.BOOLEAN, "Shout", default=False),
        ),
    )
    return [Provider("greeter", "Says hello", (method,))]
"""


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Install throwaway plugin distributions for this test only."""
    added: list[str] = []

    def _install(distribution: str, module: str, source: str, entry: str | None = None) -> None:
        folder = tmp_path / distribution
        write_plugin_distribution(
            folder,
            distribution=distribution,
            modules={f"{module}.py": source},
            entry_points={entry or distribution: module},
        )
        monkeypatch.syspath_prepend(str(folder))
        added.append(module)

    yield _install
    for module in added:
        sys.modules.pop(module, None)


def test_a_third_party_plugin_is_callable_from_cli_and_dispatch(install) -> None:
    install("oint-greeter", "oint_greeter_ok", GREETER, entry="greeter")

    result = run_cli(["greeter", "SayHello", "--name", "Анна", "--loud"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"greeting": "HELLO, АННА!"}
    assert "АННА" in result.stdout  # Cyrillic printed as is, not \u-escaped

    assert oint_core.dispatch("greeter", "say_hello", name="Bob") == {"greeting": "Hello, Bob!"}
    assert oint_core.dispatch("greeter", "SAYHELLO", name="Bob", loud="true") == {
        "greeting": "HELLO, BOB!"
    }


def test_plugins_command_lists_loaded_plugins_with_distribution_and_version(install) -> None:
    install("oint-greeter", "oint_greeter_list", GREETER, entry="greeter")
    result = run_cli(["plugins"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    by_name = {p["name"]: p for p in report["plugins"]}
    assert by_name["greeter"] == {
        "name": "greeter",
        "distribution": "oint-greeter",
        "version": "1.0",
        "providers": ["greeter"],
    }
    assert by_name["cdek"]["providers"] == ["cdek"]
    assert report["failures"] == []


def test_a_plugin_that_fails_to_import_does_not_break_help(install) -> None:
    install("oint-broken", "oint_broken_import", "import module_that_does_not_exist_42\n")

    result = run_cli(["--help"])
    assert result.exit_code == 0
    assert "cdek" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "oint-broken" in line]
    assert len(warnings) == 1
    assert "module_that_does_not_exist_42" in warnings[0]
    assert "Traceback" not in result.stderr

    assert run_cli(["cdek", "CreateRefusal", "--help"]).exit_code == 0
    report = json.loads(run_cli(["plugins"]).stdout)
    assert report["failures"][0]["name"] == "oint-broken"
    assert "ModuleNotFoundError" in report["failures"][0]["error"]


def test_a_plugin_whose_hook_raises_is_reported_and_skipped(install) -> None:
    source = "from oint_core import hookimpl\n\n@hookimpl\ndef oint_providers():\n    1 / 0\n"
    install("oint-raises", "oint_raises_hook", source)
    result = run_cli(["--help"])
    assert result.exit_code == 0
    assert "ZeroDivisionError" in result.stderr
    report = json.loads(run_cli(["plugins"]).stdout)
    assert [f["name"] for f in report["failures"]] == ["oint-raises"]
    assert "oint-raises" not in [p["name"] for p in report["plugins"]]


def test_a_misspelled_hook_is_reported(install) -> None:
    source = "from oint_core import hookimpl\n\n@hookimpl\ndef oint_provider():\n    return []\n"
    install("oint-typo", "oint_typo_hook", source)
    result = run_cli(["plugins"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [f["name"] for f in report["failures"]] == ["oint-typo"]
    assert "oint_provider" in report["failures"][0]["error"]


def test_strict_mode_makes_a_load_failure_fatal(install) -> None:
    install("oint-broken", "oint_broken_strict", "import module_that_does_not_exist_43\n")
    result = run_cli(["--help"], env={"OINT_PLUGINS_STRICT": "1"})
    assert result.exit_code != 0
    assert "oint-broken" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_start_reads_entry_points_from_the_cache(tmp_path) -> None:
    """importlib.metadata (a third of start-up) is only needed when a distribution changes."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = "from oint_core.cli import main; import sys; sys.argv[1:] = ['--help']; main()"

    def imported() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return [
            line.rsplit("|", 1)[1].strip()
            for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        ]

    imported()  # fills the cache if this environment changed since it was written
    second = imported()
    assert "oint_core.entrypoints" in second
    assert "importlib.metadata" not in second
