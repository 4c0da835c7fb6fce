"""What a provider says about itself: providers, methods, parameters, and their kinds.

Everything the CLI, ``dispatch`` and the docs show is derived from these frozen records, so a
method is described exactly once. They are plain data: building them must not import the
network stack or do any I/O, because ``oint --help`` builds them on every start.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar

from .errors import PluginError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

# How a provider offers its methods; see ``Provider``.
MethodSource: TypeAlias = (
    "Sequence[Method] | Callable[[], Sequence[Method]] | Mapping[str, Sequence[str]]"
)

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Options every method command gets from the core; no provider may define them (but see
# ``WAIT``).
RESERVED_OPTIONS = frozenset(
    {
        "--help",
        "--out",
        "--debug",
        "--timeout",
        "--retries",
        "--profile",
        "--version",
        "--test",
        "--config",
        "--wait",
        "--quiet",
    }
)
# Keywords the core keeps for itself (``dispatch`` takes timeout, retries, profile and wait;
# the rest are kept free for core options to come); no parameter may be spelled like them.
RESERVED_KEYWORDS = frozenset(
    {
        "timeout",
        "retries",
        "profile",
        "debug",
        "out",
        "provider",
        "method",
        "test",
        "config",
        "wait",
        "quiet",
    }
)
#: ``--wait``: the core's option for a method that declares ``waits``. A method that waits
#: by itself (CDEK's PrintReceipt) may instead declare its own number parameter of this
#: keyword and option, and no ``waits``: its ``--wait`` (and ``dispatch``'s ``wait=``) is
#: then that parameter, so one option never means two things.
WAIT = "wait"


#: What a method may declare as its ``effect``: ``read`` asks the service and changes
#: nothing; ``local`` sends nothing (a template, a layout); ``write`` adds or changes
#: something; ``destructive`` is a write that cannot be undone (a refusal); ``delete`` removes
#: something (again: no further change); ``credential`` answers with a secret (a token), so
#: it is never offered where its result would reach a third party (an AI agent).
EFFECTS = frozenset({"read", "local", "write", "destructive", "delete", "credential"})


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
    def type_name(self) -> str:
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


_R = TypeVar("_R", bound="_Frozen")


def _construct(cls: type[_R], values: dict[str, Any]) -> _R:
    return cls(**values)


class _Frozen:
    """What ``dataclass(frozen=True)`` gives the metadata records (immutability, a repr,
    equality, hashing, pattern matching, weak references, pickling, ``copy.replace``), without
    its price: creating a dataclass compiles its generated methods, about 1.5 ms per class on
    every start of ``oint``, which was a fifth of oint's own start-up. They are not
    dataclasses, though: ``record.replace(field=…)`` stands for ``dataclasses.replace``.
    Each record lists its constructor's fields in ``_FIELDS`` (and as ``__match_args__``).
    """

    __slots__ = ("__weakref__",)
    _FIELDS: ClassVar[tuple[str, ...]] = ()
    _COMPARED: ClassVar[tuple[str, ...] | None] = None  # None: every field

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot assign {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def _values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._FIELDS}

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in (self._COMPARED or self._FIELDS))

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with some fields changed (``dataclasses.replace`` for these records)."""
        return type(self)(**{**self._values(), **changes})

    __replace__ = replace  # copy.replace (Python 3.13)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self._values().items())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy go through the constructor
        return (_construct, (type(self), self._values()))


class Param(_Frozen):
    """One parameter of a method.

    ``name`` is OPI's parameter name (``TestAPI``); the Python keyword is its snake_case
    (``test_api``) and the CLI option (``--testapi``) is also accepted as a keyword alias.
    ``env`` names an environment variable read when the caller gives no value. ``items`` is,
    for a LIST, the kind every element must have; ``example`` is shown in generated examples
    (required parameters always are).
    """

    __match_args__ = (
        "name",
        "option",
        "kind",
        "description",
        "required",
        "default",
        "secret",
        "env",
        "choices",
        "items",
        "example",
    )
    _FIELDS = __match_args__
    __slots__ = (*_FIELDS, "keyword", "alias")

    name: str
    option: str
    kind: Kind
    description: str
    required: bool
    default: Any
    secret: bool
    env: str | None
    choices: tuple[str, ...]
    items: Kind | None
    example: Any
    keyword: str  # the Python keyword: snake_case of the name, computed once
    alias: str  # the CLI option's name as a Python keyword: ``--testapi`` -> ``testapi``

    def __init__(
        self,
        name: str,
        option: str,
        kind: Kind,
        description: str,
        required: bool = False,
        default: Any = None,
        secret: bool = False,
        env: str | None = None,
        choices: tuple[str, ...] = (),
        items: Kind | None = None,
        example: Any = None,
    ) -> None:
        self._init(
            name=name,
            option=option,
            kind=kind,
            description=description,
            required=required,
            default=default,
            secret=secret,
            env=env,
            choices=choices,
            items=items,
            example=example,
            keyword=snake_case(name),
            alias=option.lstrip("-").replace("-", "_"),
        )


