"""``oint mcp``: every method as a Model Context Protocol tool, generated from the metadata.

The server knows no provider: a tool is a ``Method`` (named ``<provider>_<Method>``), its
``inputSchema`` comes from the ``Param`` records, its hints from ``Method.effect``, and a
call goes through ``call_method`` as the CLI's does. Secrets never pass through the model:
secret parameters and the provider's own plumbing (``Provider.context_params``: CDEK's
token and test flag) are in no schema and refused as arguments; they come from the
environment, the profile or the managed token cache, exactly as on the command line.

Two modes. Typed tools (``--tools all`` or glob patterns) list one tool per method. Meta-tools
(``--tools meta``, the default when more than ``MAX_TYPED`` tools would be listed) are
OpenIntegrations' five: ``get_services``, ``get_service_methods``, ``get_method_parameters``,
``execute_method`` and ``get_variables``, so prompts written for OPI's server keep working.

Only this module imports the MCP SDK (the ``oint[mcp]`` extra); no other command loads it.
The parts that build schemas, hints and results are plain functions of the metadata, and the
SDK is touched only in ``serve``.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .context import CallOptions
from .errors import ApiError, OintError, UsageError, one_line
from .metadata import Kind, Method, Param, Provider
from .output import media_type
from .registry import Registry

#: More typed tools than this and the default is the meta-tools (some clients cap near 40).
MAX_TYPED = 40
META = "meta"
ALL = "all"
#: OPI's ``@@NAME``: a value taken from the environment variable NAME.
VARIABLE_PREFIX = "@@"
#: Effects whose calls change nothing (listed under ``--read-only``).
READ_ONLY_EFFECTS = frozenset({"read", "local"})

_SCALAR = {
    Kind.STRING: {"type": "string"},
    Kind.UUID: {"type": "string", "format": "uuid"},
    Kind.INTEGER: {"type": "integer"},
    Kind.NUMBER: {"type": "number"},
    Kind.BOOLEAN: {"type": "boolean"},
    Kind.DATE: {"type": "string", "format": "date"},
    Kind.DATETIME: {"type": "string", "format": "date-time"},
    Kind.OBJECT: {"type": "object"},
    Kind.LIST: {"type": "array"},
}


class Tool:
    """One method offered as a tool."""

    __slots__ = ("provider", "method", "name")

    def __init__(self, provider: Provider, method: Method) -> None:
        self.provider = provider
        self.method = method
        self.name = f"{provider.name}_{method.name}"

    @property
    def read_only(self) -> bool:
        return self.method.effect in READ_ONLY_EFFECTS


def offered(method: Method) -> bool:
    """Whether a method may be a tool at all: never one whose answer is a credential."""
    return method.effect != "credential"


def hidden(provider: Provider, param: Param) -> bool:
    """A parameter no agent sees or gives: a secret, or the provider's own plumbing."""
    return param.secret or param.keyword in provider.context_params


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of one parameter's value."""
    schema: dict[str, Any] = dict(_SCALAR.get(param.kind, {"type": "string"}))
    if param.kind is Kind.CHOICE:
        schema = {"type": "string", "enum": list(param.choices)}
    elif param.kind is Kind.LIST and param.items is not None:
        schema["items"] = dict(_SCALAR[param.items])
    elif param.choices:
        schema["enum"] = list(param.choices)
    description = param.description
    if param.env and not param.secret:
        description += f" (default from {param.env} or the profile when not given)"
    schema["description"] = description
    if param.default is not None and _is_json(param.default):
        schema["default"] = param.default
    return schema


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def input_schema(provider: Provider, method: Method) -> dict[str, Any]:
    """The tool's ``inputSchema``: every parameter an agent may give, none it may not."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for p in method.params:
        if hidden(provider, p):
            continue
        properties[p.keyword] = param_schema(p)
        if p.required and not p.env:
            required.append(p.keyword)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def description(method: Method) -> str:
    """Summary, what it returns, and the service's documentation."""
    text = f"{method.summary}. Returns: {method.returns}."
    if method.binary or method.binary_switch:
        text += " A file comes back as an embedded resource with its MIME type."
    if method.docs_url:
        text += f" API documentation: {method.docs_url}"
    return text


