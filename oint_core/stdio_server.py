"""``oint server stdio``: one command per input line, one JSON answer per output line.

A line is what follows ``oint`` on a command line (``cdek GetOrder --uuid … --testapi``),
split as a POSIX shell splits it; the CLI's own parser runs it (``cli.ServedCommands``, given
to ``serve`` as ``run``), so a line means exactly what the same ``oint`` command means. The
process stays up between lines: connections and tokens stay warm (the process-wide HTTP
session and token caches).

Every answer is one compact JSON line (``outcomes.succeeded`` / ``outcomes.failed``), flushed
at once, optionally followed by a separator line (OPI's ``--sprt``). A bad line is an
answer, never the end of the server; blank lines are skipped; end of input ends it (exit 0).
Standard output carries answers only: while a line runs, anything else written to it goes
to standard error.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any

from .errors import InternalError, OintError, UsageError, interrupted, one_line
from .outcomes import failed, succeeded

#: The longest line read (bytes); a longer one is skipped and answered with a usage error.
MAX_LINE = 16 * 1024 * 1024
#: Exit status when the reader of the answers closed its end (128 + SIGPIPE, as the CLI).
EXIT_PIPE_CLOSED = 141
#: Exit status after a Ctrl-C (128 + SIGINT, as the CLI).
EXIT_INTERRUPTED = 130

# Characters JSON leaves unescaped that some line readers (Python's str.splitlines) take
# for line breaks: escaped, so that an answer is always exactly one line for every reader.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}

Runner = Callable[[Sequence[str]], Any]


def answer(run: Runner, line: str) -> dict[str, Any]:
    """The answer record for one non-blank line; never raises but for a Ctrl-C."""
    try:
        args = shlex.split(line)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        return failed(UsageError(f"cannot split the line as a shell would: {exc}"))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout is for answers only
            return succeeded(run(args))
    except OintError as exc:
        return failed(exc, body=True)
    except Exception as exc:  # a bug: one line, and the call may have been made
        if interrupted(exc):
            raise KeyboardInterrupt from None
        error = InternalError(f"internal error: {type(exc).__name__}: {one_line(str(exc))}")
        error.sent = "unknown"
        return failed(error)


def encode(record: dict[str, Any]) -> str:
    """``record`` as one compact JSON line (without its newline); UTF-8 text as is, unless
    it holds a lone surrogate, which only an escape can carry."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:  # not JSON (NaN, an object): say so, as one line
        error = InternalError(f"internal error: the result is not JSON: {one_line(str(exc))}")
        error.sent = "unknown"
        text = json.dumps(failed(error), separators=(",", ":"))
    for char, escape in _LINE_BREAKS.items():
        text = text.replace(char, escape)
    return text


def serve(
    run: Runner,
    *,
    separator: str | None = None,
    stdin: IO[bytes] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Answer ``stdin``'s lines on ``stdout`` (default: the process's) until end of input;
    the exit status: 0, ``EXIT_INTERRUPTED`` after a Ctrl-C (nothing printed), or
    ``EXIT_PIPE_CLOSED`` when the reader went away."""
    source = stdin if stdin is not None else sys.stdin.buffer
    sink = stdout if stdout is not None else sys.stdout
    try:
        return _loop(run, source, sink, "" if separator is None else separator + "\n")
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _loop(run: Runner, source: IO[bytes], sink: IO[str], tail: str) -> int:
    while True:
        raw = source.readline(MAX_LINE + 1)
        if not raw:
            return 0
        record = _record(run, source, raw)
        if record is None:
            continue
        try:
            sink.write(encode(record) + "\n" + tail)
            sink.flush()
        except (BrokenPipeError, ValueError):  # the reader closed its end (or stdout is gone)
            _mute(sink)
            return EXIT_PIPE_CLOSED


def _record(run: Runner, source: IO[bytes], raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
        while (rest := source.readline(MAX_LINE)) and not rest.endswith(b"\n"):
            pass  # skip the rest of the line
        return failed(UsageError(f"the line is longer than {MAX_LINE} bytes"))
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return failed(UsageError(f"the line is not UTF-8 text (byte {exc.start})"))
    if not line.strip():
        return None
    return answer(run, line)


def _mute(sink: IO[str]) -> None:
    """Point the sink's descriptor at the null device, so that the exit's flush cannot fail."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sink.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass
