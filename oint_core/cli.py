"""The click adapter: ``oint <provider> <Method> --option value``, built lazily from metadata.

Nothing here knows a provider. Groups list their commands from the registry and build a
method's command only when it is asked for; every command ends in ``call_method``, the same
function ``dispatch`` uses. Errors become one stderr line and a documented exit code.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click

from . import __version__, notices
from .errors import (
    EXIT_API,
    EXIT_USAGE,
    ApiError,
    OintError,
    OutputError,
    UsageError,
    interrupted,
    one_line,
)
from .metadata import Kind, Method, Param, Provider, grouped
from .registry import Registry, default_registry

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl-C stopped
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: the reader of standard output closed its end

# Destinations of the core options; parameter keywords never start with "_", so no clash.
OUT, TIMEOUT, RETRIES, DEBUG, PROFILE = "_out", "_timeout", "_retries", "_debug", "_profile"
TEST, CONFIG = "_test", "_config"
#: What ``--config`` holds when given without a value: list the settings.
_LIST_SETTINGS = "\0list"
WAIT, QUIET = "_wait", "_quiet"
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _registry(ctx: click.Context | None = None) -> Registry:
    """The registry the command line runs on: the root context's ``obj`` when it is one
    (``CliRunner().invoke(cli, args, obj=registry)``, an embedding program), else the
    providers the installed plugins offer. Without ``ctx``, click's current context."""
    if ctx is None:
        ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, Registry) else default_registry()


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"oint: {_printable(message)}", err=True)
    sys.exit(code)


def _printable(text: str) -> str:
    """``output.printable``: lone surrogates (a server's ``"\\ud83d"``) as escapes."""
    from .output import printable

    return printable(text)


class OintGroup(click.Group):
    """A group whose ``main`` turns every failure into one stderr line and an exit code."""

    # One main for every mode: click's overloads tie the return type to standalone_mode,
    # which this one always handles itself (failures become exit codes).
    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        extra.pop("standalone_mode", None)
        from .completion import COMPLETE_VAR

        instruction = os.environ.get(COMPLETE_VAR)
        if instruction:  # the shell asks what <TAB> offers: see oint_core.completion
            from .completion import run

            run(self, extra, prog_name or "oint", instruction)
        _route_warnings()
        try:
            result = super().main(args, prog_name or "oint", standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # a bare group name: its help is the answer
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(f"usage error: {one_line(exc.format_message())}{hint}", EXIT_USAGE)
        except click.ClickException as exc:
            _fail(f"error: {one_line(exc.format_message())}", exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", EXIT_INTERRUPTED)
        except ApiError as exc:
            if exc.body not in ("", None):
                from contextlib import suppress

                from .output import to_json, write_stdout

                body = exc.body
                text = _printable(body) if isinstance(body, str) else to_json(body)
                with suppress(OutputError):  # if the body cannot be written, the line still is
                    write_stdout(text + "\n")
            _fail(f"error: {one_line(str(exc))}", exc.exit_code)
        except OutputError as exc:
            if exc.errno == errno.EPIPE:  # the reader wants no more: end quietly, as SIGPIPE would
                sys.exit(EXIT_PIPE_CLOSED)
            _fail(f"error: {one_line(str(exc))}", exc.exit_code)
        except OintError as exc:
            kind = "usage error" if exc.exit_code == EXIT_USAGE else "error"
            _fail(f"{kind}: {one_line(str(exc))}", exc.exit_code)
        except Exception as exc:  # the last guard: a bug still gets one line, not a traceback
            if interrupted(exc):
                _fail("interrupted", EXIT_INTERRUPTED)
            _fail(f"internal error: {type(exc).__name__}: {one_line(str(exc))}", EXIT_API)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke_without_subcommand(self, ctx: click.Context) -> None:
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())


def _route_warnings() -> None:
    """Warnings (plugin load failures, CDEK's warnings) go to stderr, one ``oint:`` line each."""
    notices.set_sink(lambda message: _stderr_line(f"oint: warning: {message}"))


# -- the root: providers and top-level commands ---------------------------------------------


class RootGroup(OintGroup):
    _extras: tuple[Registry, dict[str, click.Command]] | None = None

    def _extra_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        """Commands plugins add through the ``oint_commands`` hook, asked once per registry."""
        registry = _registry(ctx)
        if self._extras is None or self._extras[0] is not registry:
            self._extras = (registry, plugin_commands(registry, set(self.commands)))
        return self._extras[1]

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands) | set(self._extra_commands(ctx))
        return sorted(names) + _registry(ctx).provider_names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        registry = _registry(ctx)
        for name in registry.provider_names:
            if name == cmd_name.lower():
                return ProviderGroup(registry.provider(name))
        return self._extra_commands(ctx).get(cmd_name)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from .completion import matching

        registry = _registry(ctx)
        names = []
        for name in sorted(set(self.commands) | set(self._extra_commands(ctx))):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                names.append((name, command.get_short_help_str()))
        names += [(p, registry.provider(p).summary) for p in registry.provider_names]
        return matching(names, incomplete) + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        registry = _registry(ctx)
        providers = [(p, registry.provider(p).summary) for p in registry.provider_names]
        with formatter.section("Providers"):
            formatter.write_dl(providers or [("(none)", "no provider plugin is installed")])
        commands = []
        for name in sorted(set(self.commands) | set(self._extra_commands(ctx))):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command.get_short_help_str(limit=80)))
        with formatter.section("Commands"):
            formatter.write_dl(commands)


