"""oint: one command, one library call, many web services.

The public API: ``dispatch``, the ``hookimpl`` marker, the metadata types and the errors.
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
    from .context import CallContext
    from .dispatcher import dispatch


def __getattr__(name: str) -> Any:
    # dispatch (and with it coercion) loads when first used, so that plugins importing the
    # metadata types at start-up do not pay for it.
    if name in ("dispatch", "CallContext"):
        import importlib

        module = importlib.import_module(
            ".dispatcher" if name == "dispatch" else ".context", __name__
        )
        globals()[name] = value = getattr(module, name)  # later lookups skip this hook
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ApiError",
    "CallContext",
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
    "dispatch",
    "hookimpl",
]