def hints(method: Method) -> dict[str, Any]:
    """MCP's tool hints from ``Method.effect`` (camelCase, as on the wire)."""
    effect = method.effect
    found: dict[str, Any] = {"title": _title(method.name)}
    found["readOnlyHint"] = effect in READ_ONLY_EFFECTS
    if effect not in READ_ONLY_EFFECTS:
        # Unknown effects keep MCP's cautious default (destructive) by saying so.
        found["destructiveHint"] = effect in (None, "destructive", "delete")
    found["idempotentHint"] = effect in ("read", "local", "delete")
    found["openWorldHint"] = effect != "local"
    return found


def _title(name: str) -> str:
    from .metadata import snake_case

    words = snake_case(name).split("_")
    return " ".join([words[0].capitalize(), *words[1:]])


def select(registry: Registry, patterns: Sequence[str], read_only: bool) -> tuple[str, list[Tool]]:
    """The mode (``typed`` or ``meta``) and the tools the patterns select."""
    wanted = [p for pattern in patterns for p in pattern.split(",") if p.strip()]
    tools = [
        Tool(registry.provider(name), method)
        for name in registry.provider_names
        for method in registry.methods(name)
        if offered(method)
    ]
    if read_only:
        tools = [t for t in tools if t.read_only]
    if META in wanted:
        if len(wanted) > 1:
            raise UsageError("--tools meta cannot be combined with other selections")
        return META, tools
    if not wanted:
        return (META if len(tools) > MAX_TYPED else "typed"), tools
    if ALL not in wanted:
        tools = [t for t in tools if any(fnmatch.fnmatchcase(t.name, p) for p in wanted)]
        if not tools:
            raise UsageError(f"--tools {','.join(wanted)} selects no method")
    return "typed", tools


# -- calls -----------------------------------------------------------------------------------


class Outcome:
    """What a call gives back: text, structured content, maybe a file, and whether it failed."""

    __slots__ = ("text", "structured", "blob", "mime", "uri", "error")

    def __init__(
        self,
        text: str,
        structured: dict[str, Any] | None = None,
        *,
        blob: bytes | None = None,
        mime: str | None = None,
        uri: str | None = None,
        error: bool = False,
    ) -> None:
        self.text = text
        self.structured = structured
        self.blob = blob
        self.mime = mime
        self.uri = uri
        self.error = error


def resolve_variables(values: Mapping[str, Any], variables: Iterable[str]) -> dict[str, Any]:
    """OPI's ``@@NAME`` values, taken from the environment; only the variables the server
    was started with (``--var``) may be named, so an agent cannot read any other."""
    allowed = set(variables)
    resolved: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str) and value.startswith(VARIABLE_PREFIX):
            name = value[len(VARIABLE_PREFIX) :]
            if name not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                raise UsageError(f"{key}: variable {name!r} is not offered (variables: {known})")
            if name not in os.environ:
                raise UsageError(f"{key}: variable {name!r} is not set in the environment")
            value = os.environ[name]
        resolved[key] = value
    return resolved


def run_tool(
    tool: Tool,
    arguments: Mapping[str, Any] | None,
    *,
    profile: str | None = None,
    variables: Iterable[str] = (),
) -> Outcome:
    """Call the tool's method with the agent's arguments; every failure is an ``Outcome``."""
    from .dispatcher import call_method

    provider, method = tool.provider, tool.method
    try:
        given = dict(arguments or {})
        allowed = {p.keyword for p in method.params if not hidden(provider, p)}
        refused = sorted(set(given) - allowed)
        if refused:
            known = ", ".join(sorted(allowed)) or "none"
            raise UsageError(
                f"{method.name} takes no argument {', '.join(map(repr, refused))}"
                f" (arguments: {known}; secrets come from the server's settings)"
            )
        given = resolve_variables(given, variables)
        result = call_method(provider, method, given, options=CallOptions(profile=profile))
    except ApiError as exc:
        detail = {"error": str(exc), "status": exc.status, "codes": exc.codes, "body": exc.body}
        return Outcome(_json(detail), detail, error=True)
    except UsageError as exc:
        return Outcome(f"usage error: {one_line(str(exc))}", error=True)
    except OintError as exc:  # transport: says whether a write may have been processed
        return Outcome(f"error: {one_line(str(exc))}", error=True)
    return outcome(tool, result)