def plugin_commands(registry: Registry, taken: set[str]) -> dict[str, click.Command]:
    """Every plugin's extra commands; groups of one name merge into a new group, so that two
    plugins can each add ``oint sandbox <provider>`` without changing each other's objects."""
    merged: dict[str, click.Command] = {}
    if registry.loaded is None:
        return merged
    for impl in registry.loaded.manager.hook.oint_commands.get_hookimpls():
        try:
            # A hook implementation is typed as returning object; each item is checked below.
            commands = list(cast("Iterable[object]", impl.function() or []))
        except Exception as exc:
            notices.warn(
                f"plugin {impl.plugin_name!r} failed to add its commands:"
                f" {type(exc).__name__}: {exc}"
            )
            continue
        for command in commands:
            if not isinstance(command, click.Command):
                notices.warn(
                    f"plugin {impl.plugin_name!r} offered {type(command).__name__},"
                    " not a click command; ignored"
                )
                continue
            name = command.name or ""
            existing = merged.get(name)
            if isinstance(existing, click.Group) and isinstance(command, click.Group):
                merged[name] = click.Group(
                    name, commands={**existing.commands, **command.commands}, help=existing.help
                )
            elif existing is None and name not in taken:
                merged[name] = command
    return merged


@click.group(
    cls=RootGroup,
    context_settings=CONTEXT_SETTINGS,
    invoke_without_command=True,
    epilog="Run 'oint <provider>' to list its methods, "
    "'oint <provider> <Method> --help' for a method's options.",
)
@click.version_option(__version__, "--version", prog_name="oint", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """oint: one command for many web services (OpenIntegrations-compatible)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@cli.command("plugins")
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """List loaded plugins (name, distribution, version, providers) and failures: plugins
    that did not import, and plugins whose methods cannot be loaded."""
    from .output import to_json

    registry = _registry(ctx)
    loaded = registry.loaded
    if loaded is not None:
        reported = len(loaded.failures)
        registry.verify_methods()
        for failure in loaded.failures[reported:]:
            notices.warn(f"plugin {failure.name!r} cannot be used: {failure.error}")
    report = {
        "plugins": [vars(p) for p in loaded.plugins] if loaded else [],
        "failures": [vars(f) for f in loaded.failures] if loaded else [],
    }
    click.echo(to_json(report))


def _profile_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--profile``: a name given blank (``--profile "$SHOP"`` with SHOP unset) is refused,
    never read as "no profile", which would run on the default one."""
    if value is None or ctx.resilient_parsing:
        return value
    if not value.strip():
        raise click.BadParameter(
            f"{value!r} is blank: give a profile's name, or leave --profile out", ctx, param
        )
    return value.strip()


@cli.command("config", context_settings=CONTEXT_SETTINGS)
@click.argument("provider", required=False)
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="The profile to show [default: $OINT_PROFILE, else the file's default].",
)
def config_command(provider: str | None, profile: str | None) -> None:
    """Show the config file, the profile in use, and each provider's settings with where each
    comes from (environment, profile, default); secrets masked. JSON on stdout."""
    from .output import to_json
    from .profiles import report

    click.echo(to_json(report(_registry(), profile, provider)))


@cli.group("docs")
def docs_group() -> None:
    """Documentation generated from the metadata."""