class Method(_Frozen):
    """One callable operation of a provider.

    ``function`` is called as ``function(ctx, **values)`` where ``values`` holds one entry per
    parameter, keyed by ``Param.keyword``, already checked and converted. ``binary_switch``
    is the keyword of a boolean parameter that turns the result into bytes (OPI's GetFile).
    ``waits``, for a write the service processes later, is called as
    ``waits(ctx, answer, seconds)`` after the function when the caller asks to wait
    (``--wait``, ``wait=``): it polls (``oint_core.waiting.poll``) and returns the result
    to give instead of ``answer``; a method with ``waits`` gets the core's ``--wait``.
    ``effect`` says what a call does to the world, for callers that ask before a change (the
    MCP server's hints): one of ``EFFECTS``, or None when the provider does not say.
    """

    __match_args__ = (
        "name",
        "summary",
        "group",
        "function",
        "params",
        "docs_url",
        "returns",
        "binary",
        "binary_switch",
        "waits",
        "effect",
    )
    _FIELDS = __match_args__
    __slots__ = _FIELDS

    name: str
    summary: str
    group: str
    function: Callable[..., Any]
    params: tuple[Param, ...]
    docs_url: str | None
    returns: str
    binary: bool
    binary_switch: str | None
    waits: Callable[..., Any] | None
    effect: str | None

    def __init__(
        self,
        name: str,
        summary: str,
        group: str,
        function: Callable[..., Any],
        params: tuple[Param, ...] = (),
        docs_url: str | None = None,
        returns: str = "The service's JSON answer",
        binary: bool = False,
        binary_switch: str | None = None,
        waits: Callable[..., Any] | None = None,
        effect: str | None = None,
    ) -> None:
        self._init(
            name=name,
            summary=summary,
            group=group,
            function=function,
            params=tuple(params),
            docs_url=docs_url,
            returns=returns,
            binary=binary,
            binary_switch=binary_switch,
            waits=waits,
            effect=effect,
        )

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


class Provider(_Frozen):
    """A web service as oint knows it.

    ``methods`` is one of:

    - the methods themselves;
    - a zero-argument callable returning them, so that a plugin's method modules stay
      unimported until its provider is used;
    - a method index, ``{"module": ("MethodName", …), …}``: each module's ``METHODS`` holds
      exactly the methods listed for it, and a call imports only the module of the method it
      runs (listing the provider's methods imports them all).

    ``context_params`` names the parameters (by keyword) that the provider's own plumbing
    reads rather than its method functions, such as CDEK's ``token`` and ``test_api``: a
    method still declares them (they are options, with help and docs), but its function does
    not take them; the plumbing finds them in ``ctx.values``.
    ``settings`` names the keys of the provider's settings that are no parameter's ``env``
    (CDEK's ``account``, ``password``, ``base_url``): with those of its parameters, they are
    what a profile's ``[profile.NAME.PROVIDER]`` table and ``connect(provider, **settings)``
    take, each standing for ``OINT_<PROVIDER>_<KEY>``.
    ``groups`` orders the method groups in listings (OPI's regions); unknown groups go last.
    ``examples``, for the generated docs, is a context manager giving an ``ExampleRun`` (a
    sandbox with a fixed clock and ids, and the values to call each method with there).
    Two providers are equal when their name, summary and groups are.
    """

    __match_args__ = (
        "name",
        "summary",
        "methods",
        "groups",
        "version",
        "examples",
        "context_params",
        "settings",
    )
    _FIELDS = __match_args__
    _COMPARED = ("name", "summary", "groups")
    __slots__ = _FIELDS

    name: str
    summary: str
    methods: MethodSource
    groups: tuple[str, ...]
    version: str | None
    examples: Callable[[], AbstractContextManager[ExampleRun]] | None
    context_params: frozenset[str]
    settings: tuple[str, ...]

    def __init__(
        self,
        name: str,
        summary: str,
        methods: MethodSource = (),
        groups: tuple[str, ...] = (),
        version: str | None = None,
        examples: Callable[[], AbstractContextManager[ExampleRun]] | None = None,
        context_params: Iterable[str] = (),
        settings: Iterable[str] = (),
    ) -> None:
        self._init(
            name=name,
            summary=summary,
            methods=methods,
            groups=tuple(groups),
            version=version,
            examples=examples,
            context_params=frozenset(context_params),
            settings=tuple(settings),
        )

    @property
    def index(self) -> Mapping[str, Sequence[str]] | None:
        """The method index (module -> method names), when the methods are given as one."""
        return self.methods if isinstance(self.methods, Mapping) else None

    def load_methods(self) -> tuple[Method, ...]:
        """Every method; imports every module of an index."""
        if isinstance(self.methods, Mapping):
            return tuple(m for module in self.methods for m in self.load_module(module))
        found = self.methods() if callable(self.methods) else self.methods
        return tuple(found)

    def load_module(self, module: str) -> tuple[Method, ...]:
        """The methods of one module of the index, checked against what the index says."""
        import importlib

        listed = self.index[module] if self.index is not None else ()
        found = tuple(getattr(importlib.import_module(module), "METHODS", ()))
        names = [getattr(m, "name", m) for m in found]
        if sorted(names) != sorted(listed):
            missing = sorted(set(listed) - set(names))
            extra = sorted(set(names) - set(listed))
            raise PluginError(
                f"{self.name}: the method index does not match {module}.METHODS"
                f" (listed but not defined: {missing}; defined but not listed: {extra})"
            )
        return found


