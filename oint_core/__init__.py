"""oint: one command, one library call, many web services.

The public API: ``dispatch``, the ``hookimpl`` marker, the metadata types and the errors.
Importing this package is cheap: the network stack loads on the first request.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .dispatch import CallContext, dispatch
from .errors import (
    ApiError,
    InternalError,
    OintError,
    PluginError,
    TransportError,
    UsageError,
)
from .hookspecs import hookimpl
from .metadata import Kind, Method, Param, Provider

__all__ = [
    "ApiError",
    "CallContext",
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
