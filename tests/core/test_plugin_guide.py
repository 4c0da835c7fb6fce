"""The plugin guide, followed literally: its files build a plugin that installs next to oint,
passes the guide's own tests, and answers the guide's commands.

Every code block of docs/writing-a-plugin.md titled with a file path is written into an
empty folder; the folder is built into a wheel by the build backend its pyproject.toml
names, and the wheel is unpacked into a folder that goes on ``PYTHONPATH``: an installed
distribution, with its ``.dist-info`` and entry point, beside the oint under test. All of it
offline, over loopback only.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import pytest
from pytest_httpserver import HTTPServer

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "writing-a-plugin.md"
FENCE = re.compile(r'^```(?P<lang>[\w+-]*)(?:[ \t]+title="(?P<title>[^"]*)")?[ \t]*$')

# Builds the wheel with the backend pyproject.toml names, as a PEP 517 frontend without
# build isolation would: the backend's requirements must already be installed.
BUILD = """
import importlib, importlib.metadata, re, sys
try:
    import tomllib
except ImportError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib
with open("pyproject.toml", "rb") as f:
    system = tomllib.load(f)["build-system"]
for requirement in system["requires"]:
    importlib.metadata.distribution(re.match(r"[A-Za-z0-9._-]+", requirement).group())
print(importlib.import_module(system["build-backend"]).build_wheel(sys.argv[1]))
"""


def code_blocks(text: str) -> list[tuple[str, str | None, str]]:
    """Every fenced block of a Markdown text: (language, title or None, content)."""
    blocks: list[tuple[str, str | None, str]] = []
    lines = iter(text.splitlines(keepends=True))
    for line in lines:
        opening = FENCE.match(line.rstrip("\n"))
        if opening is None:
            continue
        body: list[str] = []
        for inner in lines:
            if inner.rstrip() == "```":
                break
            body.append(inner)
        else:
            raise AssertionError(f"unclosed code block: {line.strip()}")
        blocks.append((opening["lang"], opening["title"], "".join(body)))
    return blocks


def plugin_files(text: str) -> dict[str, str]:
    """The guide's files: each titled block, by the relative path its title names."""
    files: dict[str, str] = {}
    for _, title, content in code_blocks(text):
        if title is None:
            continue
        path = PurePosixPath(title)
        assert not path.is_absolute() and ".." not in path.parts, title
        assert title not in files, f"{title} is given twice"
        files[title] = content
    return files


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def installed(guide: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the plugin's folder, written from the guide; the folder it is installed in)."""
    pytest.importorskip("setuptools", minversion="64")  # oint's test extra brings it
    folder = tmp_path_factory.mktemp("guide") / "oint-hello"
    for name, content in plugin_files(guide).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-c", BUILD, str(dist)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(dist / built.stdout.strip().splitlines()[-1]) as wheel:
        wheel.extractall(site)  # a pure-Python wheel is installed by unpacking it
    return folder, site


def run(
    args: Sequence[str], folder: Path, site: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in the plugin's folder, with the plugin installed beside oint."""
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8", **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_the_guide_gives_a_whole_package(guide: str) -> None:
    files = plugin_files(guide)
    assert {"pyproject.toml", "src/oint_hello/__init__.py", "tests/test_hello.py"} <= set(files)
    for lang, title, content in code_blocks(guide):
        if lang == "python":  # untitled snippets too: at least they must be Python
            compile(content, title or "<guide snippet>", "exec")


def test_the_guides_method_functions_take_no_defaults(guide: str) -> None:
    """Param.default is the only home of a default: a method function takes ``ctx`` and
    exactly its parameters' keywords, none with a default of its own."""
    tree = ast.parse(plugin_files(guide)["src/oint_hello/__init__.py"])
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.args.args and node.args.args[0].arg == "ctx"
    ]
    assert functions
    for function in functions:
        assert function.args.defaults == [], function.name
        assert all(d is None for d in function.args.kw_defaults), function.name


def test_the_guides_package_builds_into_a_plugin_of_oint(installed: tuple[Path, Path]) -> None:
    _, site = installed
    (dist,) = importlib.metadata.distributions(path=[str(site)])
    assert dist.metadata["Name"] == "oint-hello"
    assert dist.requires is not None and "oint" in dist.requires
    (entry,) = dist.entry_points.select(group="oint.plugins")
    assert (entry.name, entry.value) == ("hello", "oint_hello")
    assert (site / "oint_hello" / "__init__.py").is_file()


def test_the_guides_tests_pass_against_the_installed_plugin(
    guide: str, installed: tuple[Path, Path]
) -> None:
    folder, site = installed
    tests = [name for name in plugin_files(guide) if name.startswith("tests/")]
    count = sum(len(re.findall(r"^def test_", plugin_files(guide)[n], re.M)) for n in tests)
    done = run(["-m", "pytest", "-q", "-p", "no:cacheprovider"], folder, site)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"{count} passed" in done.stdout, done.stdout[-2000:]


def test_the_guides_commands_work(
    guide: str, installed: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    folder, site = installed
    httpserver.expect_request("/api/greeting", query_string={"name": "Анна"}).respond_with_json(
        {"text": "Привет, Анна!"}
    )
    base = httpserver.url_for("/api")
    commands = [
        shlex.split(line, comments=True)
        for lang, _, content in code_blocks(guide)
        if lang == "sh"
        for line in content.splitlines()
        if line.startswith("oint ")
    ]
    assert ["oint", "hello", "GetGreeting", "--name", "Анна", "--loud"] in commands
    for command in commands:
        done = run(["-m", *command], folder, site, HELLO_BASE_URL=base)
        assert done.returncode == 0, f"{shlex.join(command)}: {done.stderr}"
        if command[1:3] == ["hello", "GetGreeting"] and "--help" not in command:
            assert json.loads(done.stdout) == {"text": "ПРИВЕТ, АННА!"}
        if command[1:] == ["plugins"]:
            report = json.loads(done.stdout)
            assert report["failures"] == []
            assert {"name": "hello", "distribution": "oint-hello"}.items() <= next(
                p for p in report["plugins"] if p["name"] == "hello"
            ).items()
    if ["oint", "docs", "build", "--provider", "hello"] in commands:
        assert (folder / "docs" / "hello" / "GetGreeting.md").is_file()
