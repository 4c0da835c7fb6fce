"""Example calls derived from metadata, shared by ``--help`` and the generated docs.

``--help``'s example uses every required parameter and every parameter that names an
``example`` (placeholders for the rest); a docs page with a recorded result shows the values
that result was recorded with. Secrets are always shown as ``***``; command lines are quoted
for a POSIX shell.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections.abc import Mapping
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


def example_values(method: Method) -> dict[str, Any]:
    """The placeholder call ``--help`` shows: each shown parameter's example value."""
    return {p.keyword: example_value(p) for p in method.params if shown(p)}


def example_command(provider: str, method: Method) -> str:
    """``oint <provider> <Method> --option value …`` with the example's options."""
    return command_line(provider, method, example_values(method))


def example_python(provider: str, method: Method) -> str:
    """The same call through ``oint_core.dispatch``."""
    return python_call(provider, method, example_values(method))


def cli_text(param: Param, value: Any) -> str:
    """``value`` (as Python would pass it) as the text a user types after the option."""
    if param.secret:
        return MASK
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def command_line(provider: str, method: Method, values: Mapping[str, Any]) -> str:
    """``oint <provider> <Method> …`` giving exactly ``values`` (keyed by keyword), each word
    quoted for a POSIX shell; secrets are shown as ``***``."""
    words = ["oint", provider, method.name]
    for p in method.params:
        if p.keyword not in values:
            continue
        value = values[p.keyword]
        if p.kind is Kind.BOOLEAN and value is True and not p.secret:
            words.append(p.option)  # a bare flag means true
            continue
        words += [p.option, cli_text(p, value)]
    return " ".join(shlex.quote(word) for word in words)


def python_call(provider: str, method: Method, values: Mapping[str, Any]) -> str:
    """The same call through ``oint_core.dispatch``: valid Python, secrets as ``***``."""
    shown_values = {
        p.keyword: MASK if p.secret else values[p.keyword]
        for p in method.params
        if p.keyword in values
    }
    arguments = [f"    {key}={python_literal(value)}," for key, value in shown_values.items()]
    needs_datetime = _has_dates(list(shown_values.values()))
    lines = [
        *(["import datetime", ""] if needs_datetime else []),
        "import oint_core",
        "",
        "result = oint_core.dispatch(",
        f"    {python_literal(provider)},",
        f"    {python_literal(method.name)},",
        *arguments,
        ")",
    ]
    return "\n".join(lines)


def _has_dates(value: Any) -> bool:
    if isinstance(value, (dt.date, dt.datetime)):
        return True
    if isinstance(value, dict):
        return _has_dates(list(value.keys())) or _has_dates(list(value.values()))
    return isinstance(value, (list, tuple)) and any(_has_dates(v) for v in value)


def python_literal(value: Any) -> str:
    """A Python literal that reads like the JSON users know (double quotes, Cyrillic as is);
    dates and date-times as ``datetime`` calls."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(python_literal(v) for v in value) + ("," * (len(value) == 1)) + ")"
    return repr(value)
