"""Rendering results: JSON that reads well in a terminal and stays exact in a pipe."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError

# A UTF-16 surrogate alone: JSON's "\ud83d" parses to one, and no UTF-8 stream takes it.
# Control characters (ESC starts a terminal escape sequence: a server could retitle or
# repaint the user's terminal) and the bidi overrides that make text read reversed are
# written as escapes too; tab and newline stay.
_SURROGATE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def to_json(value: Any) -> str:
    """Indented UTF-8 JSON; Cyrillic stays readable instead of ``\\uXXXX``.

    A lone surrogate (a server's ``"\\ud83d"`` without its pair) is written back as that
    escape: the output stays the same JSON value, and printable as UTF-8.
    """
    return printable(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def printable(text: str) -> str:
    """``text`` with each lone surrogate, control character (but tab and newline) and bidi
    override written as its ``\\uXXXX`` escape: what reaches a terminal is only text."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: Ends every "result could not be written" line: the call is not what failed.
_LOST = "; the call itself succeeded and was processed, only its result is lost"


def write_result(value: Any, out: str | None) -> None:
    """Write a result to ``out`` (a path) or stdout; bytes are written as they are.

    A write that fails (a full disk, a closed pipe) raises ``OutputError``, after which
    standard output is pointed at the null device, so that nothing fails again at exit.
    """
    binary = isinstance(value, (bytes, bytearray))
    if binary and out is None and sys.stdout.isatty():
        raise UsageError("the result is binary; give --out FILE to save it")
    text = "" if binary else to_json(value) + "\n"
    if out is not None:
        _write_file(out, bytes(value) if binary else text.encode("utf-8"))
        return
    if binary:
        _to_stdout(lambda: sys.stdout.buffer.write(value), binary=True)
    else:
        write_stdout(text)


def write_stdout(text: str) -> None:
    """``text`` on standard output, or ``OutputError`` (standard output muted after it)."""
    _to_stdout(lambda: sys.stdout.write(text))


def _to_stdout(write: Callable[[], object], binary: bool = False) -> None:
    try:
        if binary:
            sys.stdout.flush()  # text written before goes first
        write()
        (sys.stdout.buffer if binary else sys.stdout).flush()
    except OSError as exc:
        _mute_stdout()
        raise OutputError(
            f"cannot write the result to standard output: {exc.strerror or exc}{_LOST}",
            errno=exc.errno,
        ) from None


def _mute_stdout() -> None:
    """Point file descriptor 1 at the null device: what is still buffered goes there at
    exit instead of failing again (Python's own advice for a closed pipe)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no real descriptor (a test's capture): nothing to mute
        pass


def _write_file(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:  # checked before the call; this is a failure after it succeeded
        raise OutputError(
            f"cannot write the result to --out {out!r}: {exc.strerror or exc}{_LOST}",
            errno=exc.errno,
        ) from None


def media_type(data: bytes) -> str:
    """The MIME type of a file a method returned, from its first bytes."""
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "application/octet-stream"
