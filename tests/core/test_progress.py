"""The status line: on a terminal's stderr while oint waits, pages or retries, wiped at the
end; nothing of it in a pipe or with --quiet. Real ``oint`` processes, with stderr on a
pseudo-terminal (POSIX ``pty``) or a pipe, against the CDEK sandbox over real sockets."""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import start_sandbox
from oint_core.progress import StatusLine

from .conftest import oint_command

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="pty is POSIX only")
REPO = Path(__file__).resolve().parents[2]
ORDER_FILE = REPO / "demo" / "order.json"
#: Clears a status line of any length: a carriage return, spaces, a carriage return.
WIPE = re.compile(r"\r +\r")


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str  # as the terminal (or pipe) received it; a terminal's "\r\n" read as "\n"


def on_terminal(*args: str, env: dict[str, str], columns: int = 200, limit: float = 60) -> Run:
    """``oint ARGS`` with stderr on a pseudo-terminal (``columns`` wide), stdout on a file."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [*oint_command(), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=follower,
            env={**os.environ, **env},
        )
        os.close(follower)
        received = bytearray()
        deadline = time.monotonic() + limit
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([leader], [], [], 0.5)
                if not ready:
                    if process.poll() is not None:
                        break
                    continue
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # Linux: EIO once the last holder of the terminal closed it
                    break
                if not chunk:
                    break
                received += chunk
        finally:
            os.close(leader)
            code = process.wait(timeout=10)
        out.seek(0)
        stdout = out.read().decode("utf-8")
    return Run(code, stdout, received.decode("utf-8").replace("\r\n", "\n"))


def in_pipes(*args: str, env: dict[str, str]) -> Run:
    done = subprocess.run(
        [*oint_command(), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
    )
    return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def sandbox(tmp_path: Path, **config: object) -> Iterator[dict]:
    """The environment of an ``oint`` process that uses a sandbox (and its root URL, for the
    control endpoints), while the sandbox runs."""
    with start_sandbox(SandboxConfig(**config)) as running:  # type: ignore[arg-type]
        yield {
            "OINT_CDEK_BASE_URL": running.base_url,
            "OINT_CDEK_ACCOUNT": TEST_ACCOUNT,
            "OINT_CDEK_PASSWORD": TEST_SECURE_PASSWORD,
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "_ROOT": running.root_url,
        }


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[dict]:
    """The environment of a sandbox that takes 0.6 s to process a write."""
    yield from sandbox(tmp_path, processing_delay=0.6)


@pytest.fixture
def stuck(tmp_path: Path) -> Iterator[dict]:
    """The environment of a sandbox that takes 30 s to process a write."""
    yield from sandbox(tmp_path, processing_delay=30)


@pytest.fixture
def paged(tmp_path: Path) -> Iterator[dict]:
    """The environment of a sandbox whose lists come 7 items a page."""
    yield from sandbox(tmp_path, processing_delay=0, max_page_size=7)


def status_text(stderr: str) -> str:
    """What the status line showed, line after line (the wipes taken out)."""
    return WIPE.sub("\n", stderr)


def assert_wiped(stderr: str) -> None:
    """The status line was the last thing on the terminal's line, and it was wiped."""
    assert stderr.startswith("\r")
    assert WIPE.search(stderr)
    assert WIPE.fullmatch(stderr[stderr.rindex("\r", 0, len(stderr) - 1) :])


# -- waiting ------------------------------------------------------------------------------


@POSIX_ONLY
def test_waiting_shows_a_status_line_and_wipes_it(slow: dict) -> None:
    run = on_terminal("cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", env=slow)
    assert run.code == 0, run.stderr
    created = json.loads(run.stdout)  # stdout is the result alone
    uuid = created["entity"]["uuid"]
    assert created["requests"][0]["state"] == "SUCCESSFUL"
    shown = status_text(run.stderr)
    assert f"cdek: ACCEPTED after 0 s — the CREATE request on order {uuid}" in shown
    assert "\n" not in run.stderr  # one line, rewritten: nothing scrolls
    assert_wiped(run.stderr)


@POSIX_ONLY
def test_the_status_line_is_cut_to_the_terminal_width(slow: dict) -> None:
    run = on_terminal(
        "cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", env=slow, columns=40
    )
    assert run.code == 0, run.stderr
    lines = [line for line in re.split(r"\r", run.stderr) if line.strip()]
    assert lines and all(len(line) <= 39 for line in lines)  # never wraps
    assert any(line.endswith("…") for line in lines)


@POSIX_ONLY
def test_on_80_columns_the_waiting_line_keeps_the_state(slow: dict) -> None:
    """The state comes first: a cut takes the end of the subject (the order's UUID), not
    the one word that changes."""
    run = on_terminal(
        "cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", env=slow, columns=80
    )
    assert run.code == 0, run.stderr
    lines = [line for line in status_text(run.stderr).splitlines() if "cdek" in line]
    assert lines and all(len(line) <= 79 for line in lines)
    assert all("ACCEPTED after" in line for line in lines), lines


