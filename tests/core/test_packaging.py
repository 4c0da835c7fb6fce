"""What users install: the wheel holds every module, its metadata is right, one version."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core.testing import run_cli

REPO = Path(__file__).resolve().parents[2]
# What setuptools needs to build the wheel; copied so that the checkout stays untouched.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "oint", "oint_core", "plugins")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel built from this checkout by setuptools' PEP 517 hook, offline."""
    pytest.importorskip("setuptools", minversion="77")  # the test extra brings it
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    build = "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    name = done.stdout.strip().splitlines()[-1]
    return zipfile.ZipFile(out / name)


def _modules_in_checkout() -> set[str]:
    """Every module of the packages users get: oint_core, the shim, and each plugin."""
    found = {str(p.relative_to(REPO)) for p in (REPO / "oint_core").rglob("*.py")}
    found |= {str(p.relative_to(REPO)) for p in (REPO / "oint").rglob("*.py")}
    for plugin in (REPO / "plugins").iterdir():
        for path in plugin.rglob("*.py"):
            relative = path.relative_to(plugin)
            if "tests" not in relative.parts:
                found.add(str(relative))
    return {name.replace(os.sep, "/") for name in found}


def test_the_wheel_holds_every_module_of_the_checkout(wheel: zipfile.ZipFile) -> None:
    shipped = set(wheel.namelist())
    expected = _modules_in_checkout()
    assert "oint_cdek/methods/orders.py" in expected  # the module users once lost
    assert sorted(expected - shipped) == []


def test_the_wheel_ships_license_typing_markers_and_entry_points(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert {"oint_core/py.typed", "oint_cdek/py.typed"} <= names
    assert "oint_cdek/client.pyi" in names  # the typed client of connect("cdek")
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{info}/licenses/LICENSE" in names
    metadata = HeaderParser().parsestr(wheel.read(f"{info}/METADATA").decode())
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Version"] == oint_core.__version__
    assert metadata["Requires-Python"] == ">=3.10"
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)} <= set(
        classifiers
    )
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.replace(" ", "").startswith("urllib3>=2.0.2") for r in requires)
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "oint = oint.console:main" in entry_points
    assert "cdek = oint_cdek.plugin" in entry_points


def test_one_version_everywhere(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """`oint --version`, the installed distribution and the User-Agent agree."""
    installed = importlib.metadata.version("oint")
    assert oint_core.__version__ == installed
    assert run_cli(["--version"]).stdout.strip() == f"oint {installed}"
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request("/v2/location/regions").respond_with_json([])
    oint_core.dispatch("cdek", "GetRegionsList", token="tok-123456")
    (request, _), *_ = httpserver.log
    assert request.headers["User-Agent"].startswith(f"oint/{installed} ")


@pytest.mark.parametrize("module", ["oint", "oint_core"])
def test_python_dash_m_runs_the_command(module: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "cdek", "CreateRefusal", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: oint cdek CreateRefusal" in done.stdout
