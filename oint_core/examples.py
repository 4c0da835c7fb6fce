"""Example calls derived from metadata, shared by ``--help`` and the generated docs.

An example uses every required parameter and every parameter that names an ``example``;
secrets are always shown as ``***``.
"""

from __future__ import annotations

import json
from typing import Any

from .metadata import Kind, Method, Param

MASK = "***"
_PLACEHOLDERS: dict[Kind, Any] = {
    Kind.UUID: "f1799065-01de-448c-91cf-8afe7d4c0cfc",
    Kind.INTEGER: 1,
    Kind.NUMBER: 1.5,
    Kind.DATE: "2026-03-07",
    Kind.DATETIME: "2026-03-07T14:55:51",
    Kind.OBJECT: "{}",
}


def shown(param: Param) -> bool:
    return param.required or param.example is not None


def example_text(param: Param) -> str:
    """The option's value as a user would type it on the command line."""
    if param.secret:
        return MASK
    if param.example is not None:
        return str(param.example)
    if param.kind is Kind.CHOICE:
        return param.choices[0]
    if param.kind is Kind.LIST and param.items is not None:
        return str(_PLACEHOLDERS.get(param.items, "value"))
    return str(_PLACEHOLDERS.get(param.kind, param.name.lower()))


def example_value(param: Param) -> Any:
    """The same value as Python would pass it to ``dispatch``."""
    if param.secret:
        return MASK
    if param.kind is Kind.BOOLEAN:
        return param.example if isinstance(param.example, bool) else True
    text = example_text(param)
    if param.kind in (Kind.OBJECT, Kind.LIST):
        from .coerce import parse_json_text

        value = parse_json_text(text) if text[:1] in "{[" else text
        return value if param.kind is Kind.OBJECT or isinstance(value, list) else [value]
    if param.kind is Kind.INTEGER:
        return int(text)
    if param.kind is Kind.NUMBER:
        return float(text)
    return text


def example_command(provider: str, method: Method) -> str:
    """``oint <provider> <Method> --option "value" …`` with the example's options."""
    words = ["oint", provider, method.name]
    for p in method.params:
        if not shown(p):
            continue
        if p.kind is Kind.BOOLEAN:
            if p.example is True:
                words.append(p.option)
            continue
        words += [p.option, f'"{example_text(p)}"']
    return " ".join(words)


def example_python(provider: str, method: Method) -> str:
    """The same call through ``oint_core.dispatch``."""
    lines = [
        "import oint_core",
        "",
        "result = oint_core.dispatch(",
        f'    "{provider}",',
        f'    "{method.name}",',
    ]
    for p in method.params:
        if shown(p):
            lines.append(f"    {p.keyword}={python_literal(example_value(p))},")
    lines.append(")")
    return "\n".join(lines)


def python_literal(value: Any) -> str:
    """A Python literal that reads like the JSON users know (double quotes, Cyrillic as is)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    return repr(value)
