"""The one call path, shared by the CLI and the library: look up, coerce, check, call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .coerce import coerce
from .context import CallContext, CallOptions, Style
from .errors import InternalError, OintError, UsageError
from .metadata import WAIT, Method, Param, Provider
from .redact import Redactor

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


def check_wait(value: Any) -> float | None:
    """The caller's ``wait``: None or False (no waiting), True (``waiting.DEFAULT_WAIT``
    seconds), or a number of seconds checked as a timeout is."""
    if value is None or value is False:
        return None
    if value is True:
        from .waiting import DEFAULT_WAIT

        return DEFAULT_WAIT
    return check_timeout(value, "wait")


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
    provider: Provider,
    method: Method,
    given: Mapping[str, Any],
    *,
    style: Style = "python",
    options: CallOptions | None = None,
) -> Any:
    """Run ``method`` with the caller's values; the CLI and ``dispatch`` both end here."""
    options = options or CallOptions()
    if options.wait is not None and method.waits is None:
        raise UsageError(
            f"{method.name} does not wait: only a write its provider knows how to follow"
            " takes wait (see its documentation)"
        )
    values = bind(method, given, style)
    if options.refuse_binary and method.returns_binary(values):
        raise UsageError(
            f"{method.name} returns a binary file here; give --out FILE to save it"
            " (or redirect standard output)"
        )
    redactor = secrets_of(method, values)
    ctx = CallContext(provider.name, method, options, redactor, style, values)
    # The provider's plumbing (e.g. a token) reads its parameters from ctx.values; the
    # function gets only its own.
    own = {k: v for k, v in values.items() if k not in provider.context_params}
    try:
        answer = method.function(ctx, **own)
        if options.wait is None or method.waits is None:
            return answer
        return method.waits(ctx, answer, options.wait)
    except OintError:
        raise
    except Exception as exc:  # a bug in a method: keep one line, never a secret
        raise InternalError(
            redactor(f"{provider.name} {method.name} failed: {type(exc).__name__}: {exc}")
        ) from exc


def dispatch(
    provider: str,
    method: str,
    /,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    wait: float | bool | None = None,
    **params: Any,
) -> Any:
    """Call ``provider``'s ``method`` with keyword parameters, as the CLI would.

    >>> dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER_UUID, test_api=True)

    Method names match case-insensitively and in snake_case (``create_refusal``).
    ``timeout`` bounds the whole call in seconds, retries included; ``retries`` caps the
    retries of the core's policy (0 disables them). ``wait``, for a write the service
    processes later: seconds to wait until it has (``True``: 60), then the entity as its
    read method returns it; the timeout still bounds the whole call. For a method with a
    ``wait`` parameter of its own (CDEK's PrintReceipt), ``wait`` is that parameter.
    Raises ``UsageError``, ``ApiError`` or ``TransportError`` (all ``OintError``).
    """
    from .registry import default_registry

    registry = default_registry()
    found = registry.method(provider, method)
    if wait is not None and any(p.keyword == WAIT for p in found.params):
        params[WAIT] = wait  # the method's own wait (metadata.WAIT)
        wait = None
    options = CallOptions(
        timeout=None if timeout is None else check_timeout(timeout),
        retries=None if retries is None else check_retries(retries),
        wait=check_wait(wait),
    )
    return call_method(registry.provider(provider), found, params, options=options)
