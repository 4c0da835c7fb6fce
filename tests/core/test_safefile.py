"""Files oint keeps under the user's directories (the CDEK token cache, the entry-point
cache) against what someone may have planted there: symlinks, FIFOs, devices, lax modes,
damaged or oversized files, files of another user. An unsafe or damaged cache is a miss,
never an error, never a hang; what oint writes is 0600 in a 0700 folder, never through a
link."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from oint_cdek import auth
from oint_core import entrypoints
from oint_core.safefile import read_private, write_private
from oint_core.testing import run_cli

pytestmark = pytest.mark.posix  # file modes, symlinks, and run_oint (wait4)

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX files")

ACCOUNT, PASSWORD = "account-1", "password-12345"
FRESH_TOKEN = "tok-fetched-just-now-1234567890"
PLANTED_TOKEN = "tok-planted-by-someone-else-0987"


@pytest.fixture
def token_server(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[HTTPServer]:
    cache = tmp_path / "cache"
    for name, value in {
        "OINT_CDEK_BASE_URL": httpserver.url_for("/v2"),
        "OINT_CDEK_ACCOUNT": ACCOUNT,
        "OINT_CDEK_PASSWORD": PASSWORD,
        "XDG_CACHE_HOME": str(cache),
    }.items():
        monkeypatch.setenv(name, value)
    auth.forget_tokens()
    httpserver.expect_request("/v2/oauth/token", method="POST").respond_with_json(
        {"access_token": FRESH_TOKEN, "token_type": "bearer", "expires_in": 3600}
    )
    httpserver.expect_request("/v2/location/regions").respond_with_json([{"region": "R"}])
    yield httpserver
    auth.forget_tokens()


def cache_path() -> Path:
    path = auth.token_file(auth.cache_key(ACCOUNT, os.environ["OINT_CDEK_BASE_URL"].rstrip("/")))
    assert path is not None
    return path


def token_fetches(server: HTTPServer) -> int:
    return sum(1 for request, _ in server.log if request.path.endswith("/oauth/token"))


def planted_record() -> bytes:
    return json.dumps({"access_token": PLANTED_TOKEN, "expires_at": time.time() + 3600}).encode()


def run_oint(*args: str, timeout: float = 30, memory: int | None = None) -> tuple[int, str, str]:
    """``oint ARGS`` in a child process (a hang or memory blow-up must not take the suite)."""

    def limit() -> None:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    done = subprocess.run(
        [sys.executable, "-m", "oint_core", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=dict(os.environ),
        preexec_fn=limit,
    )
    return done.returncode, done.stdout, done.stderr


def assert_private(path: Path) -> None:
    status = path.lstat()
    assert stat.S_ISREG(status.st_mode)
    assert stat.S_IMODE(status.st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["access_token"] == FRESH_TOKEN
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # ours


def regions() -> tuple[int, str]:
    result = run_cli(["cdek", "GetRegionsList", "--retries", "0"])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


# -- writing ---------------------------------------------------------------------------------


def test_a_symlink_planted_at_the_temporary_path_is_not_followed(
    token_server: HTTPServer, tmp_path: Path
) -> None:
    """The old temporary name was ``<key>.<pid>.tmp``: predictable, and opened through links."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    for pid in {os.getpid(), *range(os.getpid() - 2, os.getpid() + 3)}:
        (path.with_suffix(f".{pid}.tmp")).symlink_to(victim)
    assert regions() == (0, "")
    assert victim.read_text() == "precious\n"
    assert_private(path)
    assert token_fetches(token_server) == 1


def test_a_symlink_at_the_cache_path_is_a_miss_and_is_replaced(
    token_server: HTTPServer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(planted_record())
    elsewhere.chmod(0o600)
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.symlink_to(elsewhere)
    assert regions() == (0, "")
    assert token_fetches(token_server) == 1  # the planted token was not used
    assert_private(path)
    assert json.loads(elsewhere.read_bytes())["access_token"] == PLANTED_TOKEN


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o666, 0o777])
def test_a_cache_file_with_lax_modes_is_a_miss_and_is_rewritten_0600(
    token_server: HTTPServer, mode: int
) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(planted_record())
    path.chmod(mode)
    assert regions() == (0, "")
    assert token_fetches(token_server) == 1
    assert_private(path)


@pytest.mark.parametrize("mode", [0o755, 0o777, 0o711])
def test_a_lax_cache_folder_is_made_0700(token_server: HTTPServer, mode: int) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True)
    path.parent.chmod(mode)
    assert regions() == (0, "")
    assert_private(path)