@docs_group.command("build")
@click.option(
    "--out",
    "out_dir",
    default="docs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder the pages go to.",
)
@click.option("--provider", default=None, help="Only this provider's pages.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming the pages that differ from the committed ones.",
)
def docs_build(out_dir: str, provider: str | None, check: bool) -> None:
    """Write one Markdown page per method (with a real result from the provider's sandbox),
    an index per provider, a page per command, and the site's navigation (nav.yml)."""
    from pathlib import Path

    from .docs import find_guides, generate, stale_files, write_pages

    out = Path(out_dir)
    registry = _registry(click.get_current_context())
    pages = generate(registry, provider, commands=cli, guides=find_guides(out))
    if check:
        stale = stale_files(pages, out)
        for path in stale:
            click.echo(f"oint: stale: {out / path}", err=True)
        if stale:
            _fail(f"error: {len(stale)} generated page(s) differ; run 'oint docs build'", EXIT_API)
        click.echo(f"{len(pages)} pages up to date in {out}")
        return
    changed = write_pages(pages, out)
    click.echo(f"{len(pages)} pages in {out}, {len(changed)} written or removed")


@cli.command("mcp", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--tools",
    "tools",
    multiple=True,
    metavar="all|meta|PATTERN",
    help="Which tools: 'all' (one per method), 'meta' (OPI's five meta-tools), or glob"
    " patterns such as 'cdek_Get*' (repeat or separate with commas)"
    " [default: all, or meta when more than 40 methods would be listed].",
)
@click.option("--read-only", is_flag=True, help="Offer only methods that change nothing.")
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="The profile whose settings (and secrets) the calls use.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME",
    help="An environment variable a value may name as '@@NAME' (repeatable); no other is read.",
)
def mcp_command(
    tools: tuple[str, ...], read_only: bool, profile: str | None, variables: tuple[str, ...]
) -> None:
    """Serve every method as a Model Context Protocol tool over stdio (for AI agents).
    Needs the MCP SDK: pip install 'oint[mcp]'."""
    from importlib.util import find_spec

    if find_spec("mcp") is None:
        _fail("oint mcp needs the MCP SDK: pip install 'oint[mcp]'", EXIT_USAGE)
    from .mcpserver import Catalog, select, serve

    mode, selected = select(_registry(), tools, read_only)
    serve(Catalog(mode, selected, profile=profile, variables=variables), version=__version__)


@cli.command("listen", context_settings=CONTEXT_SETTINGS)
@click.argument("provider")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8090,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--secret",
    default=None,
    metavar="TEXT",
    help="The secret the URL must carry (?token=...), 16 characters or more"
    " [default: $OINT_LISTEN_SECRET, else a random one].",
)
@click.option(
    "--out",
    default=None,
    metavar="FILE",
    help="Append the events to FILE (one JSON line each) instead of standard output.",
)
@click.option(
    "--forward-to",
    default=None,
    metavar="URL",
    help="Also POST each new event to URL (your app), from a queue with retries.",
)
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="Where the provider reaches this receiver (a tunnel's https URL): the printed and"
    " subscribed URL starts with it [default: http://HOST:PORT].",
)
@click.option(
    "--subscribe",
    is_flag=True,
    help="Subscribe the URL to the provider's events on start; remove those subscriptions on exit.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="With --subscribe: an event type (repeatable) [default: the provider's usual ones].",
)
@click.option(
    "--max-body",
    default=1 << 20,
    show_default=True,
    type=click.IntRange(1),
    metavar="BYTES",
    help="The largest event accepted (bigger ones get 413).",
)
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="The profile whose settings (token, account) --subscribe uses.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="A line per request on stderr: address, method, path, status (never the secret).",
)
def listen_command(
    provider: str,
    host: str,
    port: int,
    secret: str | None,
    out: str | None,
    forward_to: str | None,
    public_url: str | None,
    subscribe: bool,
    types: tuple[str, ...],
    max_body: int,
    profile: str | None,
    debug: bool,
) -> None:
    """Receive PROVIDER's webhook events: one JSON line per event on standard output (or
    --out), each written and synced before the provider gets its 200; redeliveries dropped.

    The first line on stderr is the URL to subscribe with; it carries a secret (?token=...),
    and a request without it gets 401. Runs until Ctrl-C (exit 130) or SIGTERM (exit 143).
    A port in use is a usage error (exit 2). See docs/webhooks.md.
    """
    from .listen import Options, listen

    if out is not None:
        check_writable(out)
    if types and not subscribe:
        raise click.BadParameter("only with --subscribe", param_hint="--type")
    options = Options(
        host=host,
        port=port,
        secret=secret,
        out=out,
        forward_to=forward_to,
        public_url=public_url,
        subscribe=subscribe,
        types=types,
        profile=profile,
        max_body=max_body,
        debug=debug,
    )
    sys.exit(listen(_registry, provider, options, stderr=_stderr_line))


