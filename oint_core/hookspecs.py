"""The hooks a plugin can implement. Keep this file small: add a hook only for a real need."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from .metadata import Provider

hookspec = pluggy.HookspecMarker("oint")
hookimpl = pluggy.HookimplMarker("oint")


@hookspec
def oint_providers() -> list[Provider]:
    """Return the providers this plugin adds (usually one).

    Called on every start, so it must be cheap: build metadata, import no network code.
    """


@hookspec
def oint_commands() -> list[click.Command]:
    """Return extra top-level CLI commands (for example ``sandbox``).

    Groups of the same name from several plugins are merged, so two plugins can each add
    ``oint sandbox <provider>``. Commands should import their heavy dependencies when run.
    """
