"""The hook implementations: what oint learns about CDEK at start-up.

Only the method index is read here; a call imports the one module of the method it runs,
and the sandbox's HTTP toolkit loads only when the sandbox runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oint_core import Provider, hookimpl

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import click

    from oint_core import ExampleRun
    from oint_core.webhooks import Webhooks

from .methods import INDEX
from .params import CONTEXT_PARAMS, GROUPS


def _examples() -> AbstractContextManager[ExampleRun]:  # for `oint docs build` only
    from .docs_examples import examples

    return examples()


PROVIDER = Provider(
    name="cdek",
    summary="CDEK delivery service, REST API v2 (OpenIntegrations-compatible)",
    methods=INDEX,
    groups=GROUPS,
    examples=_examples,
    context_params=CONTEXT_PARAMS,
    # Read by the plumbing (auth.py, api.py), besides the parameters' token and testapi.
    settings=("account", "password", "base_url"),
)


@hookimpl
def oint_providers() -> list[Provider]:
    return [PROVIDER]


@hookimpl
def oint_commands() -> list[click.Command]:
    from .commands import sandbox

    return [sandbox]


@hookimpl
def oint_webhooks(provider: str) -> Webhooks | None:
    """CDEK's events for ``oint listen cdek``: loaded only when it runs."""
    if provider != PROVIDER.name:
        return None
    from .webhooks import webhooks

    return webhooks()
