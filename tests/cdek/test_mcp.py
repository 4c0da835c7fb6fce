"""``oint mcp`` against the sandbox, through the MCP SDK's own stdio client.

Each test starts ``oint mcp`` as a subprocess, as Claude Desktop or Cursor would, with the
sandbox's address and credentials in its environment; the agent side never sees a token.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")

from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD  # noqa: E402
from oint_cdek.sandbox.config import SandboxConfig  # noqa: E402
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox  # noqa: E402

from .conftest import order_body  # noqa: E402

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(processing_delay=0)) as running:
        yield running


@pytest.fixture
def env(sandbox: RunningSandbox, tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OINT_")}
    return {
        **clean,
        "OINT_CDEK_BASE_URL": sandbox.base_url,
        "OINT_CDEK_ACCOUNT": TEST_ACCOUNT,
        "OINT_CDEK_PASSWORD": TEST_SECURE_PASSWORD,
        "OINT_CACHE_DIR": str(tmp_path / "cache"),
        "OINT_CONFIG": str(tmp_path / "config.toml"),
    }


def oint_command() -> tuple[str, list[str]]:
    script = Path(sys.executable).with_name("oint")
    if script.exists():
        return str(script), []
    return sys.executable, ["-m", "oint_core"]


@asynccontextmanager
async def server(env: dict[str, str], *args: str) -> AsyncIterator[ClientSession]:
    command, prefix = oint_command()
    params = StdioServerParameters(command=command, args=[*prefix, "mcp", *args], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def run(coroutine: Any) -> Any:
    async def main() -> Any:
        with anyio.fail_after(60):
            return await coroutine

    return anyio.run(main)


async def tool_map(session: ClientSession) -> dict[str, Any]:
    return {t.name: t for t in (await session.list_tools()).tools}


def test_the_default_is_the_five_meta_tools_since_cdek_has_more_than_40(env: dict) -> None:
    async def check() -> None:
        async with server(env) as session:
            names = list(await tool_map(session))
            assert names == [
                "get_services",
                "get_service_methods",
                "get_method_parameters",
                "execute_method",
                "get_variables",
            ]

    run(check())


def test_typed_tools_carry_schemas_and_hints_and_never_a_secret(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "all") as session:
            tools = await tool_map(session)
        assert len(tools) == 52  # every method but GetToken, whose answer is a credential
        assert "cdek_GetToken" not in tools
        refusal = tools["cdek_CreateRefusal"]
        schema = refusal.input_schema
        assert schema["required"] == ["uuid"]
        assert schema["properties"]["uuid"]["format"] == "uuid"
        for tool in tools.values():
            assert not {"token", "test_api", "password"} & set(tool.input_schema["properties"])
        hints = refusal.annotations
        assert hints.read_only_hint is False and hints.destructive_hint is True
        assert hints.idempotent_hint is False and hints.open_world_hint is True
        assert hints.title == "Create refusal"
        assert "https://api-docs.cdek.ru/" in (refusal.description or "")
        get_order = tools["cdek_GetOrder"].annotations
        assert get_order.read_only_hint is True and get_order.idempotent_hint is True
        layout = tools["cdek_GetOrderDescription"].annotations
        assert layout.read_only_hint is True and layout.open_world_hint is False
        assert tools["cdek_DeleteOrder"].annotations.idempotent_hint is True
        dates = tools["cdek_GetCashboxChecksByDate"].input_schema["properties"]
        assert dates["receiving_date"]["format"] == "date"
        prealert = tools["cdek_CreatePrealert"].input_schema["properties"]
        assert prealert["transfer_date"]["format"] == "date-time"
        receipt = tools["cdek_CreateReceipt"].input_schema["properties"]
        assert receipt["uuid_array"] == {
            "type": "array",
            "items": {"type": "string", "format": "uuid"},
            "description": receipt["uuid_array"]["description"],
        }
        assert receipt["type"]["enum"] and "default" in receipt["type"]

    run(check())


def test_a_glob_selects_tools_and_read_only_keeps_only_reads(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "cdek_Get*") as session:
            names = set(await tool_map(session))
        assert names and all(n.startswith("cdek_Get") for n in names)
        async with server(env, "--tools", "all", "--read-only") as session:
            tools = await tool_map(session)
        assert "cdek_CreateRefusal" not in tools and "cdek_GetOrder" in tools
        assert all(t.annotations.read_only_hint for t in tools.values())

    run(check())


def test_create_read_and_refuse_an_order_with_no_token_given(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "all") as session:
            created = await session.call_tool(
                "cdek_CreateOrder", {"order_description": order_body(), "online_store": True}
            )
            assert not created.is_error, created.content
            uuid = created.structured_content["entity"]["uuid"]
            got = await session.call_tool("cdek_GetOrder", {"uuid": uuid})
            assert got.structured_content["entity"]["uuid"] == uuid
            assert json.loads(got.content[0].text) == got.structured_content
            refused = await session.call_tool("cdek_CreateRefusal", {"uuid": uuid})
            assert not refused.is_error
            assert refused.structured_content["requests"][0]["type"] == "CREATE_REFUSAL"

    run(check())


def test_a_cdek_error_is_a_tool_error_with_status_codes_and_body(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "cdek_GetOrder") as session:
            answer = await session.call_tool("cdek_GetOrder", {"uuid": UNKNOWN})
        assert answer.is_error
        detail = answer.structured_content
        assert detail["status"] == 400
        assert detail["codes"] and detail["body"]
        assert json.loads(answer.content[0].text)["codes"] == detail["codes"]

    run(check())


def test_usage_errors_are_tool_errors_of_one_line(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "all") as session:
            missing = await session.call_tool("cdek_CreateRefusal", {})
            bad = await session.call_tool("cdek_CreateRefusal", {"uuid": "not-a-uuid"})
            token = await session.call_tool("cdek_GetOrder", {"uuid": UNKNOWN, "token": "x"})
        for answer in (missing, bad, token):
            assert answer.is_error
            text = answer.content[0].text
            assert text.startswith("usage error: ") and "\n" not in text
        assert "uuid" in missing.content[0].text
        assert "secrets come from the server" in token.content[0].text

    run(check())


def test_a_pdf_comes_back_as_an_embedded_resource(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--tools", "all") as session:
            created = await session.call_tool(
                "cdek_CreateOrder", {"order_description": order_body()}
            )
            uuid = created.structured_content["entity"]["uuid"]
            answer = await session.call_tool("cdek_PrintReceipt", {"uuid_array": [uuid]})
        assert not answer.is_error, answer.content
        resource = answer.content[-1].resource
        assert resource.mime_type == "application/pdf"
        assert base64.b64decode(resource.blob).startswith(b"%PDF")

    run(check())


def test_meta_tools_describe_and_execute_methods_and_resolve_variables(env: dict) -> None:
    env = {**env, "SHOP_ORDER": UNKNOWN}

    async def check() -> None:
        async with server(env, "--var", "SHOP_ORDER") as session:
            services = await session.call_tool("get_services", {})
            assert services.structured_content["services"][0]["name"] == "cdek"
            methods = await session.call_tool("get_service_methods", {"service": "cdek"})
            names = {m["name"] for m in methods.structured_content["methods"]}
            assert "CreateRefusal" in names and "GetToken" not in names
            described = await session.call_tool(
                "get_method_parameters", {"service": "cdek", "method": "CreateRefusal"}
            )
            parameters = described.structured_content["parameters"]
            assert parameters["required"] == ["uuid"]
            assert "token" not in parameters["properties"]
            variables = await session.call_tool("get_variables", {})
            assert variables.structured_content == {
                "vars": ["@@SHOP_ORDER"],
                "set": {"@@SHOP_ORDER": True},
            }
            answer = await session.call_tool(  # OPI's argument names: service, method, parameters
                "execute_method",
                {"service": "cdek", "method": "GetOrder", "parameters": {"uuid": "@@SHOP_ORDER"}},
            )
            assert answer.is_error and answer.structured_content["status"] == 400
            assert UNKNOWN in json.dumps(answer.structured_content["body"])
            other = await session.call_tool(
                "execute_method",
                {"service": "cdek", "method": "GetOrder", "params": {"uuid": "@@HOME"}},
            )
            assert other.is_error and "not offered" in other.content[0].text

    run(check())


def test_read_only_meta_tools_refuse_a_write(env: dict) -> None:
    async def check() -> None:
        async with server(env, "--read-only") as session:
            answer = await session.call_tool(
                "execute_method",
                {"service": "cdek", "method": "CreateRefusal", "params": {"uuid": UNKNOWN}},
            )
        assert answer.is_error and answer.content[0].text.startswith("usage error:")

    run(check())
