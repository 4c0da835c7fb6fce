"""Per-call overhead of ``oint server stdio`` against ``oint_core.dispatch`` in-process.

    python benchmarks/server_stdio.py            # builds the wheel, installs it in a fresh venv
    python benchmarks/server_stdio.py --quick    # fewer calls and rounds
    python benchmarks/server_stdio.py --env DIR  # the oint installed in the venv DIR instead

As benchmarks/run.py: what is measured is the built wheel installed by pip, never the source
tree. Both sides call ``GetOrder`` against the same tiny local server (werkzeug, in a process
of its own, answering at once), so the figures are oint's cost plus one loopback exchange:

- ``dispatch``: the baseline, ``oint_core.dispatch("cdek", "GetOrder", ...)`` in this process;
- ``server stdio``: one ``oint server stdio`` process (started and warmed beforehand), one
  line written and its answer read per call, one after the other (no pipelining);
- ``process per call``: ``oint cdek GetOrder`` as a new process each time, what the server
  saves a caller that would otherwise start oint per call (fewer calls: it is slow).

Rounds are interleaved (dispatch, stdio, dispatch, …); each figure is the median per call
with the min-max over rounds, and the ratio to the baseline of the same run. A measurement,
not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import WORKDIR, check_installed, installed_env, line  # noqa: E402

ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "bench-token-1234567890"

SERVER = textwrap.dedent(
    """
    import json, sys
    from werkzeug.serving import WSGIRequestHandler, make_server

    ANSWER = json.dumps({"entity": {"uuid": sys.argv[1]}, "requests": []}).encode()

    class Quiet(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_request(self, *args):
            pass

    def app(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER)))],
        )
        return [ANSWER]

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    print(server.port, flush=True)
    server.serve_forever()
    """
)


def start_server() -> tuple[str, subprocess.Popen[str]]:
    """The instant server, in a process of its own (no GIL shared with either side)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, ORDER], stdout=subprocess.PIPE, text=True, cwd=WORKDIR
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    return f"http://127.0.0.1:{port}", process


class StdioServer:
    def __init__(self, env: dict[str, str]) -> None:
        oint = str(Path(sys.executable).with_name("oint"))
        self.process = subprocess.Popen(
            [oint, "server", "stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=WORKDIR,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        self.line = f"cdek GetOrder --uuid {ORDER}\n".encode()

    def call(self) -> None:
        self.stdin.write(self.line)
        self.stdin.flush()
        answer = self.stdout.readline()
        if not answer.startswith(b'{"ok":true'):
            raise SystemExit(f"oint server stdio answered: {answer[:300]!r}")

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=30)


def per_call(job: Callable[[], None], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        job()
    return (time.perf_counter() - started) / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument("--env", type=Path, help="a venv with oint installed")
    parser.add_argument("--calls", type=int, default=None, help="calls per round [1000]")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.measure:  # set up the environment, then measure from inside it
        with tempfile.TemporaryDirectory(prefix="oint-bench-env-") as folder:
            venv = args.env or installed_env(Path(folder))
            rest = ["--quick"] if args.quick else []
            rest += [] if args.calls is None else ["--calls", str(args.calls)]
            python = str(venv / "bin" / "python")
            return subprocess.run([python, __file__, "--measure", *rest], check=False).returncode
    check_installed()
    calls = args.calls or (200 if args.quick else 1000)
    rounds = 3 if args.quick else 5
    processes = 10 if args.quick else 30
    os.environ["XDG_CACHE_HOME"] = os.path.join(WORKDIR, "cache")
    os.environ.pop("PYTHONPATH", None)
    base_url, server = start_server()
    env = {
        **os.environ,
        "OINT_CDEK_BASE_URL": f"{base_url}/v2",
        "OINT_CDEK_TOKEN": TOKEN,
        "OINT_CONFIG": os.path.join(WORKDIR, "no-config.toml"),
    }
    os.environ.update(env)
    import oint_core

    def dispatch() -> None:
        result = oint_core.dispatch("cdek", "GetOrder", uuid=ORDER)
        assert result["entity"]["uuid"] == ORDER

    oint = str(Path(sys.executable).with_name("oint"))

    def process() -> None:
        done = subprocess.run(
            [oint, "cdek", "GetOrder", "--uuid", ORDER],
            env=env,
            cwd=WORKDIR,
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"oint cdek GetOrder failed: {done.stderr[-300:]!r}")

    stdio = StdioServer(env)
    try:
        for _ in range(50):  # warm up: imports, the method's command, connections
            dispatch()
            stdio.call()
        process()
        times: dict[str, list[float]] = {"dispatch": [], "stdio": [], "process": []}
        for _ in range(rounds):
            times["dispatch"].append(per_call(dispatch, calls))
            times["stdio"].append(per_call(stdio.call, calls))
            times["process"].append(per_call(process, processes))
    finally:
        stdio.close()
        server.terminate()
        server.wait()
    print(
        f"oint {oint_core.__version__} installed from the wheel in {Path(sys.prefix).name}/;"
        f" python {sys.version.split()[0]}, {os.cpu_count()} cores; GetOrder against an"
        f" instant local server; medians of {rounds} interleaved rounds [min–max], per call"
    )
    print(
        line(
            f"oint server stdio ({calls} calls/round)",
            times["stdio"],
            times["dispatch"],
        )
    )
    print(
        line(
            f"oint cdek GetOrder, a process per call ({processes}/round)",
            times["process"],
            times["dispatch"],
        )
    )
    own = statistics.median(times["stdio"]) - statistics.median(times["dispatch"])
    print(
        f"  baseline: dispatch() in-process ({calls} calls/round);"
        f" the server's own cost per call (stdio - dispatch): {own * 1000:.2f} ms"
    )
    print(json.dumps({k: round(statistics.median(v) * 1000, 3) for k, v in times.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
