"""Collects the providers plugins offer, checks them, and finds methods by name."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from . import notices
from .errors import PluginError, UsageError
from .metadata import Method, Provider, validate_method
from .plugins import LoadedPlugins, PluginInfo

_PROVIDER_NAME = re.compile(r"[a-z][a-z0-9_-]*")


def _fold(name: str) -> str:
    """The form names are compared in: case-insensitive, snake_case accepted."""
    return name.replace("_", "").replace("-", "").lower()


class Registry:
    """Providers by name, and their methods, loaded when the provider is first asked for."""

    def __init__(self, loaded: LoadedPlugins | None = None) -> None:
        self.loaded = loaded
        self._providers: dict[str, Provider] = {}
        self._owners: dict[str, str] = {}
        self._methods: dict[str, dict[str, Method]] = {}
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
        self._providers[provider.name] = provider
        self._owners[provider.name] = owner

    def _collect(self, loaded: LoadedPlugins) -> None:
        infos = {info.name: info for info in loaded.plugins}
        for impl in loaded.manager.hook.oint_providers.get_hookimpls():
            info = infos.get(impl.plugin_name) or PluginInfo(impl.plugin_name, None, None)
            try:
                offered = list(impl.function() or [])
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
        return list(self._method_table(provider).values())

    def method(self, provider: str, name: str) -> Method:
        table = self._method_table(provider)
        found = table.get(_fold(name))
        if found is None:
            raise UsageError(
                f"unknown method {name!r} for provider {self.provider(provider).name!r}"
                f" (see: oint {self.provider(provider).name} --help)"
            )
        return found

    def _method_table(self, provider_name: str) -> dict[str, Method]:
        provider = self.provider(provider_name)
        with self._lock:
            table = self._methods.get(provider.name)
            if table is None:
                table = self._load_methods(provider)
                self._methods[provider.name] = table
        return table

    @staticmethod
    def _load_methods(provider: Provider) -> dict[str, Method]:
        try:
            methods = provider.load_methods()
        except Exception as exc:
            raise PluginError(
                f"provider {provider.name!r} could not load its methods:"
                f" {type(exc).__name__}: {exc}"
            ) from exc
        table: dict[str, Method] = {}
        for method in methods:
            validate_method(provider.name, method)
            key = _fold(method.name)
            if key in table:
                raise PluginError(f"{provider.name}: method {method.name} is defined twice")
            table[key] = method
        return table


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
