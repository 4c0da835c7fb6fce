"""OINT_CACHE_DIR: oint's cache folder named outright, on every platform (test fixtures give
oint a private one this way; XDG_CACHE_HOME works on Linux and the BSDs only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oint_core import paths


def test_an_absolute_cache_dir_is_the_folder_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OINT_CACHE_DIR", str(tmp_path / "private"))
    assert paths.user_cache_dir() == str(tmp_path / "private")


@pytest.mark.parametrize("value", ["", "relative/cache"])
def test_an_empty_or_relative_cache_dir_is_ignored(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.delenv("OINT_CACHE_DIR", raising=False)
    expected = paths.user_cache_dir()
    monkeypatch.setenv("OINT_CACHE_DIR", value)
    assert paths.user_cache_dir() == expected