def outcome(tool: Tool, result: Any) -> Outcome:
    """A successful result: a file as a resource, anything else as JSON (an object as is,
    any other value as ``{"result": ...}``)."""
    if isinstance(result, (bytes, bytearray)):
        data = bytes(result)
        mime = media_type(data)
        uri = f"oint://{tool.provider.name}/{tool.method.name}"
        return Outcome(f"{len(data)} bytes, {mime}", blob=data, mime=mime, uri=uri)
    structured = result if isinstance(result, dict) else {"result": result}
    return Outcome(_json(result), structured)


def _json(value: Any) -> str:
    from .output import to_json

    return to_json(value)


# -- the meta-tools --------------------------------------------------------------------------

_SERVICE = {"type": "string", "description": "The service (provider), e.g. from get_services"}
_METHOD = {"type": "string", "description": "The method's name, from get_service_methods"}

META_TOOLS: dict[str, dict[str, Any]] = {
    "get_services": {
        "description": "List the available services (providers) and what each one is.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    "get_service_methods": {
        "description": "List a service's methods: name, summary, group and whether it only reads.",
        "inputSchema": {
            "type": "object",
            "properties": {"service": _SERVICE},
            "required": ["service"],
        },
    },
    "get_method_parameters": {
        "description": "Describe a method: what it returns, its hints and its parameters as a"
        " JSON Schema (types, formats, allowed values, defaults, required ones).",
        "inputSchema": {
            "type": "object",
            "properties": {"service": _SERVICE, "method": _METHOD},
            "required": ["service", "method"],
        },
    },
    "execute_method": {
        "description": "Run a method with named parameters (as get_method_parameters describes"
        " them; a value '@@NAME' is the variable NAME from get_variables). Secrets such as"
        " tokens are never given: the server has them.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "service": _SERVICE,
                "method": _METHOD,
                "parameters": {
                    "type": "object",
                    "description": "The method's parameters by name",
                    "default": {},
                },
            },
            "required": ["service", "method"],
        },
    },
    "get_variables": {
        "description": "List the variables a parameter value may name as '@@NAME' (names"
        " only: the values stay on the server).",
        "inputSchema": {"type": "object", "properties": {}},
    },
}


