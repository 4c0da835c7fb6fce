"""A local emulator of the CDEK API v2 (moto-style), for offline runs and tests.

Start one in-process with ``start_sandbox()`` (a context manager giving ``.base_url``), or
from a shell with ``python3 -m oint_cdek.sandbox.server --port 8080``. What it emulates, the
error codes it answers and its ``/_sandbox/`` control endpoints are described in
``docs/sandbox.md``; ``app`` is the WSGI app and re-exports the names other code imports.

Names are re-exported lazily: importing this package must not import werkzeug, so the CLI
and the provider stay fast and work without the sandbox's dependencies.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SandboxApp": "app",
    "SandboxConfig": "app",
    "create_app": "app",
    "RunningSandbox": "server",
    "serve": "server",
    "start_sandbox": "server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
