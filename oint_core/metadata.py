"""What a provider says about itself: providers, methods, parameters, and their kinds.

Everything the CLI, ``dispatch`` and the docs show is derived from these frozen records, so a
method is described exactly once. They are plain data: building them must not import the
network stack or do any I/O, because ``oint --help`` builds them on every start.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .errors import PluginError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from .docs import ExampleRun

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Options every method command gets from the core; no provider may define them.
RESERVED_OPTIONS = frozenset({"--help", "--out", "--debug", "--timeout", "--retries", "--version"})
# Keywords the core keeps for itself (``dispatch`` takes timeout and retries; the rest are
# kept free for core options to come); no parameter may be spelled like them.
RESERVED_KEYWORDS = frozenset({"timeout", "retries", "debug", "out", "provider", "method"})


def snake_case(name: str) -> str:
    """``TestAPI`` -> ``test_api``, ``UUIDArray`` -> ``uuid_array``, ``UUID`` -> ``uuid``."""
    return _WORD_BOUNDARY.sub("_", name).replace("-", "_").lower()


class Kind(str, enum.Enum):
    """The closed set of parameter kinds; ``coerce`` knows how to read each one."""

    STRING = "string"
    UUID = "uuid"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    OBJECT = "object"
    LIST = "list"

    @property
    def title(self) -> str:
        """The type name shown in help and docs, in OPI's words."""
        return _KIND_TITLES[self]


_KIND_TITLES = {
    Kind.STRING: "String",
    Kind.UUID: "String",
    Kind.INTEGER: "Number",
    Kind.NUMBER: "Number",
    Kind.BOOLEAN: "Boolean",
    Kind.DATE: "Date",
    Kind.DATETIME: "Date",
    Kind.CHOICE: "String",
    Kind.OBJECT: "Structure",
    Kind.LIST: "Array",
}


@dataclass(frozen=True)
class Param:
    """One parameter of a method.

    ``name`` is OPI's parameter name (``TestAPI``); the Python keyword is its snake_case
    (``test_api``) and the CLI option (``--testapi``) is also accepted as a keyword alias.
    ``env`` names an environment variable read when the caller gives no value.
    """

    name: str
    option: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None
    secret: bool = False
    env: str | None = None
    choices: tuple[str, ...] = ()
    items: Kind | None = None  # for LIST: the kind every element must have
    example: Any = None  # shown in generated examples; required parameters always are

    @cached_property  # asked on every call: computed once per parameter
    def keyword(self) -> str:
        return snake_case(self.name)

    @cached_property
    def alias(self) -> str:
        """The CLI option's name as a Python keyword: ``--testapi`` -> ``testapi``."""
        return self.option.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Method:
    """One callable operation of a provider.

    ``function`` is called as ``function(ctx, **values)`` where ``values`` holds one entry per
    parameter, keyed by ``Param.keyword``, already checked and converted.
    """

    name: str
    summary: str
    group: str
    function: Callable[..., Any]
    params: tuple[Param, ...] = ()
    docs_url: str | None = None
    returns: str = "The service's JSON answer"
    binary: bool = False
    # The keyword of a boolean parameter that turns the result into bytes (OPI's GetFile).
    binary_switch: str | None = None

    @property
    def python_name(self) -> str:
        return snake_case(self.name)

    def returns_binary(self, values: Mapping[str, Any]) -> bool:
        """Whether a call with these (bound) values gives bytes rather than JSON."""
        return self.binary or bool(self.binary_switch and values.get(self.binary_switch))

    def param(self, keyword: str) -> Param:
        for p in self.params:
            if p.keyword == keyword:
                return p
        raise KeyError(keyword)


@dataclass(frozen=True)
class Provider:
    """A web service as oint knows it.

    ``methods`` is either the methods themselves or a zero-argument callable returning them,
    so that a plugin can keep its method modules unimported until its provider is used.
    ``groups`` orders the method groups in listings (OPI's regions); unknown groups go last.
    """

    name: str
    summary: str
    methods: Sequence[Method] | Callable[[], Sequence[Method]] = ()
    groups: tuple[str, ...] = ()
    version: str | None = field(default=None, compare=False)
    # For the generated docs: a context manager giving an ``ExampleRun`` (a sandbox with a
    # fixed clock and ids, and the values to call each method with there).
    examples: Callable[[], AbstractContextManager[ExampleRun]] | None = field(
        default=None, compare=False
    )

    def load_methods(self) -> tuple[Method, ...]:
        found = self.methods() if callable(self.methods) else self.methods
        return tuple(found)


def validate_method(provider: str, method: Method) -> None:
    """Refuse a method whose description cannot work, at registration rather than at call time."""
    where = f"{provider} {method.name}"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", method.name):
        raise PluginError(f"{where}: method names are PascalCase words")
    seen_options: set[str] = set()
    seen_keywords: set[str] = set()
    for p in method.params:
        if not isinstance(p.kind, Kind):
            raise PluginError(f"{where}: parameter {p.name} has unknown kind {p.kind!r}")
        if not p.option.startswith("--") or len(p.option) < 3:
            raise PluginError(f"{where}: option {p.option!r} must look like --name")
        if p.option in RESERVED_OPTIONS:
            raise PluginError(f"{where}: option {p.option} is reserved by the core")
        if p.keyword in RESERVED_KEYWORDS or p.alias in RESERVED_KEYWORDS:
            raise PluginError(f"{where}: parameter {p.name} clashes with a core keyword")
        if p.option in seen_options:
            raise PluginError(f"{where}: option {p.option} is defined twice")
        if p.keyword in seen_keywords:
            raise PluginError(f"{where}: parameter {p.name} is defined twice")
        if p.required and p.default is not None:
            raise PluginError(f"{where}: required parameter {p.name} cannot have a default")
        if p.items is not None and (p.kind is not Kind.LIST or p.items is Kind.LIST):
            raise PluginError(f"{where}: only a list parameter has items of one kind")
        if p.kind is Kind.CHOICE and not p.choices:
            raise PluginError(f"{where}: choice parameter {p.name} lists no choices")
        seen_options.add(p.option)
        seen_keywords.add(p.keyword)
    if method.binary_switch is not None and method.binary_switch not in seen_keywords:
        raise PluginError(f"{where}: binary_switch {method.binary_switch!r} is not a parameter")
    _check_signature(where, method)


def _check_signature(where: str, method: Method) -> None:
    try:
        signature = inspect.signature(method.function)
    except (TypeError, ValueError) as exc:  # builtins without signatures
        raise PluginError(f"{where}: function has no inspectable signature") from exc
    params = list(signature.parameters.values())
    if not params or params[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise PluginError(f"{where}: function must take the call context as first argument")
    takes = {p.name for p in params[1:]}
    declared = {p.keyword for p in method.params}
    if takes != declared:
        missing = sorted(declared - takes)
        extra = sorted(takes - declared)
        raise PluginError(
            f"{where}: function parameters do not match the metadata"
            f" (missing in function: {missing}, not in metadata: {extra})"
        )
