"""``oint sandbox cdek``: run the local CDEK API emulator. Added through ``oint_commands``."""

from __future__ import annotations

import click


@click.group("sandbox", help="Run a local emulator of a provider's API.")
def sandbox() -> None:
    pass


@sandbox.command("cdek")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="ID:SECRET",
    help="Accept another client_id:client_secret pair (repeatable). The published test"
    " account is always accepted.",
)
@click.option(
    "--token-ttl",
    default=3599,
    show_default=True,
    type=click.IntRange(1),
    help="Seconds a token lives (expires_in).",
)
@click.option(
    "--delay",
    "processing_delay",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds before an accepted write is processed (CDEK's test server takes seconds;"
    " poll, as against CDEK).",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Process accepted writes at once (--delay 0): for test suites.",
)
@click.option(
    "--webhook-time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="Multiply the times of webhook delivery (timeout, pauses between retries, removal"
    " of a failing subscription) by this; 1 keeps CDEK's.",
)
def sandbox_cdek(
    host: str,
    port: int,
    accounts: tuple[str, ...],
    token_ttl: int,
    processing_delay: float,
    fast: bool,
    webhook_time_scale: float,
) -> None:
    """Serve CDEK API v2 at http://HOST:PORT/v2 until Ctrl-C or SIGTERM.

    The first line printed tells how to point oint at it. Control endpoints (faults, the
    request log, moving an order along CDEK's statuses, the clock, webhook events) are under
    http://HOST:PORT/_sandbox/; see docs/sandbox.md. Webhook events go to loopback URLs only.
    """
    from oint_core.http import is_loopback

    from .sandbox.app import SandboxConfig
    from .sandbox.server import serve

    if not is_loopback(host):
        click.echo(
            f"oint: warning: {host} is not a loopback address: the sandbox's control endpoints"
            " (/_sandbox/...) take no authentication, and anyone who reaches the port can"
            " use them",
            err=True,
        )
    delay = 0.0 if fast else processing_delay
    config = SandboxConfig(
        token_ttl=token_ttl, processing_delay=delay, webhook_time_scale=webhook_time_scale
    )
    for pair in accounts:
        client_id, sep, secret = pair.partition(":")
        if not sep or not client_id or not secret:
            raise click.BadParameter(f"{pair!r} is not ID:SECRET", param_hint="--account")
        config.accounts[client_id] = secret
    try:
        serve(host=host, port=port, config=config, announce=lambda line: click.echo(line))
    except OSError as exc:  # the address is taken or not this machine's
        raise click.ClickException(str(exc)) from None
