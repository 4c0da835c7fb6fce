"""``oint mcp`` knows no provider: a throwaway plugin's methods become tools unchanged; and
the MCP SDK is an optional extra that no other command loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from oint_core.testing import write_plugin_distribution

PLUGIN = """
from oint_core import Kind, Method, Param, Provider, hookimpl

def echo(ctx, word, times):
    return [word] * times

def wipe(ctx, name):
    return {"wiped": name, "key_seen": bool(ctx.values["key"])}

def blob(ctx):
    return b"PK\\x03\\x04rest"

KEY = Param("Key", "--key", Kind.STRING, "API key", secret=True, env="OINT_TOY_KEY")

@hookimpl
def oint_providers():
    return [Provider("toy", "A toy service", methods=[
        Method("Echo", "Repeats a word", "Words", echo, params=(
            Param("Word", "--word", Kind.CHOICE, "The word", required=True,
                  choices=("hey", "ho")),
            Param("Times", "--times", Kind.INTEGER, "How often", default=2),
        ), effect="read"),
        Method("Wipe", "Wipes a thing", "Words", wipe,
               params=(KEY, Param("Name", "--name", Kind.STRING, "Name", required=True)),
               effect="delete"),
        Method("Blob", "A zip", "Words", blob, binary=True, effect="local"),
    ], context_params=("key",))]
"""


def plugin_env(tmp_path: Path) -> dict[str, str]:
    folder = write_plugin_distribution(
        tmp_path / "site",
        distribution="oint-toy",
        modules={"oint_toy.py": PLUGIN},
        entry_points={"toy": "oint_toy"},
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OINT_")}
    path = os.pathsep.join([str(folder), clean.get("PYTHONPATH", "")]).strip(os.pathsep)
    return {
        **clean,
        "PYTHONPATH": path,
        "OINT_TOY_KEY": "s3cret-key",
        "OINT_CACHE_DIR": str(tmp_path / "cache"),
        "OINT_CONFIG": str(tmp_path / "config.toml"),
    }


def test_a_second_providers_methods_are_tools_without_any_change(tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = plugin_env(tmp_path)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "oint_core", "mcp", "--tools", "toy_*"], env=env
    )

    async def check() -> None:
        with anyio.fail_after(60):
            async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
                await session.initialize()
                tools = {t.name: t for t in (await session.list_tools()).tools}
                assert set(tools) == {"toy_Echo", "toy_Wipe", "toy_Blob"}
                echo = tools["toy_Echo"].input_schema
                assert echo["properties"]["word"]["enum"] == ["hey", "ho"]
                assert echo["properties"]["times"] == {
                    "type": "integer",
                    "description": "How often",
                    "default": 2,
                }
                assert echo["required"] == ["word"]
                assert tools["toy_Wipe"].input_schema["properties"].keys() == {"name"}
                wipe = tools["toy_Wipe"].annotations
                assert wipe.destructive_hint and wipe.idempotent_hint
                assert tools["toy_Blob"].annotations.open_world_hint is False
                words = await session.call_tool("toy_Echo", {"word": "ho", "times": 3})
                assert words.structured_content == {"result": ["ho", "ho", "ho"]}
                wiped = await session.call_tool("toy_Wipe", {"name": "x"})
                assert wiped.structured_content == {"wiped": "x", "key_seen": True}
                assert "s3cret" not in str(wiped.content)
                blob = await session.call_tool("toy_Blob", {})
                assert blob.content[-1].resource.mime_type == "application/zip"
                wrong = await session.call_tool("toy_Echo", {"word": "hi"})
                assert wrong.is_error and wrong.content[0].text.startswith("usage error:")

    anyio.run(check)


def test_without_the_extra_oint_mcp_says_how_to_install_it() -> None:
    code = (
        "import sys\n"
        "sys.modules['mcp'] = None  # as if the SDK were not installed\n"
        "sys.argv = ['oint', 'mcp']\n"
        "from oint_core.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "oint: oint mcp needs the MCP SDK: pip install 'oint[mcp]'"
    ]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["cdek", "GetOrderDescription"], ["plugins"], ["mcp", "--help"]],
)
def test_no_other_command_imports_anything_mcp(args: list[str]) -> None:
    code = (
        "import sys, atexit\n"
        "def report():\n"
        "    loaded = [m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')"
        " or m == 'oint_core.mcpserver']\n"
        "    sys.stderr.write('LOADED ' + ' '.join(loaded) + '\\n')\n"
        "atexit.register(report)\n"
        f"sys.argv = ['oint', *{args!r}]\n"
        "from oint_core.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "LOADED"


def test_a_write_whose_outcome_is_unknown_says_so(tmp_path: Path) -> None:
    """A write sent but never answered (the server closed the connection): the tool's error
    says, as the CLI does, that it may have been processed."""
    pytest.importorskip("mcp")
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from .conftest import HostileServer, raw

    silent = HostileServer().on("/refusal", raw(b""))  # reads the request, answers nothing
    env = {
        **plugin_env(tmp_path),
        "OINT_CDEK_BASE_URL": silent.base_url,
        "OINT_CDEK_TOKEN": "tok-MCP-abcdef123456",
    }
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "oint_core", "mcp", "--tools", "cdek_CreateRefusal"],
        env=env,
    )

    async def check() -> None:
        with anyio.fail_after(60):
            async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
                await session.initialize()
                answer = await session.call_tool(
                    "cdek_CreateRefusal", {"uuid": "f1799065-01de-448c-91cf-8afe7d4c0cfc"}
                )
        assert answer.is_error
        text = answer.content[0].text
        assert "may have been processed" in text, text
        assert "tok-MCP" not in text

    try:
        anyio.run(check)
    finally:
        silent.close()
    assert silent.seen("/refusal") == 1  # sent once, never repeated
