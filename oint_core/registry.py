"""Collects the providers plugins offer, checks them, and finds methods by name."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from . import notices
from .errors import PluginError, UsageError
from .metadata import Method, Provider, validate_method
from .plugins import LoadedPlugins, PluginInfo

_PROVIDER_NAME = re.compile(r"[a-z][a-z0-9_-]*")
T = TypeVar("T")


def _fold(name: str) -> str:
    """The form names are compared in: case-insensitive, snake_case accepted."""
    return name.replace("_", "").replace("-", "").lower()


class Registry:
    """Providers by name, and their methods, loaded when the provider is first asked for."""

    def __init__(self, loaded: LoadedPlugins | None = None) -> None:
        self.loaded = loaded
        self._providers: dict[str, Provider] = {}
        self._owners: dict[str, str] = {}
        # Loaded methods, by folded name: the whole provider, or one indexed module at a time.
        self._tables: dict[str, dict[str, Method]] = {}
        self._modules: dict[tuple[str, str], dict[str, Method]] = {}
        self._indexes: dict[str, dict[str, str]] = {}
        self._checked: set[int] = set()
        self._releases: dict[str, str] = {}  # plugin name -> "distribution version"
        self._lock = threading.Lock()
        if loaded is not None:
            self._collect(loaded)

    @classmethod
    def from_providers(cls, providers: Iterable[Provider], owner: str = "test") -> Registry:
        """A registry holding exactly these providers (for tests and embedding)."""
        registry = cls()
        for provider in providers:
            registry.add(provider, owner)
        return registry

    def add(self, provider: Provider, owner: str) -> None:
        if not isinstance(provider, Provider):
            raise PluginError(
                f"plugin {owner!r} returned {type(provider).__name__}, not a Provider"
            )
        if not _PROVIDER_NAME.fullmatch(provider.name):
            raise PluginError(f"plugin {owner!r}: provider name {provider.name!r} is not lowercase")
        if provider.name in self._providers:
            raise PluginError(
                f"plugin {owner!r}: provider {provider.name!r} is already"
                f" registered by {self._owners[provider.name]!r}"
            )
        if provider.index is not None:
            self._indexes[provider.name] = _index_by_method(provider, owner)
        self._providers[provider.name] = provider
        self._owners[provider.name] = owner

    def _collect(self, loaded: LoadedPlugins) -> None:
        infos = {info.name: info for info in loaded.plugins}
        for info in loaded.plugins:
            if info.distribution:
                self._releases[info.name] = f"{info.distribution} {info.version or ''}".strip()
        for impl in loaded.manager.hook.oint_providers.get_hookimpls():
            info = infos.get(impl.plugin_name) or PluginInfo(impl.plugin_name, None, None)
            try:
                # A hook implementation is typed as returning object; add() checks each item.
                offered = list(cast("Iterable[Provider]", impl.function() or []))
                for provider in offered:
                    self.add(provider, impl.plugin_name)
            except Exception as exc:
                for name in [n for n, o in self._owners.items() if o == impl.plugin_name]:
                    del self._providers[name], self._owners[name]
                if info in loaded.plugins:
                    loaded.plugins.remove(info)
                loaded.fail(info.name, info.distribution, info.version, exc)
                continue
            info.providers = [p.name for p in offered]

    def verify_methods(self) -> None:
        """Load every provider's methods; a plugin whose methods cannot load becomes a failure.

        ``oint plugins`` runs this, so a plugin that imports but whose method modules do not
        is reported there rather than looking healthy.
        """
        if self.loaded is None:
            return
        for info in list(self.loaded.plugins):
            for name in list(info.providers):
                try:
                    self.methods(name)
                except Exception as exc:  # whatever a plugin did, it is reported, not raised
                    self.loaded.plugins.remove(info)
                    self.loaded.fail(info.name, info.distribution, info.version, exc)
                    break

    # -- lookups ---------------------------------------------------------------------------

    @property
    def provider_names(self) -> list[str]:
        return sorted(self._providers)

    def provider(self, name: str) -> Provider:
        found = self._providers.get(name) or self._providers.get(name.lower())
        if found is None:
            known = ", ".join(self.provider_names) or "none installed"
            raise UsageError(f"unknown provider {name!r} (available: {known})")
        return found

    def methods(self, provider: str) -> list[Method]:
        """Every method of ``provider``, each checked; imports all of its method modules."""
        found = self.provider(provider)
        with self._lock:
            table = self._tables.get(found.name)
            if table is None:
                table = self._guarded(
                    found, "its methods", lambda: self._table(found, found.load_methods())
                )
                self._tables[found.name] = table
            for method in table.values():
                self._check(found, method)
        return list(table.values())

    def method(self, provider: str, name: str) -> Method:
        """One method, found case-insensitively; with a method index, only its module loads."""
        found = self.provider(provider)
        key = _fold(name)
        with self._lock:
            method = self._lookup(found, key)
            if method is None:
                raise UsageError(
                    f"unknown method {name!r} for provider {found.name!r}"
                    f" (see: oint {found.name} --help)"
                )
            self._check(found, method)
        return method

    def _lookup(self, provider: Provider, key: str) -> Method | None:
        table = self._tables.get(provider.name)
        if table is not None:
            return table.get(key)
        if provider.index is None:  # the methods come all at once
            table = self._guarded(
                provider, "its methods", lambda: self._table(provider, provider.load_methods())
            )
            return self._tables.setdefault(provider.name, table).get(key)
        module = self._indexes[provider.name].get(key)
        if module is None:
            return None
        cache_key = (provider.name, module)
        if cache_key not in self._modules:
            self._modules[cache_key] = self._guarded(
                provider, module, lambda: self._table(provider, provider.load_module(module))
            )
        return self._modules[cache_key].get(key)

    @staticmethod
    def _table(provider: Provider, methods: Iterable[Method]) -> dict[str, Method]:
        table: dict[str, Method] = {}
        for method in methods:
            if not isinstance(method, Method) or not isinstance(method.name, str):
                raise PluginError(f"{method!r} is not a Method with a name")
            key = _fold(method.name)
            if key in table:
                raise PluginError(f"method {method.name} is defined twice")
            table[key] = method
        return table

    def _check(self, provider: Provider, method: Method) -> None:
        """Validate a method once, when it is first used: a call pays for its own method only."""
        if id(method) not in self._checked:
            self._guarded(
                provider, f"method {method.name}", lambda: validate_method(provider, method)
            )
            self._checked.add(id(method))

    def _guarded(self, provider: Provider, what: str, load: Callable[[], T]) -> T:
        """Run a plugin's loader or check; anything it raises (a plugin's import error, or a
        record built wrongly) becomes one PluginError line naming the plugin to look at."""
        try:
            return load()
        except Exception as exc:
            error = str(exc) if isinstance(exc, PluginError) else f"{type(exc).__name__}: {exc}"
            raise PluginError(
                f"provider {provider.name!r} could not load {what}"
                f"{self._origin(provider)}: {' '.join(error.split())}"
            ) from exc

    def _origin(self, provider: Provider) -> str:
        """`` (plugin 'cdek' from oint 0.1.0)``: where a broken provider came from."""
        owner = self._owners.get(provider.name)
        release = self._releases.get(owner or "")
        return f" (plugin {owner!r} from {release})" if release else ""


def _index_by_method(provider: Provider, owner: str) -> dict[str, str]:
    """Folded method name -> its module, from a provider's method index, checked whole."""
    by_method: dict[str, str] = {}
    for module, names in (provider.index or {}).items():
        if (
            not isinstance(module, str)
            or not isinstance(names, (tuple, list))
            or not all(isinstance(name, str) for name in names)
        ):
            raise PluginError(
                f"plugin {owner!r}: provider {provider.name!r} has a method index that does not"
                " map module names to tuples of method names"
            )
        for name in names:
            if _fold(name) in by_method:
                raise PluginError(
                    f"plugin {owner!r}: provider {provider.name!r} indexes {name} twice"
                )
            by_method[_fold(name)] = module
    return by_method


_default: Registry | None = None
_default_lock = threading.Lock()


def default_registry() -> Registry:
    """The registry of every installed plugin, built once per process."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from .plugins import load_plugins

                registry = Registry(load_plugins())
                for failure in registry.loaded.failures if registry.loaded else []:
                    notices.warn(f"plugin {failure.name!r} failed to load: {failure.error}")
                _default = registry
    return _default


def reset_default_registry() -> None:
    """Forget the cached registry, so the next use rediscovers plugins (tests, reloads)."""
    global _default
    with _default_lock:
        _default = None
