"""What one call of a method has besides its own parameters: options, HTTP, the environment.

``CallOptions`` are the core's options of a call (``--timeout``, ``--debug``…); a method
function gets a ``CallContext`` as its first argument and reaches through it everything that
is not one of its own parameters: the HTTP client, warnings, redaction, the environment, and
the values of the parameters its provider's plumbing reads (``Provider.context_params``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import notices

if TYPE_CHECKING:
    from .http import HttpClient
    from .metadata import Method
    from .redact import Redactor

Style = Literal["cli", "python"]


class CallOptions(NamedTuple):
    """Core options of one call, the same on every method (``--timeout``, ``--debug``).

    A NamedTuple rather than a dataclass: built on every start, it should cost nothing.
    """

    timeout: float | None = None
    retries: int | None = None
    debug: Callable[[str], None] | None = None
    # The CLI sets this when bytes would land on a terminal: such a call is refused
    # before anything is sent.
    refuse_binary: bool = False
    #: Seconds to wait, after a write, until the service has processed it (``--wait``):
    #: only for a method that declares how (``Method.waits``). None: no waiting.
    wait: float | None = None
    #: Where status text goes (the CLI's status line on a terminal); None: nowhere.
    progress: Callable[[str], None] | None = None


class CallContext:
    """What a method function gets besides its parameters: HTTP, the environment, redaction,
    and (``values``) every parameter's checked value, its own and its provider's plumbing's."""

    def __init__(
        self,
        provider: str,
        method: Method,
        options: CallOptions,
        redactor: Redactor,
        style: Style = "python",
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.provider = provider
        self.method = method
        self.options = options
        self.redactor = redactor
        # "cli" for a one-shot process (providers may persist state such as tokens on disk),
        # "python" for a library caller (state stays in memory).
        self.style = style
        #: Every parameter of the call by keyword, checked and converted (read-only).
        self.values: Mapping[str, Any] = MappingProxyType(dict(values or {}))
        # The deadline counts from here, not from the first request (which may come after
        # a wait, e.g. for another thread's token fetch).
        self.started = time.monotonic()

    @cached_property
    def http(self) -> HttpClient:
        from .http import HttpClient  # the network stack loads with the first request

        return HttpClient(
            service=self.provider,
            redactor=self.redactor,
            timeout=self.options.timeout,
            retries=self.options.retries,
            debug=self.options.debug,
            started=self.started,
            progress=self.progress if self.options.progress is not None else None,
        )

    def progress(self, text: str) -> None:
        """Say what the call is doing now ("waiting for cdek (3 s): order … ACCEPTED"):
        one status line on a terminal, rewritten by the next; nothing elsewhere (a pipe, a
        library call, ``--quiet``). Secrets are masked."""
        if self.options.progress is not None:
            self.options.progress(self.redactor(text))

    def warn(self, message: str) -> None:
        """Report something the caller should see although the call succeeded.

        Goes through ``notices``: the CLI prints it as one stderr line (stdout keeps the
        result unchanged); a library process gets it from the ``oint`` logger.
        """
        notices.warn(f"{self.provider} {self.method.name}: {self.redactor(message)}")

    @staticmethod
    def env(name: str) -> str | None:
        """An environment variable, with empty treated as unset."""
        value = os.environ.get(name, "").strip()
        return value or None
