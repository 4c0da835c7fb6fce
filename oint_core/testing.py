"""Helpers for testing oint and provider plugins: throwaway plugin distributions, CLI runs.

A plugin is found through ``importlib.metadata`` entry points; a folder on ``sys.path``
holding ``<name>-<version>.dist-info/entry_points.txt`` is a complete, installed-looking
distribution, so tests exercise the very path a published plugin takes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .plugins import ENTRY_POINT_GROUP
from .registry import Registry, reset_default_registry

if TYPE_CHECKING:
    from click.testing import Result


def write_plugin_distribution(
    folder: Path,
    *,
    distribution: str,
    modules: Mapping[str, str],
    entry_points: Mapping[str, str],
    version: str = "1.0",
) -> Path:
    """Write modules and a ``.dist-info`` into ``folder``; ``folder`` on ``sys.path`` installs it.

    ``modules`` maps module file names (``my_plugin.py``) to their source; ``entry_points``
    maps plugin names to ``module`` or ``module:attr`` in the ``oint.plugins`` group.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for filename, source in modules.items():
        target = folder / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run_cli(
    args: Sequence[str],
    env: Mapping[str, str | None] | None = None,
    registry: Registry | None = None,
) -> Result:
    """Run ``oint ARGS`` in-process with click's ``CliRunner``; plugins are rediscovered first.

    ``registry`` (``Registry.from_providers([...])``) replaces the installed plugins' providers
    for this run; it travels as click's context object, so nothing global is touched.
    Returns click's ``Result`` (``exit_code``, ``stdout``, ``stderr``).
    """
    from click.testing import CliRunner

    from .cli import cli

    reset_default_registry()
    runner = CliRunner()
    return runner.invoke(cli, list(args), env=dict(env or {}), catch_exceptions=False, obj=registry)
