"""Clients for library users: one provider, one account and environment, its own state.

>>> with oint_core.connect("cdek", account=ACCOUNT, password=PASSWORD, testapi=True) as cdek:
...     cdek.create_refusal(uuid=ORDER_UUID)      # or cdek.call("CreateRefusal", uuid=...)

A client's settings are the provider's settings by their profile key names (for CDEK
``token``, ``account``, ``password``, ``base_url``, ``testapi``: the keys of a
``[profile.NAME.cdek]`` table, each standing for ``OINT_CDEK_<KEY>``). A setting is read from
what was given to ``connect``, then the environment, then the profile (chosen when the client
is made: ``profile``, else ``OINT_PROFILE``, else the config file's default), then the
parameter's default. Every call goes through ``call_method``, as ``dispatch`` and the CLI do,
so binding, errors and redaction are the same; what differs is the state: each client has
its own HTTP session (connection pool, cookies) and its own token cache, so two clients in one
process never share either.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .context import CallOptions, check_retries, check_timeout
from .dispatcher import call_method, check_profile, check_wait, own_wait
from .errors import UsageError
from .profiles import ENVIRONMENT, Settings, _text, env_name, settings_for
from .state import ClientState

if TYPE_CHECKING:
    from types import TracebackType

    from oint_cdek.client import CdekClient

    from .metadata import Method, Param, Provider
    from .registry import Registry

#: What a setting given to ``connect`` may be (as in a profile); None means "not given".
SettingValue = str | bool | int | float
_C = TypeVar("_C", bound="BaseClient")


class ClientSettings(Settings):
    """A client's settings: what was given to ``connect`` (by profile key), then the
    environment and the profile, as every call reads them (``Settings``).

    A setting given as ``""`` is unset for this client, whatever the environment or the
    profile say (``token=""``: use the account, never an ``OINT_CDEK_TOKEN`` around).
    """

    def __init__(
        self, provider: str, given: Mapping[str, SettingValue], base: Settings = ENVIRONMENT
    ) -> None:
        super().__init__(provider, base.selection, base.table, base.path)
        self.given = {env_name(provider, key): (key, _text(value)) for key, value in given.items()}

    def env(self, name: str) -> str | None:
        if name in self.given:
            return self.given[name][1] or None
        return super().env(name)

    def label(self, name: str) -> str:
        if name in self.given:
            return f"{self.given[name][0]} (given to connect)"
        return super().label(name)


class BaseClient:
    """A provider bound to one account and environment: ``call(method, **params)``, and
    ``close()`` (or ``with``). See ``connect``.

    Typed clients (``oint_cdek.client.CdekClient``) add one method per provider method to
    this class in their type stubs; at run time ``Client`` finds them by name.
    """

    def __init__(
        self,
        provider: str,
        profile: str | None = None,
        *,
        settings: Mapping[str, SettingValue | None] | None = None,
        registry: Registry | None = None,
    ) -> None:
        if registry is None:
            from .registry import default_registry

            registry = default_registry()
        self._registry = registry
        self._provider: Provider = registry.provider(provider)
        name = self._provider.name
        given = {k: v for k, v in (settings or {}).items() if v is not None}
        self._check_settings(given)
        base = settings_for(
            self._provider,
            None,
            None if profile is None else check_profile(profile),
            "parameter profile of connect",
        )
        #: Where the client's calls read their settings from (``ClientSettings``).
        self.settings = ClientSettings(name, given, base)
        self._state = ClientState(f"{name} client")
        # The parameters the client holds (the provider's context_params, e.g. CDEK's token
        # and test_api): settings of the client, not of a call.
        self._held = self._provider.context_params

    @property
    def provider(self) -> str:
        """The provider's name (``"cdek"``)."""
        return self._provider.name

    @property
    def profile(self) -> str | None:
        """The profile of the config file the client reads settings from, if any."""
        return self.settings.selection.name if self.settings.selection else None

    @property
    def closed(self) -> bool:
        return self._state.closed

    def call(
        self,
        method: str,
        /,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        wait: float | bool | None = None,
        **params: Any,
    ) -> Any:
        """Call ``method`` (``"CreateRefusal"`` or ``"create_refusal"``) with keyword
        parameters, as ``dispatch`` does, with this client's settings, session and tokens.

        ``timeout`` bounds the whole call in seconds, retries included; ``retries`` caps the
        retries of the core's policy (0 disables them); ``wait``, for a write the service
        processes later, as ``dispatch`` takes it. Raises ``UsageError``, ``ApiError`` or
        ``TransportError`` (all ``OintError``).
        """
        found = self._registry.method(self.provider, method)
        return self._call(found, params, timeout, retries, wait)

    def _call(
        self,
        method: Method,
        params: Mapping[str, Any],
        timeout: Any,
        retries: Any,
        wait: Any = None,
    ) -> Any:
        for given in params:
            param = _param_named(method, given)
            if param is not None and param.keyword in self._held:
                key = self._setting_key(param)
                raise UsageError(
                    f"{method.name}: {given} is a setting of the client, not of a call: give"
                    f" {key}= to connect({self.provider!r}, ...), or use another client"
                )
        params, wait = own_wait(method, params, wait)
        options = CallOptions(
            timeout=None if timeout is None else check_timeout(timeout),
            retries=None if retries is None else check_retries(retries),
            wait=check_wait(wait),
        )
        if self._state.closed:  # before anything is bound or sent
            raise UsageError(f"this {self.provider} client is closed; connect() a new one")
        return call_method(
            self._provider,
            method,
            params,
            options=options,
            settings=self.settings,
            state=self._state,
        )

    def forget_tokens(self) -> None:
        """Drop what the client's providers hold between calls (its tokens): the next call
        fetches a new one. For a server that forgot them (a sandbox reset)."""
        self._state.forget()

    def close(self) -> None:
        """Close the client's connections and forget its tokens; later calls are refused."""
        self._state.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # The keys given, never their values: a token or password must not show.
        given = ",".join(sorted(key for key, _ in self.settings.given.values())) or "-"
        how = "closed" if self.closed else "open"
        return f"<{self.provider} client profile={self.profile!r} settings given: {given} ({how})>"

    # -- helpers ---------------------------------------------------------------------------

    def _setting_key(self, param: Param) -> str:
        """The setting key standing for a parameter (``test_api`` -> ``testapi``)."""
        prefix = env_name(self.provider, "")
        if param.env and param.env.startswith(prefix):
            return param.env[len(prefix) :].lower()
        return param.keyword

    def _methods_or_none(self) -> list[Method] | None:
        try:
            return self._registry.methods(self.provider)
        except Exception:  # a provider whose methods cannot load says so when one is called
            return None

    def _check_settings(self, given: Mapping[str, Any]) -> None:
        """Refuse a setting that is not text, a number or a boolean, and, when the provider
        lists its settings, one it does not know (a typo would be silently ignored)."""
        for key, value in given.items():
            if isinstance(value, (str, bool, int, float)):
                continue
            raise UsageError(
                f"connect({self.provider!r}): setting {key} is a {type(value).__name__};"
                " give text, a number or true/false"
            )
        if not self._provider.settings or set(given) <= set(self._provider.settings):
            return  # nothing to check, or nothing to look up among the parameters
        known = self._known_settings()
        unknown = sorted(set(given) - known)
        if unknown:
            hints = [
                f"{key} (did you mean {close[0]}?)"
                if (close := difflib.get_close_matches(key, sorted(known), n=1))
                else key
                for key in unknown
            ]
            raise UsageError(
                f"connect({self.provider!r}): unknown setting {', '.join(hints)}"
                f" (settings: {', '.join(sorted(known))})"
            )

    def _known_settings(self) -> set[str]:
        """The provider's setting keys, or empty when it declares none (then any is taken)."""
        if not self._provider.settings:
            return set()
        known = set(self._provider.settings)
        prefix = env_name(self.provider, "")
        for method in self._methods_or_none() or ():
            known.update(
                self._setting_key(p) for p in method.params if (p.env or "").startswith(prefix)
            )
        return known