@cli.group("server", context_settings=CONTEXT_SETTINGS)
def server_group() -> None:
    """Serve the methods to other programs: line by line on stdio, or over HTTP."""


@server_group.command("stdio", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--sprt",
    "separator",
    metavar="TEXT",
    default=None,
    help="After each answer, a line of TEXT (OPI's separator).",
)
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="The profile a line uses when it gives no --profile"
    " [default: $OINT_PROFILE, else the file's default].",
)
def server_stdio(separator: str | None, profile: str | None) -> None:
    """Read commands line by line ('cdek GetOrder --uuid …': what follows 'oint'), run each
    as oint would, answer each with one JSON line on stdout: {"ok": true, "result": …} or
    {"ok": false, "error": …, "sent": …}. Ends at the end of input (exit 0) or on Ctrl-C
    (exit 130)."""
    from .stdio_server import serve

    if separator is not None and ("\n" in separator or "\r" in separator):
        raise click.BadParameter("must be one line", param_hint="--sprt")
    sys.exit(serve(ServedCommands(_registry(), profile), separator=separator))


@server_group.command("http", context_settings=CONTEXT_SETTINGS)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0: a free one (the first stderr line names it).",
)
@click.option(
    "--auth-token",
    metavar="TOKEN",
    envvar="OINT_SERVER_TOKEN",
    default=None,
    help="The bearer token every request must carry [env: OINT_SERVER_TOKEN; on loopback"
    " without one, a random one is printed on stderr].",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="PATTERN",
    help="Serve only the methods matching these globs, such as 'cdek.Get*' (repeat or"
    " separate with commas) [default: all].",
)
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="The profile whose settings (and secrets) the calls use.",
)
@click.option(
    "--max-body",
    type=click.IntRange(1, 1 << 30),
    default=1 << 20,
    show_default=True,
    metavar="BYTES",
    help="Largest request body accepted (larger: 413).",
)
def server_http(
    host: str,
    port: int,
    auth_token: str | None,
    allow: tuple[str, ...],
    profile: str | None,
    max_body: int,
) -> None:
    """Serve the methods over HTTP: POST /PROVIDER/METHOD with a JSON object of
    parameters answers the result as JSON (a file as itself); GET / lists the methods.
    Every request needs 'Authorization: Bearer TOKEN'. Secrets come from the server's
    settings, never from requests. Runs until Ctrl-C."""
    from .http_server import HttpService, serve

    service = HttpService(_registry(), allow=allow, profile=profile, max_body=max_body)
    serve(service, host, port, auth_token)
    sys.exit(EXIT_INTERRUPTED)  # it serves until Ctrl-C


# -- a provider: its methods, grouped -------------------------------------------------------