@POSIX_ONLY
def test_an_error_line_comes_after_the_wiped_status_line(stuck: dict) -> None:
    run = on_terminal("cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", "0.5", env=stuck)
    assert run.code == 3
    assert "cdek: ACCEPTED after" in run.stderr
    # The error line starts at the terminal's first column: the status line was wiped first.
    last = run.stderr.split("\r")[-1]
    assert last.startswith("oint: error: the CREATE request on order ")
    assert last.endswith("shows it later\n")


@POSIX_ONLY
def test_quiet_shows_no_status_line(slow: dict) -> None:
    run = on_terminal(
        "cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", "--quiet", env=slow
    )
    assert run.code == 0
    assert json.loads(run.stdout)["requests"][0]["state"] == "SUCCESSFUL"
    assert run.stderr == ""


def test_in_a_pipe_nothing_of_the_status_line_appears(slow: dict) -> None:
    run = in_pipes("cdek", "CreateOrder", "--order", str(ORDER_FILE), "--wait", env=slow)
    assert run.code == 0
    assert json.loads(run.stdout)["requests"][0]["state"] == "SUCCESSFUL"
    assert run.stderr == ""


# -- paging and retries -----------------------------------------------------------------------


@POSIX_ONLY
def test_all_pages_show_the_page_being_read(paged: dict) -> None:
    run = on_terminal("cdek", "GetRegionsList", "--all", env=paged)
    assert run.code == 0, run.stderr
    regions = json.loads(run.stdout)
    assert len(regions) == 30  # 7 a page: pages 0 to 4, then an empty page 5
    shown = status_text(run.stderr)
    assert "reading /location/regions: page 0 (0 items so far)" in shown
    assert "reading /location/regions: page 4 (28 items so far)" in shown
    assert "page 5 (30 items so far)" in shown
    assert_wiped(run.stderr)


def test_all_pages_in_a_pipe_show_nothing(paged: dict) -> None:
    run = in_pipes("cdek", "GetRegionsList", "--all", env=paged)
    assert run.code == 0 and len(json.loads(run.stdout)) == 30
    assert run.stderr == ""


@POSIX_ONLY
def test_a_retry_shows_its_back_off(paged: dict) -> None:
    fault = {"kind": "http_503", "path": "/location/regions$", "count": 1}
    answer = requests.post(f"{paged['_ROOT']}/_sandbox/faults", json=fault, timeout=5)
    assert answer.status_code == 201
    run = on_terminal("cdek", "GetRegionsList", env=paged)
    assert run.code == 0, run.stderr
    assert re.search(r"cdek: status 503; retry 1 in \d+\.\d s", status_text(run.stderr))
    assert_wiped(run.stderr)


# -- --out ------------------------------------------------------------------------------------


@POSIX_ONLY
def test_out_confirms_the_bytes_written_on_a_terminal(paged: dict, tmp_path: Path) -> None:
    target = tmp_path / "regions.json"
    run = on_terminal("cdek", "GetRegionsList", "--all", "--out", str(target), env=paged)
    assert run.code == 0 and run.stdout == ""
    size = target.stat().st_size
    assert size > 1000  # shown with a thousands separator
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 30
    # After the pages' status line, wiped, the one line that stays.
    assert run.stderr.split("\r")[-1] == f"oint: wrote {size:,} bytes to {target}\n"
    assert f"{size:,}" != str(size)


def test_out_says_nothing_in_a_pipe(paged: dict, tmp_path: Path) -> None:
    target = tmp_path / "regions.json"
    run = in_pipes("cdek", "GetRegionsList", "--out", str(target), env=paged)
    assert run.code == 0 and (run.stdout, run.stderr) == ("", "")
    assert json.loads(target.read_text(encoding="utf-8"))


@POSIX_ONLY
def test_out_with_quiet_says_nothing(paged: dict, tmp_path: Path) -> None:
    target = tmp_path / "regions.json"
    run = on_terminal("cdek", "GetRegionsList", "--out", str(target), "--quiet", env=paged)
    assert run.code == 0 and run.stderr == ""
    assert target.stat().st_size > 500


# -- the helper itself ------------------------------------------------------------------------


def test_a_status_line_rewrites_itself_and_wipes_a_longer_text() -> None:
    stream = io.StringIO()  # not a terminal: 80 columns are assumed
    line = StatusLine(stream)
    line.show("a longer text")
    line.show("short")
    line.clear()
    line.clear()  # nothing more to wipe
    assert stream.getvalue() == (
        "\ra longer text" + "\rshort        \rshort" + "\r     \r"  # wiped to its own length
    )


def test_a_status_line_is_one_printable_line_cut_to_the_width() -> None:
    stream = io.StringIO()
    line = StatusLine(stream)
    line.show("two\nlines \x1b[31mred\x1b[0m " + "x" * 200)
    text = stream.getvalue()
    assert text.startswith("\rtwo lines \\u001b[31mred")  # escapes shown, not obeyed
    assert len(text) == 1 + 79 and text.endswith("…")
