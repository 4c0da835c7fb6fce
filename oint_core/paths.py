"""Where oint keeps files of its own: the user's cache directory, never the installed package.

``platformdirs`` names that directory on every platform, but importing it costs more than the
rest of ``oint --help`` (it pulls in ``tempfile``, ``shutil`` and compression modules). On Linux
and the BSDs the answer is the XDG rule, cheap to compute here: ``$XDG_CACHE_HOME`` when it is
an absolute path, else ``~/.cache``. The tests check that this agrees with platformdirs.
Elsewhere (macOS, Windows) platformdirs answers.
"""

from __future__ import annotations

import os
import sys

APP = "oint"


def user_cache_dir() -> str:
    """oint's folder in the user's cache directory (not created here)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):
            base = os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, APP)
    import platformdirs

    return platformdirs.user_cache_dir(APP, appauthor=False)
