"""Finding ``oint.plugins`` entry points without paying for ``importlib.metadata`` each start.

``importlib.metadata`` imports the email parser, zipfile and more (about a third of
``oint --help``'s own time, measured with ``python -X importtime``). The entry points only
change when a distribution is installed or removed, which changes the ``*.dist-info``
folders on ``sys.path``. So the answer is cached next to oint's bytecode cache, one file
per interpreter, and trusted while those folders (where they are, their names and
modification times) are unchanged. Where that folder is not writable, nothing is cached and
discovery simply runs every time.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1


@dataclass(frozen=True)
class Found:
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


def _cache_file() -> Path:
    # One file per interpreter: another sys.path just fails the fingerprint and rewrites it.
    key = f"{zlib.crc32(sys.executable.encode()):08x}"
    return Path(__file__).parent / "__pycache__" / f"entry-points-{key}.json"


def _scan(group: str) -> list[Found]:
    import importlib.metadata

    found = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = getattr(ep, "dist", None)
        found.append(
            Found(ep.name, ep.value, getattr(dist, "name", None), getattr(dist, "version", None))
        )
    return found


def discover(group: str) -> list[Found]:
    """The group's entry points, from the cache when no distribution changed since."""
    fingerprint = _fingerprint()
    path = _cache_file()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached["format"] == FORMAT and cached["fingerprint"] == fingerprint:
            return [Found(*row) for row in cached["groups"][group]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = _scan(group)
    record = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "groups": {group: [[f.name, f.value, f.distribution, f.version] for f in found]},
    }
    try:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only install: discovery just runs each time
    return found
