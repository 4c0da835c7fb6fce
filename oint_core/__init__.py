"""oint: one command, one library call, many web services.

The public API: ``connect`` (a client), ``dispatch``, ``batch`` (many calls at once), the
``hookimpl`` marker, the metadata types and the errors.
Importing this package is cheap: the network stack loads on the first request.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .errors import (
    ApiError,
    InternalError,
    OintError,
    PluginError,
    TransportError,
    UsageError,
)
from .hookspecs import hookimpl
from .metadata import ExampleRun, Kind, Method, Param, Provider

if TYPE_CHECKING:
    from .batching import batch
    from .client import BaseClient, Client, connect
    from .context import CallContext
    from .dispatcher import dispatch

_LAZY = {
    "batch": ".batching",
    "dispatch": ".dispatcher",
    "CallContext": ".context",
    "connect": ".client",
    "Client": ".client",
    "BaseClient": ".client",
}


def __getattr__(name: str) -> Any:
    # dispatch and connect (and with them coercion) load when first used, so that plugins
    # importing the metadata types at start-up do not pay for them.
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        globals()[name] = value = getattr(module, name)  # later lookups skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ApiError",
    "BaseClient",
    "CallContext",
    "Client",
    "ExampleRun",
    "InternalError",
    "Kind",
    "Method",
    "OintError",
    "Param",
    "PluginError",
    "Provider",
    "TransportError",
    "UsageError",
    "__version__",
    "batch",
    "connect",
    "dispatch",
    "hookimpl",
]
