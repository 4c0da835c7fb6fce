"""A docs page's examples are the call that produced its result.

The provider's ``ExampleRun`` is spied on while the pages are generated: for every page with
a Result, its Python example and its CLI example, read back (Python by ``ast``, the command
by ``shlex`` and the method's own click command), must give exactly the values the run gave
(secrets as ``***``, the run's replacements applied).
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from oint_core import ExampleRun, Kind, Method, Param, Provider
from oint_core.cli import build_command
from oint_core.coerce import coerce
from oint_core.docs import generate
from oint_core.examples import command_line, python_call
from oint_core.registry import Registry

DOCS = Path(__file__).resolve().parents[2] / "docs"
MASK = "***"


class Spied:
    def __init__(self) -> None:
        self.given: dict[str, dict[str, Any]] = {}
        self.replacements: Mapping[str, str] = {}


@pytest.fixture(scope="module")
def cdek_run() -> tuple[Provider, dict[str, str], Spied]:
    """The cdek pages, generated in memory while recording what the ExampleRun gave."""
    from oint_cdek.plugin import PROVIDER

    assert PROVIDER.examples is not None
    examples = PROVIDER.examples
    spied = Spied()

    @contextmanager
    def spying() -> Iterator[ExampleRun]:
        with examples() as run:
            spied.replacements = dict(run.replacements)

            def params(name: str) -> Mapping[str, Any] | None:
                values = run.params(name)
                if values is not None:
                    spied.given[name] = copy.deepcopy(dict(values))
                return values

            yield run.replace(params=params)

    provider = PROVIDER.replace(examples=spying)
    pages = generate(Registry.from_providers([provider]), "cdek")
    return provider, pages, spied


def shown(method: Method, values: Mapping[str, Any], replacements: Mapping[str, str]) -> Any:
    """What a page must show for ``values``: secrets masked, replacements applied."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for old, new in replacements.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(clean(v) for v in value)
        return value

    secret = {p.keyword for p in method.params if p.secret}
    return {k: MASK if k in secret else clean(v) for k, v in values.items()}


