"""What one call of a method has besides its own parameters: options, HTTP, the environment.

``CallOptions`` are the core's options of a call (``--timeout``, ``--debug``…); a method
function gets a ``CallContext`` as its first argument and reaches through it everything that
is not one of its own parameters: the HTTP client, warnings, redaction, the environment, and
the values of the parameters its provider's plumbing reads (``Provider.context_params``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import notices
from .errors import UsageError
from .profiles import Settings, environ

if TYPE_CHECKING:
    from .http import HttpClient
    from .metadata import Method
    from .redact import Redactor
    from .state import ClientState

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
    # OPI's --test: prepare the first request, send nothing (``dryrun.WouldSend`` carries it).
    dry_run: bool = False
    # OPI's --config settings: an http(s) proxy for this call's requests, and the result as
    # ``{status, headers, body}`` instead of the body.
    proxy: str | None = None
    adv_response: bool = False
    # The profile of the config file to read settings from (``--profile``); None: the one
    # ``OINT_PROFILE`` names, else the file's ``default``.
    profile: str | None = None
    #: Seconds to wait, after a write, until the service has processed it (``--wait``):
    #: only for a method that declares how (``Method.waits``). None: no waiting.
    wait: float | None = None
    #: Where status text goes (the CLI's status line on a terminal); None: nowhere.
    progress: Callable[[str], None] | None = None


#: The largest ``timeout`` (seconds) and ``retries`` a call takes: beyond them a value is a
#: typo, and an unbounded one (``inf``) would overflow the socket layer after sending.
MAX_TIMEOUT = 86_400.0
MAX_RETRIES = 20


def check_timeout(value: Any, name: str = "timeout") -> float:
    """``value`` as a timeout in seconds: a finite number, 0 < value <= one day; else a
    ``UsageError`` naming ``name``. The one check for the CLI and the library."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{name}: {value!r} is not a number of seconds")
    seconds = float(value)
    if not 0 < seconds <= MAX_TIMEOUT:  # also false for NaN
        raise UsageError(
            f"{name}: {value!r} is not a number of seconds above 0 and at most {MAX_TIMEOUT:g}"
        )
    return seconds


def check_retries(value: Any, name: str = "retries") -> int:
    """``value`` as a retry count: a whole number from 0 to ``MAX_RETRIES``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise UsageError(f"{name}: {value!r} is not a whole number from 0 to {MAX_RETRIES}")
    return value


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
        settings: Settings | None = None,
        state: ClientState | None = None,
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
        #: The environment and the selected profile of the config file (``profiles``).
        self.settings = settings
        #: The client making the call (``oint_core.connect``): its session and providers'
        #: state; None for ``dispatch`` and the CLI (process-wide session and caches).
        self.client_state = state
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
            dry_run=self.options.dry_run,
            proxy=self.options.proxy,
            progress=self.progress if self.options.progress is not None else None,
            session=None if self.client_state is None else self.client_state.session(),
        )

    def progress(self, text: str) -> None:
        """Say what the call is doing now ("cdek: ACCEPTED after 3 s — the CREATE request on
        order …"): one status line on a terminal, rewritten by the next; nothing elsewhere (a
        pipe, a library call, ``--quiet``). Secrets are masked."""
        if self.options.progress is not None:
            self.options.progress(self.redactor(text))

    @property
    def provider_state(self) -> dict[str, Any] | None:
        """What the provider's plumbing keeps between calls of this call's client (a token
        cache), or None without a client: then it keeps its process-wide state."""
        if self.client_state is None:
            return None
        return self.client_state.provider(self.provider)

    def warn(self, message: str) -> None:
        """Report something the caller should see although the call succeeded.

        Goes through ``notices``: the CLI prints it as one stderr line (stdout keeps the
        result unchanged); a library process gets it from the ``oint`` logger.
        """
        notices.warn(f"{self.provider} {self.method.name}: {self.redactor(message)}")

    def env(self, name: str) -> str | None:
        """A setting by its environment variable's name: the environment (empty is unset),
        else the selected profile's value for it (``OINT_CDEK_BASE_URL`` <- the profile's
        ``[profile.NAME.cdek] base_url``)."""
        if self.settings is not None:
            return self.settings.env(name)
        return environ(name)
