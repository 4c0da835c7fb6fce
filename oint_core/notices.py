"""Warnings for the person running oint: one line each, wherever they should go.

The CLI sends them to stderr (``oint: warning: …``); a library process gets them through
the ``oint`` logger. ``logging`` is imported only when a warning is actually emitted, which
keeps it off the start-up path.
"""

from __future__ import annotations

from collections.abc import Callable

_sink: Callable[[str], None] | None = None


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Route warnings to ``sink`` (the CLI's stderr writer), or back to logging with None."""
    global _sink
    _sink = sink


def sink() -> Callable[[str], None] | None:
    """Where warnings go now (None: logging)."""
    return _sink


def warn(message: str) -> None:
    if _sink is not None:
        _sink(message)
        return
    import logging

    logging.getLogger("oint").warning("%s", message)
