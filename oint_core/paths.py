"""Where oint keeps files of its own: the user's cache and config directories, never the
installed package.

``platformdirs`` names those directories on every platform, but importing it costs more than
the rest of ``oint --help`` (it pulls in ``tempfile``, ``shutil`` and compression modules). On
Linux and the BSDs the answer is the XDG rule, cheap to compute here: ``$XDG_CACHE_HOME``
(``$XDG_CONFIG_HOME``) when it is an absolute path, else ``~/.cache`` (``~/.config``). The
tests check that this agrees with platformdirs. Elsewhere (macOS, Windows) platformdirs
answers. ``OINT_CACHE_DIR``, when it is an absolute path, is the cache folder itself on every
platform: test fixtures point it at a private folder.
"""

from __future__ import annotations

import os
import sys

APP = "oint"
CACHE_DIR_ENV = "OINT_CACHE_DIR"


def user_cache_dir() -> str | None:
    """oint's folder in the user's cache directory (not created here), or None when the user
    has no home folder to put it in: then nothing is cached, rather than cached somewhere
    relative to wherever oint happens to run."""
    override = os.environ.get(CACHE_DIR_ENV, "")
    if os.path.isabs(override):
        return override
    return _user_dir("XDG_CACHE_HOME", ".cache", "user_cache_dir")


def user_config_dir() -> str | None:
    """oint's folder in the user's config directory (``config.toml`` lives there), or None
    when the user has no home folder."""
    return _user_dir("XDG_CONFIG_HOME", ".config", "user_config_dir")


def _user_dir(variable: str, fallback: str, platformdirs_function: str) -> str | None:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get(variable, "")
        if not os.path.isabs(base):
            home = _home()
            if home is None:
                return None
            base = os.path.join(home, fallback)
        return os.path.join(base, APP)
    import platformdirs

    try:
        found: str = getattr(platformdirs, platformdirs_function)(APP, appauthor=False)
    except RuntimeError:  # platformdirs 4 when no home folder can be found
        return None
    return found if os.path.isabs(found) else None


def _home() -> str | None:
    """``$HOME`` if it is an absolute path, else the account's home folder (as platformdirs
    does), else None."""
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return home
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return None
    return home if os.path.isabs(home) else None
