"""Shell completion, through click's protocol: the real ``oint`` run as a shell's completion
script runs it (``_OINT_COMPLETE=bash_complete`` and the words typed so far), and the lines it
prints, in the format of each shell's script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import BashComplete, get_completion_class

from oint_core.cli import cli
from oint_core.completion import COMPLETE_VAR
from oint_core.metadata import Kind
from oint_core.registry import default_registry
from oint_core.testing import run_cli, write_plugin_distribution

from .conftest import oint_command

UUID = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
Item = tuple[str, str]  # (type, value): "plain", "file" or "dir", and the word offered


def run(shell: str, line: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``oint`` as ``shell``'s completion function does for the command line ``line``
    (the cursor at its end: a trailing space means a new, empty word)."""
    words = line.split()
    incomplete = "" if line.endswith(" ") else words.pop()
    if shell == "fish":  # fish passes the whole line and the word being completed
        comp = {"COMP_WORDS": line, "COMP_CWORD": incomplete}
    else:  # bash, zsh and PowerShell pass the words and the index of the one being completed
        comp = {"COMP_WORDS": " ".join([*words, incomplete]), "COMP_CWORD": str(len(words))}
    return subprocess.run(
        oint_command(),
        env={**os.environ, **(env or {}), **comp, COMPLETE_VAR: f"{shell}_complete"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def complete(line: str, shell: str = "bash", env: dict[str, str] | None = None) -> list[Item]:
    """What ``<TAB>`` offers, as (type, value) pairs; no word on stderr, exit 0."""
    done = run(shell, line, env)
    assert (done.returncode, done.stderr) == (0, ""), done
    if shell == "zsh":  # three lines an item: type, value, help ("_" for none)
        rows = done.stdout.splitlines() if done.stdout != "\n" else []
        return [(rows[i], rows[i + 1]) for i in range(0, len(rows), 3)]
    items = []
    for row in filter(None, done.stdout.splitlines()):  # bash: "type,value"; fish adds
        # "<TAB>help"; no items is one empty line
        kind, _, value = row.partition(",")
        items.append((kind, value.partition("\t")[0] if shell == "fish" else value))
    return items


def words(line: str, shell: str = "bash") -> list[str]:
    items = complete(line, shell)
    assert {kind for kind, _ in items} <= {"plain"}, items
    return [value for _, value in items]


# -- names: providers, commands, methods -----------------------------------------------------


def test_a_provider_completes_from_its_first_letters_in_either_case() -> None:
    assert words("oint cd") == ["cdek"]
    assert words("oint CD") == ["cdek"]
    assert words("oint c") == ["config", "cdek"]  # commands first, then providers


def test_an_empty_word_offers_the_commands_then_the_providers() -> None:
    offered = words("oint ")
    assert {"docs", "plugins", "cdek"} <= set(offered)
    assert offered.index("docs") < offered.index("cdek")
    assert words("oint pl") == ["plugins"]


def test_the_root_options_complete() -> None:
    assert words("oint --") == ["--version", "--help"]


def test_methods_complete_as_opi_spells_them() -> None:
    create = [m.name for m in default_registry().methods("cdek") if m.name.startswith("Create")]
    assert len(create) > 3
    assert words("oint cdek Create") == create
    assert words("oint cdek CreateBarc") == ["CreateBarcode"]


@pytest.mark.parametrize("typed", ["createb", "CREATEBAR", "create_barcode", "create-barc"])
def test_methods_match_as_the_registry_finds_them(typed: str) -> None:
    """Method names are case-insensitive (and snake_case works): so is their completion."""
    assert words(f"oint cdek {typed}") == ["CreateBarcode"]


def test_an_unknown_prefix_offers_nothing() -> None:
    assert complete("oint cdek Zz") == []
    assert complete("oint zz") == []


# -- options and their values ----------------------------------------------------------------


def test_a_methods_options_complete_with_the_core_ones() -> None:
    method = default_registry().method("cdek", "CreateBarcode")
    own = [p.option for p in method.params]
    assert words("oint cdek CreateBarcode --") == [
        *own,
        "--wait",  # a write that CDEK processes later
        "--out",
        "--test",
        "--config",
        "--timeout",
        "--retries",
        "--debug",
        "--quiet",
        "--profile",
        "--help",
    ]
    assert words("oint cdek CreateBarcode --fo") == ["--format"]


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("oint cdek CreateBarcode --format ", ["A4", "A5", "A6", "A7"]),
        ("oint cdek CreateBarcode --format a", ["A4", "A5", "A6", "A7"]),  # any letter case
        ("oint cdek CreateBarcode --format A6", ["A6"]),
        ("oint cdek CreateBarcode --format=a5", ["A5"]),
        ("oint cdek CreateBarcode --lang ", ["RUS", "ENG"]),
        ("oint cdek CreateBarcode --lang e", ["ENG"]),
        ("oint cdek CreateBarcode --testapi ", ["true", "false"]),
        ("oint cdek CreateBarcode --testapi F", ["false"]),
        ("oint cdek createbarcode --uuids x --lang ", ["RUS", "ENG"]),
    ],
)
def test_choice_and_boolean_values_complete(line: str, offered: list[str]) -> None:
    assert words(line) == offered


