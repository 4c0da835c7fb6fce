"""The process around a call (issue 13, item 9): a standard output that cannot be written
(a full disk, a reader that closed the pipe), ``--out`` on a full device, and Ctrl-C at any
moment of start-up. Each runs ``oint`` as a real process: these are about file descriptors
and signals, which an in-process runner does not have.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import HostileServer, oint_command, respond, run_oint

pytestmark = pytest.mark.posix  # signals, /dev/full, and run_oint (wait4)

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "tok-HOSTILE-123456"
READ, WRITE = "GetOrder", "CreateRefusal"
PATH = {
    READ: f"/orders/{ORDER}$",
    WRITE: "/refusal$",
    "GetPhotoArchive": f"/photoDocument/{ORDER}$",
}
ANSWER = {"entity": {"uuid": ORDER}, "requests": [{"state": "ACCEPTED", "errors": []}]}
LOST = "; the call itself succeeded and was processed, only its result is lost"


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and TOKEN not in stderr
    return lines[0]


@pytest.fixture
def answering(hostile: HostileServer) -> HostileServer:
    hostile.on(PATH[READ], respond(200, json.dumps(ANSWER).encode()))
    hostile.on(PATH[WRITE], respond(202, json.dumps(ANSWER).encode()))
    zip_bytes = b"PK\x05\x06" + bytes(18)
    hostile.on(PATH["GetPhotoArchive"], respond(200, zip_bytes, content_type="application/zip"))
    return hostile


@pytest.fixture
def full() -> Iterator[int]:
    """A descriptor on ``/dev/full``: every write fails with ENOSPC."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    descriptor = os.open("/dev/full", os.O_WRONLY)
    yield descriptor
    os.close(descriptor)


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader is gone: every write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    yield write_end
    os.close(write_end)


# -- a standard output that cannot be written -------------------------------------------------


@pytest.mark.parametrize("method", [READ, WRITE, "GetPhotoArchive"])
def test_a_full_standard_output_is_one_line_saying_the_call_succeeded(
    answering: HostileServer, full: int, tmp_path: Path, method: str
) -> None:
    result = run_oint("cdek", method, "--uuid", ORDER, "--token", TOKEN, tmp=tmp_path, stdout=full)
    assert result.code == 3, result.stderr
    line = one_line(result.stderr)
    assert line == (
        f"oint: error: cannot write the result to standard output: No space left on device{LOST}"
    )
    assert answering.seen(PATH[method]) == 1


