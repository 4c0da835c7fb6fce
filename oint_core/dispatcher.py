"""The one call path, shared by the CLI and the library: look up, coerce, check, call."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import notices
from .coerce import coerce
from .errors import InternalError, OintError, UsageError
from .metadata import Method, Param
from .redact import Redactor

if TYPE_CHECKING:
    from .http import HttpClient

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
    """What a method function gets besides its parameters: HTTP, the environment, redaction."""

    def __init__(
        self,
        provider: str,
        method: Method,
        options: CallOptions,
        redactor: Redactor,
        style: Style = "python",
    ) -> None:
        self.provider = provider
        self.method = method
        self.options = options
        self.redactor = redactor
        # "cli" for a one-shot process (providers may persist state such as tokens on disk),
        # "python" for a library caller (state stays in memory).
        self.style = style
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
        )

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


def _label(param: Param, style: Style) -> str:
    return param.option if style == "cli" else param.keyword


def bind(method: Method, given: Mapping[str, Any], style: Style) -> dict[str, Any]:
    """Map the caller's names onto parameters, then check and convert every value.

    Accepts each parameter by its keyword (``test_api``) or its CLI name (``testapi``);
    ``None`` means "not given". Raises ``UsageError`` before anything is sent.
    """
    by_name: dict[str, Param] = {}
    for p in method.params:
        by_name[p.keyword] = p
        by_name.setdefault(p.alias, p)
    raw: dict[str, tuple[str, Any]] = {}
    for key, value in given.items():
        param = by_name.get(key)
        if param is None:
            known = ", ".join(p.keyword for p in method.params) or "none"
            raise UsageError(f"{method.name} has no parameter {key!r} (parameters: {known})")
        if value is None:
            continue
        if param.keyword in raw:
            raise UsageError(f"{method.name}: {param.keyword!r} given twice (as {key!r})")
        raw[param.keyword] = (_label(param, style), value)

    values: dict[str, Any] = {}
    missing: list[str] = []
    for p in method.params:
        if p.keyword in raw:
            label, value = raw[p.keyword]
            values[p.keyword] = coerce(p, value, label=label)
        elif p.env and CallContext.env(p.env) is not None:
            values[p.keyword] = coerce(p, CallContext.env(p.env), label=p.env)
        elif p.required:
            hint = f" (or set {p.env})" if p.env else ""
            missing.append(f"{_label(p, style)}{hint}")
        else:
            values[p.keyword] = p.default
    if missing:
        noun = "option" if style == "cli" else "parameter"
        plural = "s" if len(missing) > 1 else ""
        raise UsageError(f"{method.name}: missing required {noun}{plural}: {', '.join(missing)}")
    return values


def secrets_of(method: Method, values: Mapping[str, Any]) -> Redactor:
    """A redactor that knows the values of the method's parameters marked secret."""
    return Redactor(
        str(values[p.keyword]) for p in method.params if p.secret and values.get(p.keyword)
    )


def call_method(
    provider: str,
    method: Method,
    given: Mapping[str, Any],
    *,
    style: Style = "python",
    options: CallOptions | None = None,
) -> Any:
    """Run ``method`` with the caller's values; the CLI and ``dispatch`` both end here."""
    options = options or CallOptions()
    values = bind(method, given, style)
    if options.refuse_binary and method.returns_binary(values):
        raise UsageError(
            f"{method.name} returns a binary file here; give --out FILE to save it"
            " (or redirect standard output)"
        )
    redactor = secrets_of(method, values)
    ctx = CallContext(provider, method, options, redactor, style)
    try:
        return method.function(ctx, **values)
    except OintError:
        raise
    except Exception as exc:  # a bug in a method: keep one line, never a secret
        raise InternalError(
            redactor(f"{provider} {method.name} failed: {type(exc).__name__}: {exc}")
        ) from exc


def dispatch(
    provider: str,
    method: str,
    /,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    **params: Any,
) -> Any:
    """Call ``provider``'s ``method`` with keyword parameters, as the CLI would.

    >>> dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER_UUID, test_api=True)

    Method names match case-insensitively and in snake_case (``create_refusal``).
    ``timeout`` bounds the whole call in seconds, retries included; ``retries`` caps the
    retries of the core's policy (0 disables them).
    Raises ``UsageError``, ``ApiError`` or ``TransportError`` (all ``OintError``).
    """
    from .registry import default_registry

    registry = default_registry()
    found = registry.method(provider, method)
    options = CallOptions(
        timeout=None if timeout is None else check_timeout(timeout),
        retries=None if retries is None else check_retries(retries),
    )
    return call_method(registry.provider(provider).name, found, params, options=options)
