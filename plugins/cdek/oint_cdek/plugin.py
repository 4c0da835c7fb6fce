"""The hook implementations: what oint learns about CDEK at start-up.

Only metadata is built here; method modules are imported when the ``cdek`` provider is
first used, and the sandbox's HTTP toolkit only when the sandbox runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oint_core import Provider, hookimpl

if TYPE_CHECKING:
    import click

from .params import GROUPS


def _load_methods() -> tuple:
    from .methods import METHODS

    return METHODS


def _examples():  # noqa: ANN202 - a context manager; imported only by `oint docs build`
    from .docs_examples import examples

    return examples()


PROVIDER = Provider(
    name="cdek",
    summary="CDEK delivery service, REST API v2 (OpenIntegrations-compatible)",
    methods=_load_methods,
    groups=GROUPS,
    examples=_examples,
)


@hookimpl
def oint_providers() -> list[Provider]:
    return [PROVIDER]


@hookimpl
def oint_commands() -> list[click.Command]:
    from .commands import sandbox

    return [sandbox]
