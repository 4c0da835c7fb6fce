"""Shell completion: what ``<TAB>`` offers, through click's completion protocol.

The shell runs ``oint`` with ``_OINT_COMPLETE=bash_complete`` (``zsh_complete``,
``fish_complete``) and the words typed so far; click resolves them against the same lazily
built commands a call uses. This module adds what click cannot know from the options alone:
names matched the way the registry matches them (``createb`` finds ``CreateBarcode``), a
parameter's choices, ``true``/``false`` for booleans, and file names where a value may be a
file. Values still reach ``bind`` as plain text: completion suggests, it never checks.

Completing imports no network stack and says nothing on stderr: a plugin that fails to load
is left out (``oint plugins`` reports it), and anything else that goes wrong ends with no
suggestions rather than a traceback in the middle of the user's command line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, NoReturn

from . import notices
from .metadata import Kind, Param
from .registry import _fold

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem

#: The variable click's completion scripts set; ``oint`` is always the program's name.
COMPLETE_VAR = "_OINT_COMPLETE"

Completer = Callable[["click.Context", "click.Parameter", str], "list[CompletionItem]"]

BOOLEAN_WORDS = ("true", "false")


def run(
    command: click.Command, ctx_args: MutableMapping[str, Any], prog_name: str, instruction: str
) -> NoReturn:
    """Answer one completion request (or print a shell's script) and exit; nothing on stderr."""
    from click.shell_completion import shell_complete

    notices.set_sink(lambda message: None)  # plugin warnings would land in the command line
    try:
        code = shell_complete(command, ctx_args, prog_name, COMPLETE_VAR, instruction)
    except Exception:  # a plugin broken in a way the registry does not catch: no suggestions
        code = 1
    sys.exit(code)


def matching(names: Iterable[tuple[str, str]], incomplete: str) -> list[CompletionItem]:
    """The ``(name, help)`` pairs whose name starts with ``incomplete``, compared as the
    registry compares names (case-insensitive, ``_`` and ``-`` ignored); none for an option."""
    from click.shell_completion import CompletionItem

    if incomplete.startswith("-"):
        return []
    prefix = _fold(incomplete)
    return [
        CompletionItem(name, help=text) for name, text in names if _fold(name).startswith(prefix)
    ]


def values(words: Iterable[str]) -> Completer:
    """A completer offering ``words`` that start with the typed text, in any letter case
    (``bind`` reads choices and booleans case-insensitively)."""
    offered = tuple(words)

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        typed = incomplete.lower()
        return [CompletionItem(word) for word in offered if word.lower().startswith(typed)]

    return complete


def files(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Leave the value to the shell's own file-name completion."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


def for_param(param: Param) -> Completer | None:
    """What ``<TAB>`` offers for a method parameter's value, if anything."""
    if param.choices:
        return values(param.choices)
    if param.kind is Kind.BOOLEAN:
        return values(BOOLEAN_WORDS)
    if param.kind is Kind.OBJECT:  # inline JSON, or the path of a JSON file
        return files
    return None
