"""Finding ``oint.plugins`` entry points without paying for ``importlib.metadata`` each start.

``importlib.metadata`` reads every installed distribution's metadata through the email
parser (about 35 ms before ``oint --help`` can print anything, measured with
``python -X importtime``). The entry points only change when a distribution is installed or
removed, which changes the ``*.dist-info`` folders on ``sys.path``. So the answer is cached
in the user's cache directory (``oint/entry-points/``), one file per Python environment, and
trusted while those folders (where they are, their names and modification times) are
unchanged. Nothing is written into the installed package. Where the cache cannot be written
or is not the user's own, discovery simply runs every time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import zlib
from typing import Any, NamedTuple

FORMAT = 2


class Found(NamedTuple):
    """An entry point as oint needs it; ``load()`` imports what it names."""

    name: str
    value: str
    distribution: str | None
    version: str | None

    def load(self) -> Any:
        import importlib

        module_name, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


def _fingerprint() -> list[Any]:
    """What installing or removing a distribution changes: its ``*.dist-info`` folders."""
    parts: list[Any] = []
    for entry in sys.path:
        if not isinstance(entry, str):  # the import system skips anything else on sys.path
            continue
        try:
            scan = os.scandir(entry or ".")
        except OSError:
            continue
        with scan:
            found = sorted(
                [item.name, _mtime(item)]  # lists: what JSON gives back
                for item in scan
                if item.name.endswith((".dist-info", ".egg-info"))
            )
        if found:  # a folder without distributions offers no entry points
            parts.append([entry, found])
    return parts


def _mtime(item: os.DirEntry[str]) -> int:
    try:
        return item.stat().st_mtime_ns
    except OSError:  # a dangling link: importlib.metadata will skip it too
        return -1


def cache_file() -> str | None:
    """This environment's cache file (one per interpreter and prefix, that is per venv), or
    None when the user has no cache folder to put it in."""
    from .paths import user_cache_dir

    folder = user_cache_dir()
    if folder is None:
        return None
    key = f"{zlib.crc32(chr(0).join((sys.executable, sys.prefix)).encode()):08x}"
    return os.path.join(folder, "entry-points", f"{key}.json")


def _scan(group: str) -> list[Found]:
    import importlib.metadata

    found = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = getattr(ep, "dist", None)
        found.append(
            Found(ep.name, ep.value, getattr(dist, "name", None), getattr(dist, "version", None))
        )
    return found


#: The cache holds a few entry points per distribution; anything larger is not ours.
MAX_CACHE_BYTES = 1 << 20


def _read(path: str) -> Any:
    """The cache's content, if the file is a small regular file of this user's that nobody
    else can write (the cache decides which modules get imported); else None."""
    from .safefile import read_private

    data = read_private(path, MAX_CACHE_BYTES, secret=False)
    return None if data is None else json.loads(data)


def _write(path: str, record: dict[str, Any]) -> None:
    from .safefile import write_private

    write_private(path, json.dumps(record).encode("utf-8"))


def _rows(cached: Any, group: str, fingerprint: list[Any]) -> list[Found] | None:
    """The cached entry points, if the cache is of this format, this environment as it is
    now, and well formed; anything else is a miss."""
    if not isinstance(cached, dict) or cached.get("format") != FORMAT:
        return None
    if cached.get("fingerprint") != fingerprint:
        return None
    rows = cached.get("groups", {}).get(group)
    if not isinstance(rows, list):
        return None
    found = []
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 4
            and all(isinstance(v, str) for v in row[:2])
            and all(v is None or isinstance(v, str) for v in row[2:])
        ):
            return None
        found.append(Found(*row))
    return found


def discover(group: str) -> list[Found]:
    """The group's entry points, from the cache when no distribution changed since."""
    fingerprint = _fingerprint()
    path = cache_file()
    if path is not None:
        try:
            cached = _rows(_read(path), group, fingerprint)
        except Exception:  # unreadable, not JSON, nested too deep…: a miss, rewritten below
            cached = None
        if cached is not None:
            return cached
    found = _scan(group)
    record = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "groups": {group: [list(f) for f in found]},
    }
    if path is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):  # e.g. a read-only home
            _write(path, record)
    return found
