"""Finding and loading plugins: entry points one by one, each inside its own guard.

A plugin that fails to import or describes itself wrongly is reported and skipped; every
other command keeps working. Set ``OINT_PLUGINS_STRICT=1`` to make such failures fatal
(useful while writing a plugin).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import pluggy

from . import hookspecs
from .entrypoints import Found, discover
from .errors import PluginError

ENTRY_POINT_GROUP = "oint.plugins"
STRICT_ENV = "OINT_PLUGINS_STRICT"


# Plain classes rather than dataclasses: these are built on every start, and each dataclass
# costs about a millisecond to create (it compiles its generated methods).


class PluginInfo:
    """A plugin that loaded."""

    def __init__(
        self,
        name: str,
        distribution: str | None,
        version: str | None,
        providers: list[str] | None = None,
    ) -> None:
        self.name = name
        self.distribution = distribution
        self.version = version
        self.providers = providers if providers is not None else []

    def __repr__(self) -> str:
        return f"PluginInfo({vars(self)!r})"


class PluginFailure:
    """A plugin that did not load or cannot be used, and why (one line)."""

    def __init__(
        self, name: str, distribution: str | None, version: str | None, error: str
    ) -> None:
        self.name = name
        self.distribution = distribution
        self.version = version
        self.error = error

    def __repr__(self) -> str:
        return f"PluginFailure({vars(self)!r})"


class LoadedPlugins:
    """The plugin manager with every plugin that loaded, and the failures."""

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        self.plugins: list[PluginInfo] = []
        self.failures: list[PluginFailure] = []

    def fail(
        self, name: str, distribution: str | None, version: str | None, exc: BaseException
    ) -> None:
        """Record a plugin that could not be used (or raise, in strict mode)."""
        failure = PluginFailure(
            name=name,
            distribution=distribution,
            version=version,
            error=" ".join(f"{type(exc).__name__}: {exc}".split()),
        )
        if _strict():
            raise PluginError(f"plugin {name!r} failed to load: {failure.error}") from exc
        self.failures.append(failure)


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes"}


def new_manager() -> pluggy.PluginManager:
    """A plugin manager with oint's hook specifications and no plugins."""
    manager = pluggy.PluginManager("oint")
    manager.add_hookspecs(hookspecs)
    return manager


def load_plugins(entry_points: Iterable[Found] | None = None) -> LoadedPlugins:
    """Build a manager and register every ``oint.plugins`` entry point that imports cleanly."""
    loaded = LoadedPlugins(manager=new_manager())
    if entry_points is None:
        entry_points = discover(ENTRY_POINT_GROUP)
    for ep in sorted(entry_points, key=lambda e: e.name):
        distribution, version = ep.distribution, ep.version
        try:
            module = ep.load()
            loaded.manager.register(module, name=ep.name)
        except Exception as exc:  # a stranger's import error must not take us down
            loaded.fail(ep.name, distribution, version, exc)
            continue
        loaded.plugins.append(PluginInfo(ep.name, distribution, version))
    _drop_unmatched_hooks(loaded)
    return loaded


def _drop_unmatched_hooks(loaded: LoadedPlugins) -> None:
    """``check_pending`` catches hook names with a typo; such a plugin is reported, not kept."""
    while True:
        try:
            loaded.manager.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = loaded.manager.get_name(exc.plugin) or "?"
            loaded.manager.unregister(exc.plugin)
            info = next((p for p in loaded.plugins if p.name == name), None)
            if info is not None:
                loaded.plugins.remove(info)
            loaded.fail(
                name,
                info.distribution if info else None,
                info.version if info else None,
                exc,
            )
