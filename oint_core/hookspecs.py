"""The hooks a plugin can implement. Keep this file small: add a hook only for a real need."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .metadata import Provider
    from .webhooks import Webhooks

hookspec = pluggy.HookspecMarker("oint")
hookimpl = pluggy.HookimplMarker("oint")


# A hook specification has no body: pluggy only reads its signature and calls the plugins'
# implementations, hence the empty-body ignores.
@hookspec
def oint_providers() -> list[Provider]:  # type: ignore[empty-body]
    """Return the providers this plugin adds (usually one).

    Called on every start, so it must be cheap: build metadata, import no network code.
    """


@hookspec
def oint_commands() -> list[click.Command]:  # type: ignore[empty-body]
    """Return extra top-level CLI commands (for example ``sandbox``).

    Groups of the same name from several plugins are merged, so two plugins can each add
    ``oint sandbox <provider>``. Commands should import their heavy dependencies when run.
    """


@hookspec(firstresult=True)
def oint_webhooks(provider: str) -> Webhooks | None:
    """Return the webhooks of ``provider`` (a ``oint_core.webhooks.Webhooks``) if it is yours
    and sends events, else None. Called only by ``oint listen``: import what it needs here.
    """