def test_with_umask_000_the_cache_is_still_private(token_server: HTTPServer) -> None:
    old = os.umask(0)
    try:
        assert regions() == (0, "")
    finally:
        os.umask(old)
    assert_private(cache_path())


def test_a_cache_folder_that_is_a_symlink_is_not_written_into(
    token_server: HTTPServer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o777)
    elsewhere.chmod(0o777)
    path = cache_path()
    path.parent.parent.mkdir(parents=True)
    path.parent.symlink_to(elsewhere)
    assert regions() == (0, "")  # the call works; the token is simply not cached
    assert list(elsewhere.iterdir()) == []
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o777


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_cache_file_of_another_user_is_a_miss(token_server: HTTPServer) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(planted_record())
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    assert regions() == (0, "")
    assert token_fetches(token_server) == 1
    assert path.stat().st_uid == os.geteuid()
    assert_private(path)


# -- reading ---------------------------------------------------------------------------------


DAMAGED = {
    "not-json": b"\x00\xff garbage",
    "deeply-nested": b"[" * 100_000,
    "a-list": b"[1, 2]",
    "empty-token": json.dumps({"access_token": "", "expires_at": time.time() + 3600}).encode(),
    "infinite-expiry": b'{"access_token": "tok-planted-forever", "expires_at": 1e999}',
    "too-large": b'{"access_token": "' + b"x" * 200_000 + b'", "expires_at": 9e9}',
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_cache_is_a_miss_and_is_replaced(
    token_server: HTTPServer, content: bytes
) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(content)
    path.chmod(0o600)
    for _ in range(2):  # the first call repairs the cache, the second uses it
        assert regions() == (0, "")
    assert token_fetches(token_server) == 1
    assert_private(path)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom"])
def test_a_fifo_or_device_at_the_cache_path_neither_hangs_nor_eats_memory(
    token_server: HTTPServer, kind: str
) -> None:
    path = cache_path()
    path.parent.mkdir(parents=True, mode=0o700)
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    else:
        path.symlink_to("/dev/" + kind.removeprefix("dev-"))
    started = time.monotonic()
    code, stdout, stderr = run_oint(
        "cdek", "GetRegionsList", "--timeout", "10", "--retries", "0", memory=1 << 30
    )
    assert time.monotonic() - started < 20  # before: hung (FIFO) or filled memory (devices)
    assert code == 0, stderr
    assert stderr == "" and json.loads(stdout) == [{"region": "R"}]
    assert token_fetches(token_server) == 1
    assert_private(path)


# -- the entry-point cache goes through the same helper ---------------------------------------


def test_a_fifo_at_the_entry_point_cache_does_not_hang_oint_help() -> None:
    path = entrypoints.cache_file()
    assert path is not None
    os.makedirs(os.path.dirname(path), mode=0o700)
    os.mkfifo(path, 0o600)
    code, stdout, stderr = run_oint("--help", timeout=20)
    assert code == 0, stderr
    assert "cdek" in stdout
    assert stat.S_ISREG(os.lstat(path).st_mode)
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600


def test_a_symlink_at_the_entry_point_temporary_path_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = entrypoints.cache_file()
    assert path is not None
    os.makedirs(os.path.dirname(path), mode=0o777)
    os.chmod(os.path.dirname(path), 0o777)
    # The child's pid is unknown in advance: plant the whole likely range.
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc").is_dir() else 0
    base = os.getpid()
    for pid in range(base, min(base + 400, pid_max or base + 400)):
        os.symlink(victim, f"{path}.{pid}.tmp")
    code, _, stderr = run_oint("--help", timeout=20)
    assert code == 0, stderr
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


# -- the helper itself -----------------------------------------------------------------------


def test_read_private_caps_the_size_and_refuses_what_others_can_write(tmp_path: Path) -> None:
    path = tmp_path / "f"
    write_private(path, b"12345")
    assert read_private(path, 5) == b"12345"
    assert read_private(path, 4) is None
    path.chmod(0o644)
    assert read_private(path, 5) is None  # a secret others can read
    assert read_private(path, 5, secret=False) == b"12345"
    path.chmod(0o664)
    assert read_private(path, 5, secret=False) is None  # others can write it
    assert read_private(tmp_path / "absent", 5) is None
    assert read_private(tmp_path, 5) is None  # a folder
