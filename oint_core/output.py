"""Rendering results: JSON that reads well in a terminal and stays exact in a pipe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .errors import UsageError


def to_json(value: Any) -> str:
    """Indented UTF-8 JSON; Cyrillic stays readable instead of ``\\uXXXX``."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def write_result(value: Any, out: str | None, redact: Any = None) -> None:
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
    if redact is not None:
        text = redact(text)
    if out is None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    else:
        _write_file(out, (text + "\n").encode("utf-8"))


def _write_file(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {out!r}: {exc.strerror or exc}") from None
