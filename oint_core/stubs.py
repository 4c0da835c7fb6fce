"""Type stubs of a provider's client, generated from its methods' metadata.

``connect("cdek")`` returns a client whose methods exist only at run time (``Client`` finds
them by name). For IDE completion and type checking, a provider ships a stub module
(``oint_cdek/client.pyi``) declaring a ``BaseClient`` subclass with one method per provider
method: keyword-only parameters typed from their kinds, required ones without a default, and
``timeout``/``retries`` as every call takes them. The parameters the client holds (the
provider's ``context_params``: CDEK's token and test flag) are not among them: they are
settings given to ``connect``, and a call refuses them.

``tools/client_stubs.py`` writes the stub; a test regenerates it in memory and compares, as
``oint docs build --check`` does for the pages.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from collections.abc import Iterable

from .errors import PluginError
from .metadata import Kind, Method, Param, Provider

_SCALAR = {
    Kind.STRING: "str",
    Kind.UUID: "str",
    Kind.INTEGER: "int",
    Kind.NUMBER: "float",
    Kind.BOOLEAN: "bool",
    Kind.DATE: "datetime.date | str",
    Kind.DATETIME: "datetime.datetime | str",
    Kind.OBJECT: "dict[str, Any] | str",
}
#: Names a generated method may not take: ``BaseClient``'s own attributes.
_CLIENT_NAMES = frozenset(
    {
        "call",
        "close",
        "closed",
        "forget_tokens",
        "provider",
        "profile",
        "settings",
        "mro",
        "register",
    }
)


def python_type(param: Param) -> str:
    """The annotation a parameter of ``param``'s kind takes in Python."""
    if param.kind is Kind.CHOICE:
        return "Literal[" + ", ".join(_quoted(choice) for choice in param.choices) + "]"
    if param.kind is Kind.LIST:
        if param.items is None:
            item = "Any"
        else:
            item = python_type(param.replace(kind=param.items, items=None)).split(" | ")[0]
        return f"list[{item}] | str"
    return _SCALAR[param.kind]


def class_name(provider: str) -> str:
    """``cdek`` -> ``CdekClient``."""
    return "".join(part.capitalize() for part in provider.replace("-", "_").split("_")) + "Client"


def _quoted(text: str) -> str:
    """A string literal in double quotes, as the formatter writes it."""
    return json.dumps(text, ensure_ascii=False)


#: The longest line of the stub, as the project's formatter and linter take it.
WIDTH = 100


def _docstring(text: str, indent: str) -> list[str]:
    """A docstring, its paragraphs wrapped to ``WIDTH``."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            WIDTH - len(indent),
            break_long_words=False,
            break_on_hyphens=False,
        )
    lines[0] = '"""' + lines[0]
    if len(indent) + len(lines[-1]) + 3 <= WIDTH and len(lines) == 1:
        return [f'{indent}{lines[0]}"""']
    out = [f"{indent}{line}" if line else "" for line in lines]
    out.append(f'{indent}"""')
    return out


def _parameter(p: Param) -> list[str]:
    """One keyword-only parameter, exploded as the formatter does when it is too long."""
    annotation, tail = python_type(p), ("" if p.required else " | None = ...")
    line = f"        {p.keyword}: {annotation}{tail},"
    if len(line) <= WIDTH or p.kind is not Kind.CHOICE:
        return [line]
    exploded = [f"        {p.keyword}: Literal["]
    exploded += [f"            {_quoted(choice)}," for choice in p.choices]
    if p.required:
        return [*exploded, "        ],"]
    return [*exploded, "        ]", f"        {tail.strip()},"]


def method_stub(provider: Provider, method: Method) -> list[str]:
    """One method of the client class, indented for the class body."""
    name = method.python_name
    if name in _CLIENT_NAMES or keyword.iskeyword(name) or name.startswith("_"):
        raise PluginError(f"{provider.name} {method.name}: {name!r} cannot be a client method")
    lines = [f"    def {name}(", "        self,", "        *,"]
    for p in method.params:
        if p.keyword in provider.context_params:
            continue
        lines += _parameter(p)
    if method.waits is not None:  # a write the service processes later: --wait
        lines.append("        wait: float | bool | None = ...,")
    lines += [
        "        timeout: float | None = ...,",
        "        retries: int | None = ...,",
        "    ) -> Any:",
    ]
    lines += _docstring(f"{method.summary}\n\nReturns: {method.returns}", "        ")
    return lines


def client_stub(provider: Provider, methods: Iterable[Method], generator: str) -> str:
    """The stub module of ``provider``'s client class; ``generator`` is the command that
    makes it (named in its first line)."""
    name = class_name(provider.name)
    lines = [
        f"# Generated by `{generator}` from the metadata of the {provider.name} provider;"
        " do not edit.",
        f'"""The type of ``oint_core.connect("{provider.name}")``: one method per'
        f' {provider.name} method."""',
        "",
        "import datetime",
        "from typing import Any, Literal",
        "",
        "from oint_core.client import BaseClient",
        "",
        f'__all__ = ["{name}"]',
        "",
        f"class {name}(BaseClient):",
        *_docstring(
            f"A client of {provider.name}: {provider.summary}.\n\n"
            "Each method takes its parameters by keyword, and ``timeout`` and ``retries`` as"
            f'\n``call`` does. Made by ``oint_core.connect("{provider.name}", ...)``.',
            "    ",
        ),
    ]
    for method in sorted(methods, key=lambda m: m.python_name):
        lines.append("")
        lines += method_stub(provider, method)
    return "\n".join(lines) + "\n"