def typed(value: Any) -> Any:
    """``value`` with every type spelled out, so that 1 == 1.0 == True no longer holds (and
    the order of keys counts, but for the keyword arguments themselves)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, value)


def kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    return dict(sorted(values.items()))


def block(page: str, title: str) -> str:
    start = page.index(f'title="{title}"\n') + len(title) + 9
    return page[start : page.index("\n```", start)]


def python_values(code: str, provider: str, method: str) -> dict[str, Any]:
    """The keyword values of the ``oint_core.dispatch`` call in ``code`` (which must parse)."""
    tree = ast.parse(code)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "dispatch"
    ]
    assert len(calls) == 1, code
    call = calls[0]
    assert [ast.literal_eval(a) for a in call.args] == [provider, method]
    namespace = {"__builtins__": {}, "datetime": dt}
    values = {}
    for keyword in call.keywords:
        assert keyword.arg is not None
        expression = ast.Expression(keyword.value)
        values[keyword.arg] = eval(compile(expression, "<example>", "eval"), namespace)  # noqa: S307
    return values


def cli_values(command: str, provider: Provider, method: Method) -> dict[str, Any]:
    """The values the command line gives, read by the method's own click command and
    converted as the CLI converts them."""
    words = shlex.split(command)
    assert words[:3] == ["oint", provider.name, method.name], command
    ctx = build_command(provider, method).make_context(method.name, words[3:])
    given = {k: v for k, v in ctx.params.items() if v is not None and not k.startswith("_")}
    return {k: coerce(method.param(k), v, label=k) for k, v in given.items()}


def test_every_page_with_a_result_shows_the_call_that_made_it(cdek_run) -> None:
    provider, pages, spied = cdek_run
    methods = {m.name: m for m in provider.load_methods()}
    with_result = [path for path, page in pages.items() if '```json title="Result"' in page]
    assert len(with_result) == len(spied.given) >= 40  # every recorded method has its page
    parameters = 0
    for path in with_result:
        page = pages[path]
        assert (DOCS / path).read_text(encoding="utf-8") == page, f"{path} is stale"
        method = methods[path.removeprefix("cdek/").removesuffix(".md")]
        expected = shown(method, spied.given[method.name], spied.replacements)

        in_python = python_values(block(page, "Code example"), "cdek", method.name)
        assert typed(kwargs(in_python)) == typed(kwargs(expected)), path

        in_cli = cli_values(block(page, "CLI example"), provider, method)
        converted = {k: coerce(method.param(k), v, label=k) for k, v in expected.items()}
        assert typed(kwargs(in_cli)) == typed(kwargs(converted)), path
        parameters += len(expected)
    assert parameters > 100


def test_the_recorded_values_are_the_ones_the_run_gave(cdek_run) -> None:
    """Spot checks that read like the pages: Novosibirsk, city 270, a real order."""
    _, pages, spied = cdek_run
    assert "--name 'Новосиб' --country RU" in pages["cdek/SuggestCities.md"]
    assert "--city 270" in pages["cdek/GetPostalCodes.md"]
    order = spied.given["GetOrder"]["uuid"]
    assert f"--uuid {order}" in pages["cdek/GetOrder.md"]
    assert f'uuid="{order}"' in pages["cdek/GetOrder.md"]
    assert "f1799065-01de-448c-91cf-8afe7d4c0cfc" not in pages["cdek/GetOrder.md"]
    token = spied.given["GetOrder"]["token"]
    assert all(token not in page for page in pages.values())


# -- the renderers on hostile values ---------------------------------------------------------


def _echo(ctx: Any, **values: Any) -> Any:
    return values


HOSTILE = Method(
    "Echo",
    "Echoes",
    "Misc",
    _echo,
    (
        Param("Token", "--token", Kind.STRING, "Token", secret=True),
        Param("Text", "--text", Kind.STRING, "Text"),
        Param("Body", "--body", Kind.OBJECT, "Body"),
        Param("Items", "--items", Kind.LIST, "Items"),
        Param("When", "--when", Kind.DATETIME, "When"),
        Param("Flag", "--flag", Kind.BOOLEAN, "Flag"),
        Param("Other", "--other", Kind.BOOLEAN, "Other"),
        Param("Count", "--count", Kind.NUMBER, "Count"),
    ),
)
HOSTILE_VALUES: dict[str, Any] = {
    "token": "s3cr3t-token",
    "text": 'it\'s "Новосибирск"; rm -rf / $(id) `id` \\ \n next',
    "body": {"город": "Новосибирск", "quote": "it's", "nested": [1, 2.5, True, None]},
    "items": ["a b", "it's", "Пётр"],
    "when": dt.datetime(2026, 8, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    "flag": True,
    "other": False,
    "count": 1.5,
}


def test_the_command_line_is_shell_correct_for_any_value() -> None:
    provider = Provider("echo", "Echoes", (HOSTILE,))
    line = command_line("echo", HOSTILE, HOSTILE_VALUES)
    assert "s3cr3t" not in line
    words = shlex.split(line)
    assert words[words.index("--text") + 1] == HOSTILE_VALUES["text"]
    assert words[words.index("--token") + 1] == MASK
    assert "--flag" in words and words[words.index("--other") + 1] == "false"
    values = cli_values(line, provider, HOSTILE)
    expected = {**HOSTILE_VALUES, "token": MASK}
    converted = {k: coerce(HOSTILE.param(k), v, label=k) for k, v in expected.items()}
    assert typed(kwargs(values)) == typed(kwargs(converted))


def test_the_python_example_is_valid_python_for_any_value() -> None:
    code = python_call("echo", HOSTILE, HOSTILE_VALUES)
    assert "s3cr3t" not in code
    in_python = python_values(code, "echo", "Echo")
    assert typed(kwargs(in_python)) == typed(kwargs({**HOSTILE_VALUES, "token": MASK}))