class Client(BaseClient):
    """A ``BaseClient`` whose provider methods are also attributes by snake_case name:
    ``client.create_refusal(uuid=...)`` is ``client.call("CreateRefusal", uuid=...)``."""

    def __getattr__(self, name: str) -> BoundMethod:
        if name.startswith("_"):  # copy, pickle and IDEs probe dunders: never a method
            raise AttributeError(name)
        try:
            method = self._registry.method(self.provider, name)
        except UsageError:
            names = [m.python_name for m in self._methods_or_none() or ()]
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise AttributeError(
                f"{self.provider} has no method {name!r}{hint}"
                f" (all of them: dir(client), or oint {self.provider} --help)",
                name=name,
                obj=self,
            ) from None
        bound = BoundMethod(self, method)
        self.__dict__[name] = bound  # found once per name
        return bound

    def __dir__(self) -> list[str]:
        names = {m.python_name for m in self._methods_or_none() or ()}
        return sorted(set(super().__dir__()) | names)


class BoundMethod:
    """One provider method of a client: call it with keyword parameters (and ``timeout``,
    ``retries``)."""

    def __init__(self, client: BaseClient, method: Method) -> None:
        self._client = client
        self._method = method
        self.__name__ = method.python_name
        self.__qualname__ = f"{client.provider}.{method.python_name}"
        self.__doc__ = f"{method.summary}\n\nReturns: {method.returns}"

    def __call__(
        self,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        wait: float | bool | None = None,
        **params: Any,
    ) -> Any:
        return self._client._call(self._method, params, timeout, retries, wait)

    @property
    def __signature__(self) -> inspect.Signature:
        """Keyword-only parameters from the metadata, for ``help()`` and IDEs."""
        held = self._client._held
        keyword = inspect.Parameter.KEYWORD_ONLY
        params = [
            inspect.Parameter(
                p.keyword, keyword, default=inspect.Parameter.empty if p.required else p.default
            )
            for p in self._method.params
            if p.keyword not in held
        ]
        if self._method.waits is not None:
            params.append(inspect.Parameter("wait", keyword, default=None))
        params += [
            inspect.Parameter("timeout", keyword, default=None),
            inspect.Parameter("retries", keyword, default=None),
        ]
        return inspect.Signature(params)

    def __repr__(self) -> str:
        return f"<method {self._method.name} of {self._client!r}>"