class Catalog:
    """The tools a server offers, and how it runs a call to any of them."""

    def __init__(
        self,
        mode: str,
        tools: Sequence[Tool],
        *,
        profile: str | None = None,
        variables: Sequence[str] = (),
    ) -> None:
        self.mode = mode
        self.tools = {t.name: t for t in tools}
        self.profile = profile
        self.variables = tuple(variables)

    def listing(self) -> list[dict[str, Any]]:
        """The ``tools/list`` answer, as plain dicts in the protocol's (camelCase) names."""
        if self.mode == META:
            return [{"name": name, **spec} for name, spec in META_TOOLS.items()]
        return [
            {
                "name": t.name,
                "description": description(t.method),
                "inputSchema": input_schema(t.provider, t.method),
                "annotations": hints(t.method),
            }
            for t in self.tools.values()
        ]

    def call(self, name: str, arguments: Mapping[str, Any] | None) -> Outcome:
        arguments = dict(arguments or {})
        if self.mode != META:
            tool = self.tools.get(name)
            if tool is None:
                return Outcome(f"usage error: no tool {name!r}", error=True)
            return run_tool(tool, arguments, profile=self.profile, variables=self.variables)
        try:
            if name == "execute_method":
                tool = self._find(arguments.get("service"), arguments.get("method"))
                # OPI's name is ``parameters``; ``params`` is accepted too.
                params = arguments.get("parameters", arguments.get("params")) or {}
                if not isinstance(params, dict):
                    raise UsageError("parameters: give the method's parameters as an object")
                return run_tool(tool, params, profile=self.profile, variables=self.variables)
            return outcome_of(self._describe(name, arguments))
        except UsageError as exc:
            return Outcome(f"usage error: {one_line(str(exc))}", error=True)

    def _describe(self, name: str, arguments: Mapping[str, Any]) -> Any:
        if name == "get_services":
            providers: dict[str, Provider] = {}
            for t in self.tools.values():
                providers.setdefault(t.provider.name, t.provider)
            return {  # OPI's shape: name and title, plus what each one is
                "services": [
                    {"name": p.name, "title": p.name, "summary": p.summary}
                    for p in providers.values()
                ]
            }
        if name == "get_service_methods":
            service = self._service(arguments.get("service"))
            return {  # OPI's shape: name and description, plus the group and a read-only flag
                "methods": [
                    {
                        "name": t.method.name,
                        "description": t.method.summary,
                        "group": t.method.group,
                        "readOnly": t.read_only,
                    }
                    for t in self.tools.values()
                    if t.provider.name == service
                ]
            }
        if name == "get_method_parameters":
            tool = self._find(arguments.get("service"), arguments.get("method"))
            return {
                "service": tool.provider.name,
                "method": tool.method.name,
                "description": description(tool.method),
                "annotations": hints(tool.method),
                "parameters": input_schema(tool.provider, tool.method),
            }
        if name == "get_variables":
            # OPI's shape: the names as they are written in a value (never the values).
            return {
                "vars": [f"@@{v}" for v in self.variables],
                "set": {f"@@{v}": v in os.environ for v in self.variables},
            }
        raise UsageError(f"no tool {name!r} (tools: {', '.join(META_TOOLS)})")

    def _service(self, service: Any) -> str:
        names = {t.provider.name for t in self.tools.values()}
        if not isinstance(service, str) or service.lower() not in names:
            raise UsageError(f"service {service!r} is not one of: {', '.join(sorted(names))}")
        return service.lower()

    def _find(self, service: Any, method: Any) -> Tool:
        provider = self._service(service)
        if not isinstance(method, str):
            raise UsageError("method: give a method's name, from get_service_methods")
        from .registry import _fold

        for t in self.tools.values():
            if t.provider.name == provider and _fold(t.method.name) == _fold(method):
                return t
        raise UsageError(f"{provider} has no method {method!r} here (see get_service_methods)")


def outcome_of(value: Any) -> Outcome:
    return Outcome(_json(value), value if isinstance(value, dict) else {"result": value})


# -- the SDK ---------------------------------------------------------------------------------


def serve(catalog: Catalog, name: str = "oint", version: str = "") -> None:
    """Serve the catalog over standard input and output until the client closes them."""
    import anyio
    import mcp.types as types
    from mcp.server.lowlevel import Server
    from mcp.server.stdio import stdio_server

    listed = [types.Tool.model_validate(spec) for spec in catalog.listing()]

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        done = await anyio.to_thread.run_sync(catalog.call, params.name, params.arguments)
        content: list[Any] = [types.TextContent(type="text", text=done.text)]
        if done.blob is not None:
            content.append(
                types.EmbeddedResource(
                    type="resource",
                    resource=types.BlobResourceContents(
                        uri=done.uri or "oint://result",
                        mime_type=done.mime,
                        blob=base64.b64encode(done.blob).decode("ascii"),
                    ),
                )
            )
        return types.CallToolResult(
            content=content, structured_content=done.structured, is_error=done.error
        )

    server: Server[Any] = Server(
        name, version=version, on_list_tools=list_tools, on_call_tool=call_tool
    )

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)
