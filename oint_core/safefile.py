"""The one way oint reads and writes files of its own under the user's directories (caches).

Such a folder may hold what someone else planted: a symlink to another file, a FIFO or a
device where a cache file belongs, a file left readable by all, a folder made with umask 000.
So:

- ``read_private`` opens without following a symlink and without blocking (a FIFO),
  then reads only a regular file of this user's that nobody else can write (with
  ``secret=True``: nor read), and at most ``max_bytes``. Anything else is ``None``: to a
  cache, a miss, never an error.
- ``write_private`` writes into a folder of this user's (made 0700; lax modes fixed, a
  folder of someone else's or a symlink refused), through a new temporary file with a
  random name created exclusively, never through a symlink, made 0600, flushed to disk,
  then renamed over the target in one step: a reader sees the old file or the new one.
  Whatever sat at the target (a link, a FIFO, a damaged file) is replaced, not written into.

On systems without POSIX owners (Windows) the owner and mode checks are skipped.
"""

from __future__ import annotations

import contextlib
import os
import stat

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_POSIX = hasattr(os, "geteuid")


class UnsafeFolder(OSError):
    """The folder oint would write into is not safely the user's own."""


def _owned(status: os.stat_result) -> bool:
    return not _POSIX or status.st_uid == os.geteuid()


def read_private(
    path: str | os.PathLike[str], max_bytes: int, *, secret: bool = True
) -> bytes | None:
    """The content of ``path`` if it is a small regular file safely the user's own, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        status = os.fstat(fd)
        forbidden = 0o077 if secret else 0o022
        if (
            not stat.S_ISREG(status.st_mode)
            or not _owned(status)
            or (_POSIX and status.st_mode & forbidden)
            or status.st_size > max_bytes
        ):
            return None
        chunks = []
        left = max_bytes + 1  # the size may change after fstat: never read past the cap
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return None if len(data) > max_bytes else data
    except OSError:
        return None
    finally:
        os.close(fd)


def private_folder(folder: str | os.PathLike[str]) -> None:
    """Make ``folder`` (and missing parents), and make sure it is a real folder of this
    user's that nobody else can use: 0700. Raises ``OSError`` (``UnsafeFolder``) otherwise."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    status = os.lstat(folder)
    if not stat.S_ISDIR(status.st_mode):
        raise UnsafeFolder(f"{os.fspath(folder)!r} is not a folder (a symlink?)")
    if not _owned(status):
        raise UnsafeFolder(f"{os.fspath(folder)!r} belongs to someone else")
    if _POSIX and stat.S_IMODE(status.st_mode) != 0o700:
        os.chmod(folder, 0o700, follow_symlinks=False)


def write_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` by a 0600 file holding ``data``, safely (see the module). Raises
    ``OSError`` when it cannot; callers that only cache may ignore it."""
    folder, name = os.path.split(os.fspath(path))
    private_folder(folder)
    temporary = f".{name}.{os.urandom(8).hex()}.tmp"  # not `secrets`: it loads OpenSSL
    if os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd:
        # Everything relative to the folder checked above, so it cannot be swapped meanwhile.
        dir_fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
        try:
            if not _owned(os.fstat(dir_fd)):
                raise UnsafeFolder(f"{folder!r} belongs to someone else")
            _write_new(temporary, data, dir_fd)
            try:
                os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=dir_fd)
                raise
        finally:
            os.close(dir_fd)
        return
    temporary = os.path.join(folder, temporary)
    _write_new(temporary, data, None)
    try:
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_new(name: str, data: bytes, dir_fd: int | None) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        raise
    os.close(fd)