def validate_method(provider: Provider, method: Method) -> None:
    """Refuse a method whose description cannot work, at registration rather than at call time."""
    where = f"{provider.name} {method.name}"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", method.name):
        raise PluginError(f"{where}: method names are PascalCase words")
    seen_options: set[str] = set()
    seen_keywords: set[str] = set()
    for p in method.params:
        if not isinstance(p.kind, Kind):
            raise PluginError(f"{where}: parameter {p.name} has unknown kind {p.kind!r}")
        if not p.option.startswith("--") or len(p.option) < 3:
            raise PluginError(f"{where}: option {p.option!r} must look like --name")
        own_wait = _own_wait(method, p)
        if p.option in RESERVED_OPTIONS and not own_wait:
            raise PluginError(f"{where}: option {p.option} is reserved by the core")
        if (p.keyword in RESERVED_KEYWORDS or p.alias in RESERVED_KEYWORDS) and not own_wait:
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
    if method.effect is not None and method.effect not in EFFECTS:
        raise PluginError(f"{where}: effect {method.effect!r} is not one of {sorted(EFFECTS)}")
    if method.waits is not None and not callable(method.waits):
        raise PluginError(f"{where}: waits must be callable as waits(ctx, answer, seconds)")
    _check_signature(where, method, provider.context_params)


def _own_wait(method: Method, p: Param) -> bool:
    """Whether ``p`` is a method's own ``--wait`` (see ``WAIT``): a number of seconds, on a
    method that does not also ask the core to wait."""
    return (
        method.waits is None
        and p.keyword == p.alias == WAIT
        and p.option == f"--{WAIT}"
        and p.kind in (Kind.NUMBER, Kind.INTEGER)
    )


def _check_signature(where: str, method: Method, context_params: frozenset[str]) -> None:
    """The function takes the context, then exactly the method's own parameters (those its
    provider's plumbing reads come through the context), none with a default of its own:
    ``Param.default`` is the one place a default lives, and ``bind`` always passes it."""
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
    declared = {p.keyword for p in method.params} - context_params
    if takes != declared:
        missing = sorted(declared - takes)
        extra = sorted(takes - declared)
        raise PluginError(
            f"{where}: function parameters do not match the metadata"
            f" (missing in function: {missing}, not in metadata: {extra})"
        )
    for p in params[1:]:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise PluginError(f"{where}: function takes *{p.name}; name its parameters")
        if p.default is not inspect.Parameter.empty:
            raise PluginError(
                f"{where}: parameter {p.name} has a default in the function signature;"
                " give it as Param(default=...) only"
            )


# -- for the generated docs --------------------------------------------------------------


class ExampleRun(_Frozen):
    """How to run a provider's methods for real, to record the results the docs show.

    ``params(method_name)`` gives the keyword values for one method (``None``: no recorded
    result); the page's examples show exactly these values (secrets masked). ``env`` is set
    while the methods run (e.g. a sandbox's base URL); ``replacements`` turn run-specific
    text (a sandbox's port) into stable text, in the results and in the values shown.
    """

    __match_args__ = ("params", "env", "replacements")
    _FIELDS = __match_args__
    __slots__ = _FIELDS

    params: Callable[[str], Mapping[str, Any] | None]
    env: Mapping[str, str]
    replacements: Mapping[str, str]

    def __init__(
        self,
        params: Callable[[str], Mapping[str, Any] | None],
        env: Mapping[str, str] | None = None,
        replacements: Mapping[str, str] | None = None,
    ) -> None:
        self._init(params=params, env=dict(env or {}), replacements=dict(replacements or {}))


def grouped(provider: Provider, methods: Sequence[Method]) -> list[tuple[str, list[Method]]]:
    """The methods by group, groups in the provider's order (unknown groups last, by name)."""
    order = {g: i for i, g in enumerate(provider.groups)}
    groups: dict[str, list[Method]] = {}
    for method in methods:
        groups.setdefault(method.group, []).append(method)
    return [(g, groups[g]) for g in sorted(groups, key=lambda g: (order.get(g, len(order)), g))]