def _param_named(method: Method, given: str) -> Param | None:
    for p in method.params:
        if given in (p.keyword, p.alias):
            return p
    return None


# The built-in provider's client is typed (its stub is generated from the metadata); the
# overlap with the general form is intended: "cdek" is also a str.
@overload
def connect(  # type: ignore[overload-overlap]
    provider: Literal["cdek"],
    profile: str | None = None,
    *,
    token: str | None = None,
    account: str | None = None,
    password: str | None = None,
    base_url: str | None = None,
    testapi: bool | str | None = None,
) -> CdekClient: ...


@overload
def connect(
    provider: str, profile: str | None = None, **settings: SettingValue | None
) -> Client: ...


def connect(
    provider: str, profile: str | None = None, **settings: SettingValue | None
) -> BaseClient:
    """A client of ``provider`` bound to one account and environment.

    >>> cdek = connect("cdek", account=ACCOUNT, password=PASSWORD, testapi=True)
    >>> cdek.create_refusal(uuid=ORDER_UUID)

    ``settings`` are the provider's settings by their profile key names (CDEK: ``token``,
    ``account``, ``password``, ``base_url``, ``testapi``); a setting not given comes from the
    environment (``OINT_CDEK_ACCOUNT``...), then from ``profile`` (else ``OINT_PROFILE``'s,
    else the config file's default), then the default. ``""`` unsets one for this client.
    The client has its own connections and tokens; ``close()`` it, or use it in ``with``.
    Raises ``UsageError`` for an unknown provider, profile or setting.
    """
    return Client(provider, profile, settings=settings)