def test_out_on_a_full_device_is_one_line_saying_the_call_succeeded(
    answering: HostileServer, tmp_path: Path
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    args = ("cdek", WRITE, "--uuid", ORDER, "--token", TOKEN, "--out", "/dev/full")
    result = run_oint(*args, tmp=tmp_path)
    assert result.code == 3, result.stderr
    line = one_line(result.stderr)
    assert line == (
        f"oint: error: cannot write the result to --out '/dev/full': No space left on device{LOST}"
    )
    assert result.stdout == ""
    assert answering.seen(PATH[WRITE]) == 1


@pytest.mark.parametrize("method", [READ, WRITE])
def test_a_reader_that_closed_the_pipe_ends_oint_quietly(
    answering: HostileServer, closed_pipe: int, tmp_path: Path, method: str
) -> None:
    """``oint ... | head -c0``: as a command SIGPIPE stops, quietly, exit 128 + 13."""
    args = ("cdek", method, "--uuid", ORDER, "--token", TOKEN)
    result = run_oint(*args, tmp=tmp_path, stdout=closed_pipe)
    assert result.code == 141, result.stderr
    assert result.stderr == ""
    assert answering.seen(PATH[method]) == 1


def test_an_error_body_that_cannot_be_written_still_gets_its_line(
    hostile: HostileServer, full: int, tmp_path: Path
) -> None:
    error = b'{"errors": [{"code": "v2_order_not_found", "message": "no such order"}]}'
    hostile.on(PATH[WRITE], respond(400, error))
    args = ("cdek", WRITE, "--uuid", ORDER, "--token", TOKEN)
    result = run_oint(*args, tmp=tmp_path, stdout=full)
    assert result.code == 1, result.stderr
    line = one_line(result.stderr)
    assert line.startswith("oint: error: cdek answered 400") and "v2_order_not_found" in line
    assert hostile.seen(PATH[WRITE]) == 1


# -- Ctrl-C during start-up -------------------------------------------------------------------

ENTRIES = {
    "console script": oint_command(),
    "python -m oint": [sys.executable, "-m", "oint"],
}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_ctrl_c_at_any_moment_of_start_up_is_one_line_and_exit_130(entry: str) -> None:
    """SIGINT 0-60 ms after oint's entry module is loaded, i.e. while click, pluggy and
    oint_core are being imported (about 50 ms), or later: never a traceback.

    ``-X importtime`` tells when ``oint.console`` is loaded (its line comes once it has
    run; import lines are left out of stderr below). Before it is Python's own start-up
    (the interpreter, ``site``, ``runpy``), which no code of oint's can reach (README,
    "Output and exit codes").
    """
    command = ENTRIES[entry]
    if command[0] != sys.executable:  # the console script, run as the script it is
        command = [sys.executable, *command]
    outcomes: dict[int, int] = {}
    for run in range(24):
        delay = (run % 12) * 0.005
        process = subprocess.Popen(
            [command[0], "-X", "importtime", *command[1:], "cdek", "--help"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        seen: list[bytes] = []
        for row in process.stderr:  # an import's line comes when it ends
            seen.append(row)
            if row.rpartition(b"|")[2].strip() == b"oint.console":
                break  # oint's entry module has run: its handler is in place
        # (What runs before it is Python's and the launcher's: the console script's own
        # ``import re`` in a non-editable install, ``site``, ``runpy``.)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stdout, rest = process.communicate(timeout=30)
        stderr = b"".join(seen).decode() + rest.decode()
        said = [
            line
            for line in stderr.splitlines()
            if line.strip() and not line.startswith("import time:")
        ]
        assert "Traceback" not in stderr, f"{entry}, SIGINT after {delay * 1000:.0f} ms: {stderr}"
        finished = b"Method names are case-insensitive" in stdout
        if process.returncode == 130:
            assert said == ["oint: interrupted"], stderr
        else:
            # Done before the signal came: 0, or killed by it while exiting (no word said).
            assert process.returncode in (0, -signal.SIGINT), stderr
            assert finished and said == [], stderr
        outcomes[process.returncode] = outcomes.get(process.returncode, 0) + 1
    assert outcomes.get(130, 0) >= 6, outcomes  # most signals land during start-up


# -- a Ctrl-C Python does not deliver as a KeyboardInterrupt ---------------------------------


def test_a_ctrl_c_python_reports_as_unraisable_still_ends_the_run_with_130() -> None:
    """A Ctrl-C landing in a callback of the import machinery (a module lock's weakref) is
    "ignored" by Python with a traceback on stderr, and the run went on. oint's entry point
    ends it instead: one line, exit 130. The callback is stood in for by a ``__del__``."""
    code = (
        "import oint.console as console, sys\n"
        "sys.unraisablehook = console._interrupted_unraisably\n"
        "class Lock:\n"
        "    def __del__(self):\n"
        "        raise KeyboardInterrupt\n"
        "Lock()\n"
        "print('went on')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert done.stdout == ""
    assert done.stderr.strip() == "oint: interrupted"


def test_other_unraisable_errors_keep_pythons_report() -> None:
    code = (
        "import oint.console as console, sys\n"
        "sys.unraisablehook = console._interrupted_unraisably\n"
        "class Broken:\n"
        "    def __del__(self):\n"
        "        raise ValueError('in a finaliser')\n"
        "Broken()\n"
        "print('went on')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "went on\n"
    assert "ValueError: in a finaliser" in done.stderr


INTERRUPTED_IMPORT = """
import click
from oint_core import Kind, Method, Param, Provider, hookimpl


def wrapped():
    # What Python raises when a Ctrl-C lands while an import creates a class.
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise RuntimeError("Error calling __set_name__ on 'cached_property' instance") from exc


def ping(ctx):
    wrapped()


@click.command("stalled")
def stalled():
    wrapped()


@hookimpl
def oint_providers():
    return [Provider("stall", "Stalls", (Method("Ping", "Pings", "G", ping, ()),))]


@hookimpl
def oint_commands():
    return [stalled]
"""


@pytest.mark.parametrize("args", [["stall", "Ping"], ["stalled"]])
def test_a_ctrl_c_python_wrapped_in_another_error_is_still_an_interrupt(
    tmp_path: Path, args: list[str]
) -> None:
    """Not "internal error … exit 1": in a method's call and in any command alike."""
    from oint_core.testing import write_plugin_distribution

    folder = write_plugin_distribution(
        tmp_path / "site",
        distribution="oint-stall",
        modules={"oint_stall.py": INTERRUPTED_IMPORT},
        entry_points={"stall": "oint_stall"},
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]),
    }
    env["OINT_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [*oint_command(), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "oint: interrupted"
