"""The one call path, shared by the CLI and the library: look up, coerce, check, call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .coerce import coerce
from .context import (  # the checks live with the options they check
    MAX_RETRIES as MAX_RETRIES,
)
from .context import (
    MAX_TIMEOUT as MAX_TIMEOUT,
)
from .context import (
    CallContext,
    CallOptions,
    Style,
)
from .context import (
    check_retries as check_retries,
)
from .context import (
    check_timeout as check_timeout,
)
from .errors import InternalError, OintError, Sent, UsageError, interrupted
from .metadata import WAIT, Method, Param, Provider
from .profiles import ENVIRONMENT, Settings, settings_for
from .redact import Redactor

if TYPE_CHECKING:
    from .state import ClientState


def check_profile(value: Any) -> str:
    """``value`` as a profile name: non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"profile: {value!r} is not a profile name")
    return value.strip()


def check_wait(value: Any) -> float | None:
    """The caller's ``wait``: None or False (no waiting), True (``waiting.DEFAULT_WAIT``
    seconds), or a number of seconds checked as a timeout is."""
    if value is None or value is False:
        return None
    if value is True:
        from .waiting import DEFAULT_WAIT

        return DEFAULT_WAIT
    return check_timeout(value, "wait")


def own_wait(method: Method, params: Mapping[str, Any], wait: Any) -> tuple[dict[str, Any], Any]:
    """A library caller's ``wait``: for a method with a ``wait`` parameter of its own (CDEK's
    PrintReceipt, which waits by itself), that parameter, with the core's meaning of True
    (``waiting.DEFAULT_WAIT`` seconds) and False (not given); else the core's waiting."""
    if wait is not None and any(p.keyword == WAIT for p in method.params):
        if wait is True:
            from .waiting import DEFAULT_WAIT

            wait = DEFAULT_WAIT
        return {**params, WAIT: None if wait is False else wait}, None
    return dict(params), wait


def _label(param: Param, style: Style) -> str:
    return param.option if style == "cli" else param.keyword


def bind(
    method: Method,
    given: Mapping[str, Any],
    style: Style,
    settings: Settings = ENVIRONMENT,
) -> dict[str, Any]:
    """Map the caller's names onto parameters, then check and convert every value.

    Accepts each parameter by its keyword (``test_api``) or its CLI name (``testapi``);
    ``None`` means "not given". A parameter not given is read by its ``Param.env`` name from
    ``settings`` (the environment, then the selected profile), else takes its default.
    Raises ``UsageError`` before anything is sent.
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
        elif p.env and (setting := settings.env(p.env)) is not None:
            values[p.keyword] = coerce(p, setting, label=settings.label(p.env))
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
    settings: Settings | None = None,
    state: ClientState | None = None,
) -> Any:
    """Run ``method`` with the caller's values; the CLI, ``dispatch`` and clients all end here.

    A client gives its own ``settings`` (its profile was chosen when it was made) and
    ``state`` (its session and token cache); without them, the call reads the profile of
    ``options.profile`` and uses the process-wide session and caches.
    """
    options = options or CallOptions()
    if options.wait is not None and method.waits is None:
        raise UsageError(
            f"{method.name} does not wait: only a write its provider knows how to follow"
            " takes wait (see its documentation)"
        )
    if settings is None:
        how = "option --profile" if style == "cli" else "parameter profile"
        settings = settings_for(provider, method, options.profile, how)
    values = bind(method, given, style, settings)
    if options.refuse_binary and method.returns_binary(values):
        raise UsageError(
            f"{method.name} returns a binary file here; give --out FILE to save it"
            " (or redirect standard output)"
        )
    redactor = secrets_of(method, values)
    ctx = CallContext(provider.name, method, options, redactor, style, values, settings, state)
    # The provider's plumbing (e.g. a token) reads its parameters from ctx.values; the
    # function gets only its own.
    own = {k: v for k, v in values.items() if k not in provider.context_params}
    try:
        result = method.function(ctx, **own)
        if options.wait is not None and method.waits is not None:
            result = method.waits(ctx, result, options.wait)
    except OintError as exc:
        exc.sent = _sent(ctx)
        raise
    except Exception as exc:  # a bug in a method: keep one line, never a secret
        if interrupted(exc):  # a Ctrl-C Python wrapped while a lazy import made a class
            raise KeyboardInterrupt from None
        error = InternalError(
            redactor(f"{provider.name} {method.name} failed: {type(exc).__name__}: {exc}")
        )
        error.sent = _sent(ctx)
        raise error from exc
    if options.adv_response:  # --config's adv_response: status and headers with the body
        from .callconfig import advanced

        return advanced(ctx, result)
    return result


def _sent(ctx: CallContext) -> Sent:
    """What the failed call did at the service, from its HTTP client (none: nothing sent)."""
    http = ctx.__dict__.get("http")  # a cached_property: present once a request was made
    return "no" if http is None else http.sent()


def dispatch(
    provider: str,
    method: str,
    /,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    profile: str | None = None,
    wait: float | bool | None = None,
    **params: Any,
) -> Any:
    """Call ``provider``'s ``method`` with keyword parameters, as the CLI would.

    >>> dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER_UUID, test_api=True)

    Method names match case-insensitively and in snake_case (``create_refusal``).
    ``timeout`` bounds the whole call in seconds, retries included; ``retries`` caps the
    retries of the core's policy (0 disables them). ``profile`` names the profile of the
    config file whose settings fill in what is not given (as ``--profile``; without it,
    ``OINT_PROFILE``, else the file's ``default``). ``wait``, for a write the service
    processes later: seconds to wait until it has (``True``: 60), then the entity as its
    read method returns it; the timeout still bounds the whole call. For a method with a
    ``wait`` parameter of its own (CDEK's PrintReceipt), ``wait`` is that parameter.
    Raises ``UsageError``, ``ApiError`` or ``TransportError`` (all ``OintError``).
    """
    from .registry import default_registry

    registry = default_registry()
    found = registry.method(provider, method)
    params, wait = own_wait(found, params, wait)
    options = CallOptions(
        timeout=None if timeout is None else check_timeout(timeout),
        retries=None if retries is None else check_retries(retries),
        profile=None if profile is None else check_profile(profile),
        wait=check_wait(wait),
    )
    return call_method(registry.provider(provider), found, params, options=options)