def test_free_text_values_offer_nothing() -> None:
    """No file names where a value is not a file: the shell's default would mislead."""
    assert complete("oint cdek CreateBarcode --count ") == []
    assert complete("oint cdek CreateBarcode --timeout ") == []


@pytest.mark.parametrize(
    "line",
    [
        "oint cdek CreateBarcode --out ",
        "oint cdek CreateBarcode --out lab",
        "oint cdek CreateOrder --order ",
        "oint cdek CreateOrder --order ord",
    ],
)
def test_files_complete_where_a_value_may_be_a_file(line: str) -> None:
    """``--out`` and a JSON|FILE parameter leave the word to the shell's file completion."""
    typed = "" if line.endswith(" ") else line.split()[-1]
    assert complete(line) == [("file", typed)]


def test_every_parameter_offers_what_its_kind_accepts() -> None:
    """All of CDEK's methods, in process through click's own completion class: choices for a
    choice, true/false for a boolean, a file for an object, nothing for the rest."""
    registry = default_registry()
    completer = BashComplete(cli, {"obj": registry}, "oint", COMPLETE_VAR)
    counted: dict[str, int] = {}
    for method in registry.methods("cdek"):
        for param in method.params:
            found = completer.get_completions(["cdek", method.name, param.option], "")
            offered = [(item.type, item.value) for item in found]
            if param.choices:
                expected, what = [("plain", c) for c in param.choices], "choice"
            elif param.kind is Kind.BOOLEAN:
                expected, what = [("plain", "true"), ("plain", "false")], "boolean"
            elif param.kind is Kind.OBJECT:
                expected, what = [("file", "")], "file"
            else:
                expected, what = [], "nothing"
            assert offered == expected, f"{method.name} {param.option}"
            counted[what] = counted.get(what, 0) + 1
    assert set(counted) == {"choice", "boolean", "file", "nothing"}, counted


def test_completion_does_not_turn_values_into_click_choices() -> None:
    """Values still reach ``bind`` as the text typed: its checks and messages are the CLI's."""
    from oint_core.cli import build_command

    registry = default_registry()
    method = registry.method("cdek", "CreateBarcode")
    command = build_command(registry.provider("cdek"), method)
    assert {type(param.type).__name__ for param in command.params} == {
        "StringParamType",  # the method's options and --out, --timeout, --retries
        "BoolParamType",  # --debug, click's own flag
    }
    result = run_cli(["cdek", "CreateBarcode", "--format", "a9", "--uuids", UUID])
    assert result.exit_code == 2
    assert result.stderr == "oint: usage error: --format: 'a9' is not one of: A4, A5, A6, A7\n"


# -- the other shells' formats ---------------------------------------------------------------


def test_zsh_gets_type_value_and_help_lines() -> None:
    done = run("zsh", "oint cdek CreateBarc")
    assert done.returncode == 0 and done.stderr == ""
    kind, value, help_text = done.stdout.splitlines()
    summary = default_registry().method("cdek", "CreateBarcode").summary
    assert (kind, value, help_text) == ("plain", "CreateBarcode", summary)
    assert complete("oint cdek CreateBarcode --format ", "zsh") == [
        ("plain", v) for v in ("A4", "A5", "A6", "A7")
    ]
    assert complete("oint cdek CreateOrder --order ", "zsh") == [("file", "")]


