"""Start-up of ``oint mcp`` until its ``tools/list`` answers, against ``oint --help``.

    python benchmarks/mcp_startup.py [--rounds N]

Uses the ``oint`` of this interpreter's environment with the ``mcp`` extra installed. Each
round times, interleaved: ``oint --help`` (process start to exit), and an MCP session over
stdio through the SDK's client (spawn, initialize, ``tools/list``) in meta mode and with
``--tools all``. Prints medians with min-max. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

OINT = str(Path(sys.executable).with_name("oint"))


def help_time() -> float:
    start = time.perf_counter()
    subprocess.run([OINT, "--help"], capture_output=True, check=True)
    return time.perf_counter() - start


def session_time(*args: str) -> tuple[float, int]:
    async def run() -> tuple[float, int]:
        params = StdioServerParameters(command=OINT, args=["mcp", *args])
        start = time.perf_counter()
        async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
            await session.initialize()
            tools = await session.list_tools()
            return time.perf_counter() - start, len(tools.tools)

    return anyio.run(run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    figures: dict[str, list[float]] = {"oint --help": [], "mcp meta": [], "mcp --tools all": []}
    counts = {}
    for _ in range(rounds):
        figures["oint --help"].append(help_time())
        seconds, counts["mcp meta"] = session_time()
        figures["mcp meta"].append(seconds)
        seconds, counts["mcp --tools all"] = session_time("--tools", "all")
        figures["mcp --tools all"].append(seconds)
    base = statistics.median(figures["oint --help"])
    for name, times in figures.items():
        median = statistics.median(times)
        tools = f", {counts[name]} tools" if name in counts else ""
        print(
            f"{name:18} {median * 1000:7.0f} ms (min {min(times) * 1000:.0f}, max"
            f" {max(times) * 1000:.0f}){tools}; x{median / base:.1f} of oint --help"
        )


if __name__ == "__main__":
    main()
