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


def say_hello(ctx, name, loud):
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


HALF_SHIPPED_PLUGIN = """
from oint_core import Provider, hookimpl


@hookimpl
def oint_providers():
    return [Provider("halfshipped", "Its methods are missing", {
        "oint_halfshipped.methods.greetings": ("SayHello",),
    })]
"""
GREETINGS = """
from oint_core import Kind, Method, Param


def say_hello(ctx, name):
    return {"greeting": f"Hello, {name}!"}


METHODS = (
    Method("SayHello", "Greets", "Greetings", say_hello,
           (Param("Name", "--name", Kind.STRING, "Who", required=True),)),
)
"""


@pytest.fixture
def install_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """Install a throwaway plugin package (several modules) for this test only."""
    added: list[str] = []

    def _install(package: str, modules: dict[str, str]) -> None:
        folder = tmp_path / package
        write_plugin_distribution(
            folder,
            distribution=package.replace("_", "-"),
            modules={f"{package}/{name}": source for name, source in modules.items()},
            entry_points={package.removeprefix("oint_"): f"{package}.plugin"},
        )
        monkeypatch.syspath_prepend(str(folder))
        added.append(package)

    yield _install
    for name in list(sys.modules):
        if name.split(".")[0] in added:
            del sys.modules[name]


def test_a_plugin_whose_method_modules_are_missing_is_a_failure_everywhere(
    install_package,
) -> None:
    """The packaging mistake users met: the plugin imports, its methods subpackage is absent."""
    install_package("oint_halfshipped", {"__init__.py": "", "plugin.py": HALF_SHIPPED_PLUGIN})

    report_run = run_cli(["plugins"])
    assert report_run.exit_code == 0
    report = json.loads(report_run.stdout)
    assert "halfshipped" not in [p["name"] for p in report["plugins"]]
    assert "cdek" in [p["name"] for p in report["plugins"]]
    (failure,) = report["failures"]
    assert failure["name"] == "halfshipped"
    assert failure["distribution"] == "oint-halfshipped"
    assert "No module named 'oint_halfshipped.methods'" in failure["error"]
    assert "\n" not in failure["error"]
    warning = [line for line in report_run.stderr.splitlines() if "halfshipped" in line]
    assert len(warning) == 1 and "No module named" in warning[0]

    for args in (["halfshipped"], ["halfshipped", "SayHello", "--name", "x"]):
        result = run_cli(args)
        assert result.exit_code == 1, args
        (line,) = result.stderr.splitlines()
        assert "provider 'halfshipped' could not load" in line
        assert "plugin 'halfshipped' from oint-halfshipped 1.0" in line
        assert "No module named 'oint_halfshipped.methods'" in line
        assert "Traceback" not in result.stderr

    with pytest.raises(oint_core.PluginError, match="No module named"):
        oint_core.dispatch("halfshipped", "SayHello", name="x")


def test_a_method_index_that_disagrees_with_its_module_is_reported(install_package) -> None:
    install_package(
        "oint_halfshipped",
        {
            "__init__.py": "",
            "plugin.py": HALF_SHIPPED_PLUGIN.replace('("SayHello",)', '("SayHello", "SayBye")'),
            "methods/__init__.py": "",
            "methods/greetings.py": GREETINGS,
        },
    )
    report = json.loads(run_cli(["plugins"]).stdout)
    (failure,) = report["failures"]
    assert "listed but not defined: ['SayBye']" in failure["error"]
    # The module cannot be trusted either way: its methods are refused with the same reason.
    with pytest.raises(oint_core.PluginError, match=r"oint-halfshipped 1\.0\).*SayBye"):
        oint_core.dispatch("halfshipped", "SayHello", name="Ann")


def test_an_indexed_provider_loads_only_the_module_of_the_method_called(install_package) -> None:
    install_package(
        "oint_halfshipped",
        {
            "__init__.py": "",
            "plugin.py": HALF_SHIPPED_PLUGIN.replace(
                '("SayHello",),', '("SayHello",), "oint_halfshipped.methods.broken": ("Nope",),'
            ),
            "methods/__init__.py": "",
            "methods/greetings.py": GREETINGS,
            "methods/broken.py": "raise ImportError('this module must not be imported')\n",
        },
    )
    result = run_cli(["halfshipped", "SayHello", "--name", "Ann"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"greeting": "Hello, Ann!"}
    assert "oint_halfshipped.methods.broken" not in sys.modules
    listing = run_cli(["halfshipped"])
    assert listing.exit_code == 1
    assert "this module must not be imported" in listing.stderr


MALFORMED_PLUGIN = """
from oint_core import Kind, Method, Param, Provider, hookimpl


def foo(ctx):
    return {}


@hookimpl
def oint_providers():
    return [Provider("malformed", "A method record built wrongly",
                     lambda: [Method("Foo", "s", "g", foo, binary_switch=["not", "a", "name"])])]
"""


def test_a_plugin_whose_method_record_is_malformed_is_reported_not_a_crash(install) -> None:
    install("oint-malformed", "oint_malformed_record", MALFORMED_PLUGIN, entry="malformed")
    report_run = run_cli(["plugins"])
    assert report_run.exit_code == 0
    (failure,) = json.loads(report_run.stdout)["failures"]
    assert failure["name"] == "malformed"
    assert "could not load" in failure["error"] and "TypeError" in failure["error"]
    for args in (["malformed"], ["malformed", "Foo"]):
        result = run_cli(args)
        assert result.exit_code == 1, args
        assert "internal error" not in result.stderr
        assert "provider 'malformed' could not load" in result.stderr


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