def test_fish_gets_type_and_value_lines() -> None:
    assert words("oint cd", "fish") == ["cdek"]
    assert words("oint cdek CreateBarcode --lang ", "fish") == ["RUS", "ENG"]
    assert words("oint cdek CreateBarcode --testapi t", "fish") == ["true"]
    assert complete("oint cdek CreateBarcode --out ", "fish") == [("file", "")]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _oint_completion oint"),
        ("zsh", "#compdef oint"),
        ("fish", "complete --no-files --command oint"),
    ],
)
def test_the_documented_source_commands_print_each_shells_script(shell: str, marker: str) -> None:
    done = subprocess.run(
        oint_command(),
        env={**os.environ, COMPLETE_VAR: f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert marker in done.stdout and f"{COMPLETE_VAR}={shell}_complete" in done.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_itself_completes_with_the_script_written_once(tmp_path: Path) -> None:
    """The recommended set-up, in a real bash: the script written to a file, the file
    sourced, then bash's completion function called as <TAB> calls it."""
    if len(oint_command()) > 1:
        pytest.skip("no oint console script here for bash to call by name")
    script = tmp_path / "oint"
    with script.open("w") as out:
        subprocess.run(
            oint_command(), env={**os.environ, COMPLETE_VAR: "bash_source"}, stdout=out, check=True
        )
    program = (
        '. "$1"\n'
        "complete -p oint\n"
        'offer() { COMPREPLY=(); COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));'
        ' _oint_completion oint; echo "${COMPREPLY[*]}"; }\n'
        "offer oint cdek createb\n"
        'offer oint cdek CreateBarcode --format ""\n'
        "offer oint cdek CreateBarcode --testapi f\n"
    )
    oint_folder = str(Path(oint_command()[0]).parent)
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program, "bash", str(script)],
        env={**os.environ, "PATH": os.pathsep.join([oint_folder, os.environ["PATH"]])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done
    assert done.stdout.splitlines() == [
        "complete -o nosort -F _oint_completion oint",
        "CreateBarcode",
        "A4 A5 A6 A7",
        "false",
    ]


def test_a_shell_click_does_not_know_prints_nothing_and_fails() -> None:
    done = subprocess.run(
        oint_command(),
        env={**os.environ, COMPLETE_VAR: "tcsh_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")


@pytest.mark.skipif(
    get_completion_class("powershell") is None, reason="click < 8.5 has no PowerShell completion"
)
def test_powershell_works_with_a_click_that_has_it() -> None:
    """click 8.5 added PowerShell; oint needs nothing of its own for it (three lines an item,
    as zsh)."""
    done = run("powershell", "oint cdek CreateBarcode --lang ")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["plain", "RUS", "_", "plain", "ENG", "_"]


# -- cheap and robust ------------------------------------------------------------------------

NETWORK = ("requests", "urllib3", "http.client", "ssl", "werkzeug")
HEAVY = ("oint_core.http", "oint_core.dispatcher", "oint_core.coerce")


@pytest.mark.parametrize(
    "line",
    [
        "oint c",
        "oint cdek Create",
        "oint cdek CreateBarcode --",
        "oint cdek CreateBarcode --format ",
        "oint cdek CreateOrder --order ",
        "oint cdek CreateBarcode --timeout 5 --retries 1 --lang ",
    ],
)
def test_completing_imports_no_network_stack(line: str) -> None:
    """A <TAB> pays for the metadata only: ``-X importtime`` lists every module imported."""
    words_ = line.split()
    incomplete = "" if line.endswith(" ") else words_.pop()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "oint"],
        env={
            **os.environ,
            COMPLETE_VAR: "bash_complete",
            "COMP_WORDS": " ".join([*words_, incomplete]),
            "COMP_CWORD": str(len(words_)),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip(), done
    imported = {row.rpartition("|")[2].strip() for row in done.stderr.splitlines()}
    assert "oint_core.completion" in imported  # the listing is real: the tests see it
    assert imported.isdisjoint(NETWORK + HEAVY), sorted(imported & {*NETWORK, *HEAVY})


BROKEN_IMPORT = "raise RuntimeError('this plugin is broken at import')\n"
BROKEN_METHODS = """
from oint_core import Provider, hookimpl


def methods():
    raise RuntimeError("methods are broken")


@hookimpl
def oint_providers():
    return [Provider("broken", "Its methods cannot load", methods)]


@hookimpl
def oint_commands():
    raise RuntimeError("commands are broken")
"""


@pytest.fixture
def broken_plugins(tmp_path: Path) -> dict[str, str]:
    """The environment of an installation holding two broken plugins next to CDEK's."""
    for name, source in (("oint_badimport", BROKEN_IMPORT), ("oint_broken", BROKEN_METHODS)):
        write_plugin_distribution(
            tmp_path / name,
            distribution=name.replace("_", "-"),
            modules={f"{name}.py": source},
            entry_points={name.removeprefix("oint_"): name},
        )
    path = [str(tmp_path / "oint_badimport"), str(tmp_path / "oint_broken")]
    return {"PYTHONPATH": os.pathsep.join([*path, os.environ.get("PYTHONPATH", "")])}


def test_broken_plugins_do_not_break_completion(broken_plugins: dict[str, str]) -> None:
    """The plugins load (their failures are noted, not printed: stderr stays empty, which
    ``complete`` checks), and what works still completes."""
    assert ("plain", "cdek") in complete("oint ", env=broken_plugins)
    assert complete("oint br", env=broken_plugins) == [("plain", "broken")]
    assert complete("oint cdek CreateBarcode --lang ", env=broken_plugins) == [
        ("plain", "RUS"),
        ("plain", "ENG"),
    ]
    assert complete("oint broken ", env=broken_plugins) == []  # its methods cannot load
    assert complete("oint broken --", env=broken_plugins) == [("plain", "--help")]
    # Where the broken provider must build a method's command, the request fails quietly:
    # no suggestions, no traceback, not a word on stderr.
    done = run("bash", "oint broken SayHello --", env=broken_plugins)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "")


def test_the_broken_plugins_are_broken(broken_plugins: dict[str, str]) -> None:
    """The fixture is what it claims: outside completion, oint reports both plugins."""
    done = subprocess.run(
        [*oint_command(), "plugins"],
        env={**os.environ, **broken_plugins},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "badimport" in done.stderr and "broken" in done.stdout, done
