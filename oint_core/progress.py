"""A status line on a terminal: what a long call is doing (waiting, paging, retrying).

One line on standard error, rewritten in place with ``\\r`` and cleared when the call ends,
so nothing of it stays in the terminal's scroll-back and nothing of it reaches a pipe or a
file: the CLI makes a ``StatusLine`` only when stderr is a terminal and ``--quiet`` is not
given. A method reports through ``CallContext.progress``; a library call has no status line
(its ``progress`` is a no-op).

Other stderr lines (warnings, ``--debug``) call ``clear()`` first, so that a line never
lands in the middle of the status text.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .output import printable

#: Columns assumed when the terminal does not say (a fresh pseudo-terminal says 0).
DEFAULT_COLUMNS = 80

_active: StatusLine | None = None


class StatusLine:
    """One line on ``stream`` (a terminal), rewritten with ``\\r``, never wrapped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._shown = 0  # characters on the line now

    def _columns(self) -> int:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        return columns or DEFAULT_COLUMNS

    def show(self, text: str) -> None:
        """Replace the line with ``text`` (one line, printable, cut to the terminal's width
        less one column: a line that wraps cannot be rewritten with ``\\r``)."""
        line = printable(" ".join(text.split()))
        width = self._columns() - 1
        if len(line) > width:
            line = line[: max(width - 1, 0)] + "…"
        padding = " " * max(self._shown - len(line), 0)  # wipe the rest of a longer line
        self._write(f"\r{line}{padding}\r{line}" if padding else f"\r{line}")
        self._shown = len(line)

    def clear(self) -> None:
        """Wipe the line and put the cursor back at its start (nothing if nothing is shown)."""
        if self._shown:
            self._write("\r" + " " * self._shown + "\r")
            self._shown = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: the call goes on without it
            self._shown = 0


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether a status line belongs on ``stream`` (stderr): a terminal, and not ``--quiet``."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


def start(stream: TextIO | None = None) -> StatusLine:
    """Make the process's status line (on stderr by default) the active one."""
    global _active
    clear()
    _active = StatusLine(sys.stderr if stream is None else stream)
    return _active


def clear() -> None:
    """Wipe the active status line, if any: before another stderr line, or at the end."""
    if _active is not None:
        _active.clear()


def stop() -> None:
    """Wipe the active status line and forget it."""
    global _active
    clear()
    _active = None
