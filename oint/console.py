"""The ``oint`` command's entry point, kept light on purpose.

Importing the CLI (click, pluggy, oint_core) takes tens of milliseconds. A Ctrl-C in that
time used to stop an import halfway and print a traceback. So the moment this module is
loaded (by the console script, ``python -m oint`` or ``python -m oint_core``; a library
never imports it), a Ctrl-C is only noted; once the CLI is loaded, a noted one ends the
run (one line, exit 130) and Python's own handling comes back for the call itself, which
click and ``oint_core.cli`` turn into the same line and code.
"""

try:  # first of all; the C module that ``signal`` wraps in enums (costly to load here)
    import _signal as signals  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - an interpreter without it
    import signal as signals

_noted: list[int] = []


def _note(signum: int, frame: object) -> None:
    _noted.append(signum)


# Only Python's default handling is replaced: an ignored SIGINT (a background job) stays so.
_previous = signals.getsignal(signals.SIGINT)
if _previous is signals.default_int_handler:
    signals.signal(signals.SIGINT, _note)

import sys  # noqa: E402  (built in, loaded already: after the handler all the same)

EXIT_INTERRUPTED = 130  # 128 + SIGINT; oint_core.cli uses the same code


def _interrupted_unraisably(unraisable: object) -> None:
    """A Ctrl-C that lands in a callback of the import machinery is "ignored" by Python,
    which prints a traceback and carries on; for oint it ends the run like any other."""
    if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        _say_interrupted()
        import os

        os._exit(EXIT_INTERRUPTED)  # from inside a callback: no unwinding to rely on
    sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]


def _say_interrupted() -> None:
    try:  # the blank line closes the terminal's ^C echo, as click's own handling does
        sys.stderr.write("\noint: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main() -> None:
    """Run the ``oint`` command (``oint_core.cli.main``), Ctrl-C handled from the start."""
    sys.unraisablehook = _interrupted_unraisably
    try:
        from oint_core.cli import main as run

        if _previous is signals.default_int_handler:
            signals.signal(signals.SIGINT, _previous)
        if _noted:
            raise KeyboardInterrupt
        run()
    except KeyboardInterrupt:
        _say_interrupted()
        sys.exit(EXIT_INTERRUPTED)
