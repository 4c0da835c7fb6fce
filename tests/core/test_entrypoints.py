"""Plugin discovery is cached in the user's cache directory, never in the installed package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

import oint_core
from oint_core import entrypoints, paths
from oint_core.plugins import ENTRY_POINT_GROUP

CODE = "from oint_core.cli import main; import sys; sys.argv[1:] = ['--help']; main()"


def _imported(cwd: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CODE],
        cwd=cwd,
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


def test_a_second_start_reads_entry_points_from_the_cache(tmp_path: Path) -> None:
    """importlib.metadata (about a third of `oint --help`) is only needed after an install."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = _imported(tmp_path, env)
    assert "importlib.metadata" in first  # nothing cached yet
    second = _imported(tmp_path, env)
    assert "oint_core.entrypoints" in second
    assert "importlib.metadata" not in second
    written = list((tmp_path / "cache" / "oint" / "entry-points").iterdir())
    assert len(written) == 1 and written[0].suffix == ".json"
    if hasattr(os, "getuid"):
        assert written[0].stat().st_mode & 0o777 == 0o600


def test_nothing_is_written_into_the_installed_package(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    _imported(tmp_path, env)
    package = Path(oint_core.__file__).parent
    leftovers = [p.name for p in package.rglob("*") if p.suffix in (".json", ".tmp")]
    assert leftovers == []


def _plant(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: int) -> list[str]:
    """Write the real cache, swap its entry for a module that announces itself, set ``mode``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    entrypoints.discover(ENTRY_POINT_GROUP)
    path = Path(entrypoints.cache_file())
    record = json.loads(path.read_text(encoding="utf-8"))
    record["groups"][ENTRY_POINT_GROUP] = [["planted", "planted_module", "x", "1"]]
    path.write_text(json.dumps(record), encoding="utf-8")
    path.chmod(mode)
    return [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file modes")
def test_a_cache_file_others_can_write_is_not_trusted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The cache decides which modules are imported: a writable-by-others file is ignored."""
    assert "planted" not in _plant(monkeypatch, tmp_path, 0o666)
    assert "cdek" in _plant(monkeypatch, tmp_path, 0o666)
    # The same file kept private is what discovery trusts: the check above is what refused it.
    assert _plant(monkeypatch, tmp_path, 0o600) == ["planted"]


@pytest.mark.posix  # symlinks
def test_a_symlink_at_the_cache_path_is_not_followed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = Path(entrypoints.cache_file())
    path.parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}", encoding="utf-8")
    path.symlink_to(elsewhere)
    names = [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]
    assert "cdek" in names
    assert elsewhere.read_text(encoding="utf-8") == "{}"  # the link's target is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="elsewhere platformdirs answers")
@pytest.mark.parametrize("xdg", [None, "/srv/cache-here"])
def test_the_cache_folder_is_the_one_platformdirs_names(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None
) -> None:
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    expected = platformdirs.user_cache_dir("oint", appauthor=False)
    assert paths.user_cache_dir() == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule")
@pytest.mark.parametrize("xdg", ["", "relative/cache"])
def test_a_cache_home_that_is_not_an_absolute_path_is_ignored(
    monkeypatch: pytest.MonkeyPatch, xdg: str
) -> None:
    """The XDG spec: relative paths are invalid and ignored (platformdirs 4 agrees; older
    releases used them as they were, relative to wherever oint happened to run)."""
    monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", "/home/someone")
    assert paths.user_cache_dir() == "/home/someone/.cache/oint"


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000,  # nested too deep for the JSON parser
        '{"format": 2, "fingerprint": [], "groups": {"oint.plugins": [[null, 1, 2, 3]]}}',
        "\x00\xff not json",
        "",
    ],
    ids=["deep-nesting", "wrong-rows", "binary", "empty"],
)
def test_a_damaged_cache_is_a_miss_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = Path(entrypoints.cache_file() or "")
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    path.chmod(0o600)
    if content.startswith("{"):  # make the damaged rows the only thing wrong
        record = json.loads(content)
        record["fingerprint"] = entrypoints._fingerprint()
        path.write_text(json.dumps(record), encoding="utf-8")
    assert "cdek" in [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == entrypoints.FORMAT


def test_a_folder_at_the_cache_path_leaves_no_temporary_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = Path(entrypoints.cache_file() or "")
    path.mkdir(parents=True)
    for _ in range(3):
        assert "cdek" in [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_path_object_on_sys_path_is_skipped_as_the_import_system_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path))  # keeps sys.path restored afterwards
    sys.path.append(tmp_path)  # type: ignore[arg-type]  # what a careless host program does
    assert "cdek" in [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]
    assert Path(entrypoints.cache_file() or "").is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule")
def test_without_a_home_folder_nothing_is_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With HOME unset and an account unknown to the password database, there is no cache
    folder: oint must not write one relative to the current folder (a token file in it)."""
    import pwd

    def unknown_account(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown_account)
    monkeypatch.chdir(tmp_path)
    assert paths.user_cache_dir() is None
    assert "cdek" in [found.name for found in entrypoints.discover(ENTRY_POINT_GROUP)]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule")
def test_a_relative_home_is_ignored_for_the_account_home(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "relative/home")
    home = pwd.getpwuid(os.getuid()).pw_dir
    assert paths.user_cache_dir() == os.path.join(home, ".cache", "oint")