class ProviderGroup(OintGroup):
    def __init__(self, provider: Provider) -> None:
        def show_methods(ctx: click.Context) -> None:
            self.invoke_without_subcommand(ctx)

        super().__init__(
            name=provider.name,
            help=provider.summary,
            context_settings=CONTEXT_SETTINGS,
            invoke_without_command=True,
            callback=click.pass_context(show_methods),
            epilog=f"Run 'oint {provider.name} <Method> --help' for a method's options."
            " Method names are case-insensitive.",
        )
        self.provider = provider

    def _methods(self, ctx: click.Context) -> list[Method]:
        return _registry(ctx).methods(self.provider.name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [m.name for m in self._methods(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            method = _registry(ctx).method(self.provider.name, cmd_name)
        except UsageError:  # an unknown name; a provider that cannot load says so itself
            return None
        return build_command(self.provider, method)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from .completion import matching

        try:
            methods = self._methods(ctx)
        except OintError:  # a provider whose methods cannot load: only the options to offer
            methods = []
        names = [(m.name, m.summary) for m in methods]
        return matching(names, incomplete) + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for group, methods in grouped(self.provider, self._methods(ctx)):
            with formatter.section(group):
                formatter.write_dl([(m.name, m.summary) for m in methods])


# -- a method: options from its parameters, plus the core's ------------------------------


def _option_help(param: Param) -> str:
    notes = []
    if param.required:
        notes.append("required")
    elif param.default is not None:
        shown = str(param.default).lower() if isinstance(param.default, bool) else param.default
        notes.append(f"default: {shown}")
    if param.choices:
        notes.append("one of: " + ", ".join(param.choices))
    if param.env:
        notes.append(f"env: {param.env}")
    if param.secret:
        notes.append("secret")
    suffix = f" [{'; '.join(notes)}]" if notes else ""
    return f"{param.description}{suffix}"


_METAVARS = {
    Kind.BOOLEAN: "[true|false]",
    Kind.INTEGER: "INTEGER",
    Kind.NUMBER: "NUMBER",
    Kind.DATE: "DATE",
    Kind.DATETIME: "DATETIME",
    Kind.UUID: "UUID",
    Kind.OBJECT: "JSON|FILE",
    Kind.LIST: "LIST",
    Kind.CHOICE: "CHOICE",
}


def _option(param: Param) -> click.Option:
    # Every value reaches ``bind`` as the text the user typed, so the CLI and the library
    # share one set of checks and messages; completion only suggests (choices, true/false,
    # file names). Booleans also work as bare flags.
    from .completion import for_param

    if param.kind is Kind.BOOLEAN:
        return click.Option(
            [param.keyword, param.option],
            is_flag=False,
            flag_value="true",
            default=None,
            metavar=_METAVARS[param.kind],
            help=_option_help(param),
            shell_complete=for_param(param),
        )
    return click.Option(
        [param.keyword, param.option],
        default=None,
        metavar=_METAVARS.get(param.kind, "TEXT"),
        help=_option_help(param),
        shell_complete=for_param(param),
    )


#: A plain decimal number (no underscores, signs other than +, ``inf`` or ``nan``).
_DECIMAL = re.compile(r"\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _core_number(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--timeout`` / ``--retries`` / ``--wait``: read as plain decimal text, then checked by
    the dispatcher's own checks, so the CLI and the library refuse the same values (``inf``,
    ``nan``, ``1e9``...) before anything is sent."""
    if value is None or ctx.resilient_parsing:  # completing: nothing to check, nothing to load
        return None
    from .context import check_retries, check_timeout

    timeout = param.name in (TIMEOUT, WAIT)
    text = value.strip()
    number: float | int
    if timeout and _DECIMAL.fullmatch(text):
        number = float(text)
    elif not timeout and text.isascii() and text.isdigit():
        number = int(text)
    else:
        kind = "a number of seconds" if timeout else "a whole number"
        raise click.BadParameter(f"{value!r} is not {kind}.", ctx, param)
    try:
        return check_timeout(number) if timeout else check_retries(int(number))
    except UsageError as exc:
        # The check names the value as Python reads it; the user typed ``value``.
        reason = str(exc).partition(" is ")[2]
        raise click.BadParameter(f"{value!r} is {reason}.", ctx, param) from None


def _core_options(method: Method | None = None) -> list[click.Option]:
    from .completion import files

    waits = [] if method is None or method.waits is None else [_wait_option()]
    return waits + [
        click.Option(
            [OUT, "--out"],
            metavar="FILE",
            default=None,
            help="Write the result to FILE ('-': standard output); _hex_, _base64_ or _utf8_"
            " print it in that form.",
            shell_complete=files,
        ),
        click.Option(
            [TEST, "--test"],
            is_flag=True,
            default=False,
            help="Print the request the call would send (secrets masked) as JSON; send nothing.",
        ),
        click.Option(
            [CONFIG, "--config"],
            metavar="JSON",
            is_flag=False,
            flag_value=_LIST_SETTINGS,
            default=None,
            help="Settings of the call (OPI's advanced call): timeout, retries, proxy,"
            " adv_response. Without a value: list them.",
        ),
        click.Option(
            [TIMEOUT, "--timeout"],
            metavar="SECONDS",
            callback=_core_number,
            default=None,
            help="Bound on the whole call: retries, every byte of the answer, token fetches"
            " [default: 120; each attempt: connect 10, read 60].",
        ),
        click.Option(
            [RETRIES, "--retries"],
            metavar="N",
            callback=_core_number,
            default=None,
            help="Retries of the safe kind (see README); 0 disables them [default: 3].",
        ),
        click.Option(
            [DEBUG, "--debug"],
            is_flag=True,
            default=False,
            help="Print requests, statuses and timings on stderr (secrets masked).",
        ),
        click.Option(
            [QUIET, "--quiet"],
            is_flag=True,
            default=False,
            help="No status line on a terminal (waiting, pages, retries) and no"
            " 'wrote N bytes' note; warnings and errors are still printed.",
        ),
        _profile_option(),
    ]


def _profile_option() -> click.Option:
    return click.Option(
        [PROFILE, "--profile"],
        metavar="NAME",
        default=None,
        callback=_profile_name,
        help="Settings from this profile of the config file"
        " [default: $OINT_PROFILE, else the file's default]; see 'oint config'.",
    )


def _wait_option() -> click.Option:
    from .waiting import DEFAULT_WAIT

    return click.Option(
        [WAIT, "--wait"],
        metavar="[SECONDS]",
        is_flag=False,
        flag_value=f"{DEFAULT_WAIT:g}",
        default=None,
        callback=_core_number,
        help="After the write, wait until the service has processed it, then print the"
        " entity as its read method shows it (exit 1 if it was refused, 3 if it is still"
        f" processing when SECONDS pass) [--wait alone: {DEFAULT_WAIT:g}; --timeout still"
        " bounds the call].",
    )


class MethodCommand(click.Command):
    """A method's command. Its long help (with an example call) is written only when asked
    for, so a call does not pay for it."""

    def __init__(self, provider: Provider, method: Method, **kwargs: Any) -> None:
        super().__init__(name=method.name, short_help=method.summary, **kwargs)
        self.provider = provider
        self.method = method

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help is None:
            self.help = method_help(self.provider, self.method)
        super().format_help_text(ctx, formatter)


def method_help(provider: Provider, method: Method) -> str:
    """``--help``'s text for a method: summary, API link, what it returns, an example."""
    from .examples import example_command

    help_text = method.summary
    if method.docs_url:
        help_text += f"\n\nAPI documentation: {method.docs_url}"
    help_text += f"\n\nGroup: {method.group}. Returns: {method.returns}."
    if method.binary or method.binary_switch:
        help_text += " A binary result is written with --out FILE (or to a pipe)."
    help_text += f"\n\nExample:\n\n\b\n  {example_command(provider.name, method)}"
    return help_text


def build_command(provider: Provider, method: Method, *, served: bool = False) -> click.Command:
    """The click command for one method, derived entirely from its metadata.

    ``served`` (``oint server stdio``): the command returns its result instead of printing
    it, shows no status line and no notes, never reads standard input (it carries the
    server's commands) and refuses nothing for being binary (see ``served_result``)."""

    def callback(**kwargs: Any) -> Any:
        from . import outforms, progress
        from .context import CallOptions
        from .dispatcher import call_method
        from .dryrun import WouldSend

        out = kwargs.pop(OUT)
        timeout = kwargs.pop(TIMEOUT)
        retries = kwargs.pop(RETRIES)
        debug = kwargs.pop(DEBUG)
        profile = kwargs.pop(PROFILE)
        wait = kwargs.pop(WAIT, None)
        quiet = kwargs.pop(QUIET)
        terminal = not served and progress.wanted(quiet=quiet)
        test = kwargs.pop(TEST)
        config_text = kwargs.pop(CONFIG)
        if config_text == _LIST_SETTINGS:
            from .callconfig import listing

            if served:
                return served_result(listing(method), out)
            _write(listing(method), out)
            return None
        config: dict[str, Any] = {}
        if config_text is not None:
            from .callconfig import parse

            if served and config_text == "-":
                raise UsageError(
                    "--config: '-' (standard input) cannot be read here: it carries the"
                    " server's commands; give inline JSON or a file",
                    option="--config",
                )
            config = parse(config_text)
        if not outforms.to_stdout(out):
            check_writable(out)
            if served:
                refuse_own_stdout(out)
        adv_response = config.get("adv_response", False)
        options = CallOptions(
            timeout=config.get("timeout") if timeout is None else timeout,
            retries=config.get("retries") if retries is None else retries,
            debug=_stderr_line if debug else None,
            # Bytes bound for a terminal are refused before sending; --test, adv_response
            # and the text forms of --out print text instead.
            refuse_binary=not served
            and out in (None, outforms.STDOUT)
            and sys.stdout.isatty()
            and not (test or adv_response),
            dry_run=test,
            proxy=config.get("proxy"),
            adv_response=adv_response,
            profile=profile,
            wait=wait,
            progress=progress.start().show if terminal else None,
        )
        given = {k: v for k, v in kwargs.items() if v is not None}
        if served:
            refuse_stdin(method, given)
        try:
            result = call_method(provider, method, given, style="cli", options=options)
        except WouldSend as stopped:
            if served:
                return served_result(stopped.request, out)
            _stderr_line(
                "oint: --test: nothing was sent; shown is the call's first request (any"
                " later ones depend on its answers)"
            )
            result = stopped.request
        else:
            if test and not served:
                _stderr_line("oint: --test: this method sends no request; its result is as usual")
        finally:
            progress.stop()
        if served:
            return served_result(result, out)
        _write(result, out)
        if terminal and not outforms.to_stdout(out):
            size = os.path.getsize(out)
            click.echo(f"oint: wrote {size:,} bytes to {_printable(out)}", err=True)
        return None

    return MethodCommand(
        provider,
        method,
        params=[_option(p) for p in method.params] + _core_options(method),
        callback=callback,
        context_settings=CONTEXT_SETTINGS,
    )


def served_result(result: Any, out: str | None) -> Any:
    """What a served command answers for ``result`` and its ``--out``: the result itself
    (no ``--out``, or ``-``); its text form (``_hex_``, ``_base64_``, ``_utf8_``) as a string;
    for a file, the file is written and the answer is ``{"file": out, "size": bytes}``."""
    from . import outforms

    form = outforms.form_of(out)
    if form is not None:
        return outforms.render(result, form)
    if out is None or out == outforms.STDOUT:
        return result
    from .output import write_result

    try:
        write_result(result, out)
    except OutputError as exc:  # the call succeeded: repeating it could repeat a write
        exc.sent = "unknown"
        raise
    return {"file": out, "size": os.path.getsize(out)}


def refuse_stdin(method: Method, given: dict[str, Any]) -> None:
    """A served command never reads standard input: it carries the server's commands."""
    for param in method.params:
        if param.kind is Kind.OBJECT and given.get(param.keyword) == "-":
            raise UsageError(
                f"{param.option}: '-' (standard input) cannot be read here: it carries the"
                " server's commands; give inline JSON or a file",
                option=param.option,
            )


def refuse_own_stdout(out: str) -> None:
    """A served command's ``--out`` never names the server's standard output: it carries
    the answers, one JSON line each (``-`` puts the result in the answer)."""
    try:
        same = os.path.samestat(os.stat(out), os.fstat(1))
    except (OSError, ValueError):
        return
    if same:
        raise UsageError(
            f"--out: {_printable(out)!r} is the server's standard output, which carries the"
            " answers; give '-' to have the result in the answer",
            option="--out",
        )


class ServedCommands:
    """Runs one command line of ``oint server stdio`` (``cdek GetOrder --uuid …``: what
    follows ``oint``) exactly as ``oint`` parses it, with the method's own click command,
    and returns its result. Raises ``OintError``; click's usage errors become ``UsageError``.
    ``--help`` returns the help text. ``profile``: the default of ``--profile``."""

    def __init__(self, registry: Registry, profile: str | None = None) -> None:
        self.registry = registry
        self.defaults = None if profile is None else {PROFILE: profile}
        self._commands: dict[tuple[str, str], click.Command] = {}

    def __call__(self, args: Sequence[str]) -> Any:
        import contextlib
        import io

        if not args:
            raise UsageError("no command: give <provider> <Method> [--option value …]")
        if args[0] == "oint" and "oint" not in self.registry.provider_names:
            raise UsageError("leave out 'oint': a line is what follows it on a command line")
        provider = self.registry.provider(args[0])
        if len(args) < 2 or args[1].startswith("-"):
            raise UsageError(
                f"give a method after {provider.name!r}: {provider.name} <Method>"
                f" [--option value …] (methods: 'oint {provider.name}')"
            )
        method = self.registry.method(provider.name, args[1])
        key = (provider.name, method.name)
        command = self._commands.get(key)
        if command is None:
            command = self._commands[key] = build_command(provider, method, served=True)
        name = f"oint {provider.name} {method.name}"
        shown = io.StringIO()  # --help prints; nothing may reach the server's stdout
        try:
            with contextlib.redirect_stdout(shown):
                ctx = command.make_context(name, list(args[2:]), default_map=self.defaults)
        except click.exceptions.Exit:  # --help: its text is the answer
            return shown.getvalue().rstrip("\n")
        except click.ClickException as exc:
            raise _served_usage(exc, name) from None
        with ctx:
            try:
                return command.invoke(ctx)
            except click.ClickException as exc:
                raise _served_usage(exc, name) from None


def _served_usage(exc: click.ClickException, name: str) -> UsageError:
    return UsageError(f"{one_line(exc.format_message())} (see '{name} --help')")


def _write(result: Any, out: str | None) -> None:
    """The result to --out: a file, standard output (``-``), or a text form of OPI's."""
    from . import outforms
    from .output import write_result, write_stdout

    form = outforms.form_of(out)
    if form is not None:
        write_stdout(outforms.render(result, form) + "\n")
    else:
        write_result(result, None if out == outforms.STDOUT else out)


def check_writable(out: str) -> None:
    """Refuse an --out that cannot be written before anything is sent."""
    from pathlib import Path

    target = Path(out)
    folder = target.parent
    if target.is_dir():
        raise click.BadParameter(f"{out!r} is a folder", param_hint="--out")
    if not folder.is_dir():
        raise click.BadParameter(f"folder of {out!r} does not exist", param_hint="--out")
    if not os.access(target if target.exists() else folder, os.W_OK):
        raise click.BadParameter(f"{out!r} is not writable", param_hint="--out")


def _stderr_line(line: str) -> None:
    from . import progress

    progress.clear()  # never in the middle of the status line
    click.echo(_printable(line), err=True)


# -- oint batch ------------------------------------------------------------------------------


def _positive(kind: str, check: str) -> Any:
    """A callback reading ``--concurrency`` / ``--rate`` as decimal text, checked by the
    batch module's own checks (the library's ``batch`` refuses the same values)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None or ctx.resilient_parsing:
            return None
        from . import batching

        text = value.strip()
        number: float | int
        if kind == "int" and text.isascii() and text.isdigit():
            number = int(text)
        elif kind == "float" and _DECIMAL.fullmatch(text):
            number = float(text)
        else:
            what = "a whole number" if kind == "int" else "a number"
            raise click.BadParameter(f"{value!r} is not {what}.", ctx, param)
        try:
            return getattr(batching, check)(number)
        except UsageError as exc:
            reason = str(exc).partition(" is ")[2]
            raise click.BadParameter(f"{value!r} is {reason}.", ctx, param) from None

    return callback


@cli.command("batch", context_settings=CONTEXT_SETTINGS)
@click.argument("source", metavar="[FILE|-]", default="-")
@click.option("--provider", default=None, help="The provider of lines that name none.")
@click.option(
    "--out",
    metavar="FILE",
    default=None,
    help="Write the records to FILE (appended line by line) [default: standard output].",
)
@click.option(
    "--concurrency",
    metavar="N",
    default="8",
    callback=_positive("int", "check_concurrency"),
    help="Calls at once: N threads sharing one pool of N connections [default: 8].",
)
@click.option(
    "--rate",
    metavar="N",
    default="150",
    callback=_positive("float", "check_rate"),
    help="Calls started per second across all threads; 0: no limit [default: 150, below"
    " CDEK's guaranteed 200].",
)
@click.option(
    "--unordered",
    is_flag=True,
    help="Write each record when its call ends, not in input order.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the run whose records --out FILE holds: skip the ids that succeeded,"
    " repeat failed calls that changed nothing; never repeat one whose outcome is unknown.",
)
@click.option(
    "--retry-unknown",
    is_flag=True,
    help="With --resume: also repeat the calls whose outcome is unknown (a write that may"
    " have been processed: check first).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Check every line first; if any is bad, name each and send nothing (exit 2).",
)
@click.option(
    TIMEOUT,
    "--timeout",
    metavar="SECONDS",
    callback=_core_number,
    default=None,
    help="Bound on each call, retries and token fetches included [default: 120].",
)
@click.option(
    RETRIES,
    "--retries",
    metavar="N",
    callback=_core_number,
    default=None,
    help="Retries of the safe kind for each call; 0 disables them [default: 3].",
)
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    callback=_profile_name,
    help="Settings from this profile of the config file"
    " [default: $OINT_PROFILE, else the file's default].",
)
@click.option("--quiet", is_flag=True, help="No progress line on a terminal.")
def batch_command(
    source: str,
    provider: str | None,
    out: str | None,
    concurrency: int,
    rate: float | None,
    unordered: bool,
    resume: bool,
    retry_unknown: bool,
    strict: bool,
    profile: str | None,
    quiet: bool,
    **core: Any,
) -> None:
    """Run many calls from JSON Lines: one call a line, {"id": "r1", "provider": "cdek",
    "method": "GetOrder", "params": {"uuid": "…"}}; one record a call out, {"id", "ok",
    "result"} or {"id", "ok": false, "error", "sent"}. Exit 0 when every call succeeded, 1
    otherwise, 130 when interrupted (then --resume continues)."""
    from . import progress
    from .batching import run_command

    if out is not None and out != "-":
        check_writable(out)
    code = run_command(
        source,
        provider=provider,
        out=None if out in (None, "-") else out,
        concurrency=concurrency,
        rate=rate,
        resume=resume,
        retry_unknown=retry_unknown,
        strict=strict,
        profile=profile,
        timeout=core[TIMEOUT],
        retries=core[RETRIES],
        ordered=not unordered,
        show_progress=progress.wanted(quiet=quiet),
        say=_stderr_line,
    )
    sys.exit(code)


def main() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    cli.main(prog_name="oint")
