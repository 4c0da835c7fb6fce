"""Rendering results: JSON that reads well in a terminal and stays exact in a pipe."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from .errors import OintError, UsageError

# A UTF-16 surrogate alone: JSON's "\ud83d" parses to one, and no UTF-8 stream takes it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(value: Any) -> str:
    """Indented UTF-8 JSON; Cyrillic stays readable instead of ``\\uXXXX``.

    A lone surrogate (a server's ``"\\ud83d"`` without its pair) is written back as that
    escape: the output stays the same JSON value, and printable as UTF-8.
    """
    return printable(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def printable(text: str) -> str:
    """``text`` with each lone surrogate written as its ``\\uXXXX`` escape."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_result(value: Any, out: str | None) -> None:
    """Write a result to ``out`` (a path) or stdout; bytes are written as they are."""
    if isinstance(value, (bytes, bytearray)):
        if out is None:
            if sys.stdout.isatty():
                raise UsageError("the result is binary; give --out FILE to save it")
            sys.stdout.buffer.write(value)
            sys.stdout.buffer.flush()
            return
        _write_file(out, bytes(value))
        return
    text = to_json(value)
    if out is None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    else:
        _write_file(out, (text + "\n").encode("utf-8"))


def _write_file(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:  # checked before the call; this is a failure after it succeeded
        raise OintError(
            f"the call succeeded, but --out {out!r} could not be written: {exc.strerror or exc}"
        ) from None
