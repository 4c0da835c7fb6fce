"""Start-up, per-call overhead and memory of oint, each against its floor in the same run.

    python benchmarks/run.py            # builds the wheel, installs it in a fresh venv, measures
    python benchmarks/run.py --quick    # fewer rounds
    python benchmarks/run.py --env DIR  # measure the oint installed in the venv DIR instead

What is measured is what users run: the built wheel installed by pip (which compiles the
bytecode), never the editable source tree. Every figure is a median of interleaved runs
(ours, baseline, ours, …), printed with its min–max so the machine's noise is visible, and
as a ratio to the baseline. The baselines: a bare ``requests.post`` script; the same-stack
floor, a script that imports click, pluggy and requests (what oint is built on) and makes the
same POST; ``python -c "import click"`` for help screens. These are measurements, not tests:
nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
OINT = [str(BIN / "oint")]
ORDER = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
TOKEN = "bench-token-1234567890"
ANSWER = json.dumps(
    {
        "entity": {"uuid": ORDER},
        "requests": [
            {
                "request_uuid": "r-1",
                "type": "CREATE_REFUSAL",
                "state": "ACCEPTED",
                "date_time": "2026-08-01T14:34:18+0000",
                "errors": [],
                "warnings": [],
            }
        ],
    }
).encode()
FORBIDDEN_AT_HELP = ("requests", "urllib3", "werkzeug")
# Where processes run: outside the checkout, so `python -c` cannot import the source tree.
WORKDIR = tempfile.mkdtemp(prefix="oint-bench-")
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)


# -- the environment under test ----------------------------------------------------------------


# What building the wheel reads; it is built from a copy, so that nothing stale in the
# checkout (a build/ folder left by another tool) can end up in the measured wheel.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "oint", "oint_core", "plugins")


def installed_env(folder: Path) -> Path:
    """Build the wheel from this checkout and install it (with its dependencies) in a new venv."""
    print("building the wheel and installing it in a fresh venv …", flush=True)
    source = folder / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(REPO / name, source / name, ignore=skip)
        else:
            shutil.copy2(REPO / name, source / name)
    wheels = folder / "wheels"
    quiet([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(source)])
    (wheel,) = wheels.glob("oint-*.whl")
    venv = folder / "venv"
    quiet([sys.executable, "-m", "venv", str(venv)])
    quiet([str(venv / "bin" / "python"), "-m", "pip", "install", str(wheel)])
    return venv


def quiet(command: Sequence[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")


def check_installed() -> None:
    """Refuse to measure a source tree: oint must come from this venv's site-packages, compiled."""
    import oint_core

    package = Path(oint_core.__file__).resolve().parent
    if Path(sys.prefix).resolve() not in package.parents:
        raise SystemExit(f"oint is not installed in {sys.prefix} (found it in {package})")
    if not list((package / "__pycache__").glob("cli.*.pyc")):
        raise SystemExit("oint's bytecode is not compiled; install it with pip (not editable)")


# -- a local server both sides talk to ---------------------------------------------------------


def start_server() -> tuple[str, Callable[[], None]]:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as CDEK's edge offers

        def log_request(self, *args: object) -> None:
            pass

    def app(environ, start_response):  # noqa: ANN001, ANN202
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(
            "202 Accepted",
            [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER)))],
        )
        return [ANSWER]

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server.shutdown


# -- measuring -------------------------------------------------------------------------------


def run_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=WORKDIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def instructions(command: Sequence[str], env: dict[str, str]) -> int:
    """Instructions one run executes, counted by valgrind's callgrind: the same count for the
    same program and input whatever else the machine is doing (wall time on a shared machine
    can swing by a tenth from run to run)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        cwd=WORKDIR,
        capture_output=True,
        text=True,
        check=False,
    )
    for row in done.stderr.splitlines():
        if "Collected :" in row:
            return int(row.rsplit(":", 1)[1])
    raise SystemExit(f"callgrind gave no count for {' '.join(command)}: {done.stderr[-500:]}")


def count_line(label: str, ours: int, base: int, target: float | None = None) -> str:
    verdict = (
        ""
        if target is None
        else f"  (target ≤ {target:.2f}×: {'met' if ours / base <= target else 'NOT met'})"
    )
    return (
        f"  {label:42s} {ours / 1e6:8.1f} M instructions  baseline {base / 1e6:8.1f} M"
        f"  ratio {ours / base:5.2f}×{verdict}"
    )


COUNT_INSTRUCTIONS = False  # --instructions


def interleave(commands: dict[str, Sequence[str]], env: dict[str, str], rounds: int):
    times: dict[str, list[float]] = {k: [] for k in commands}
    memory: dict[str, list[int]] = {k: [] for k in commands}
    for command in commands.values():  # warm the file cache once
        run_process(command, env)
    for _ in range(rounds):
        for name, command in commands.items():
            elapsed, rss = run_process(command, env)
            times[name].append(elapsed)
            memory[name].append(rss)
    return times, memory


def line(
    label: str,
    ours: list[float],
    base: list[float],
    unit: str = "ms",
    scale: float = 1000.0,
    target: float | None = None,
) -> str:
    o, b = statistics.median(ours), statistics.median(base)
    verdict = (
        ""
        if target is None
        else f"  (target ≤ {target:.2f}×: {'met' if o / b <= target else 'NOT met'})"
    )
    return (
        f"  {label:42s} {o * scale:8.1f} {unit} [{min(ours) * scale:.1f}–{max(ours) * scale:.1f}]"
        f"  baseline {b * scale:8.1f} {unit} [{min(base) * scale:.1f}–{max(base) * scale:.1f}]"
        f"  ratio {o / b:5.2f}×{verdict}"
    )


# -- 1. a whole CreateRefusal process -----------------------------------------------------------


def bench_process(base_url: str, rounds: int) -> None:
    env = {**os.environ, "OINT_CDEK_BASE_URL": f"{base_url}/v2", "OINT_CDEK_TOKEN": TOKEN}
    post = textwrap.dedent(f"""
        requests.post("{base_url}/v2/orders/{ORDER}/refusal",
                      headers={{"Authorization": "Bearer {TOKEN}"}}, timeout=(10, 60)).json()
    """)
    commands = {
        "oint": [*OINT, "cdek", "CreateRefusal", "--uuid", ORDER, "--testapi"],
        "bare": [sys.executable, "-c", "import requests\n" + post],
        "floor": [sys.executable, "-c", "import click, pluggy, requests\n" + post],
    }
    times, memory = interleave(commands, env, rounds)
    print("1. `oint cdek CreateRefusal` as a process vs a bare requests.post script")
    print(line("whole process", times["oint"], times["bare"], target=1.25))
    print(line("  same-stack floor (click+pluggy+requests)", times["floor"], times["bare"]))
    own = statistics.median(times["oint"]) - statistics.median(times["floor"])
    print(f"  {'':42s} oint's own share (oint - floor): {own * 1000:.1f} ms")
    if COUNT_INSTRUCTIONS:
        counts = {name: instructions(command, env) for name, command in commands.items()}
        print(count_line("whole process", counts["oint"], counts["bare"], target=1.25))
        print(count_line("  same-stack floor", counts["floor"], counts["bare"]))
    print("4. memory: peak RSS of the same processes")
    print(
        line(
            "peak RSS",
            [m / 1024 for m in memory["oint"]],
            [m / 1024 for m in memory["bare"]],
            unit="MiB",
            scale=1.0,
        )
    )


# -- 2. help screens ----------------------------------------------------------------------------


def bench_help(rounds: int) -> None:
    env = dict(os.environ)
    baseline = [sys.executable, "-c", "import click"]
    print("2. help screens vs `python -c 'import click'`")
    for args in (["--help"], ["cdek", "--help"], ["cdek", "CreateRefusal", "--help"]):
        commands = {"oint": [*OINT, *args], "click": baseline}
        times, _ = interleave(commands, env, rounds)
        print(line("oint " + " ".join(args), times["oint"], times["click"], target=1.5))
        if COUNT_INSTRUCTIONS:
            ours, base = instructions(commands["oint"], env), instructions(baseline, env)
            print(count_line("oint " + " ".join(args), ours, base, target=1.5))
        imported = modules_imported([*args])
        found = sorted({m.split(".")[0] for m in imported} & set(FORBIDDEN_AT_HELP))
        print(f"  {'':42s} network/sandbox modules imported: {', '.join(found) or 'none'}")


def modules_imported(args: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
    """Modules `oint ARGS` imports, from ``python -X importtime``."""
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import sys; from oint_core.cli import main; sys.argv[1:] = "
            + repr(list(args))
            + "; main()",
        ],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        cwd=WORKDIR,
        check=False,
    )
    return [
        row.rsplit("|", 1)[1].strip()
        for row in done.stderr.splitlines()
        if row.startswith("import time:") and "|" in row
    ][1:]


# -- 3. library overhead ------------------------------------------------------------------------


def bench_library(base_url: str, calls: int, rounds: int) -> None:
    os.environ["OINT_CDEK_BASE_URL"] = f"{base_url}/v2"
    import requests

    import oint_core

    session = requests.Session()
    bare = requests.Session()
    bare.trust_env = False  # no proxy/CA lookup in the environment, as oint does for loopback
    url = f"{base_url}/v2/orders/{ORDER}/refusal"
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def ours() -> None:
        for _ in range(calls):
            oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)

    def raw() -> None:
        for _ in range(calls):
            session.post(url, headers=headers, timeout=(10, 60)).json()

    def raw_no_env() -> None:
        for _ in range(calls):
            bare.post(url, headers=headers, timeout=(10, 60)).json()

    jobs = {"ours": ours, "raw": raw, "raw_no_env": raw_no_env}
    for job in jobs.values():  # warm up: imports, connections
        job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            started = time.perf_counter()
            job()
            times[name].append((time.perf_counter() - started) / calls)
    print(f"3. library: {calls} dispatch() calls vs {calls} raw Session.post calls (per call)")
    print(
        line(
            "dispatch CreateRefusal", times["ours"], times["raw"], unit="µs", scale=1e6, target=1.05
        )
    )
    print(
        line(
            "  vs Session.post without env lookups",
            times["ours"],
            times["raw_no_env"],
            unit="µs",
            scale=1e6,
        )
    )
    overhead = statistics.median(times["ours"]) - statistics.median(times["raw_no_env"])
    print(
        f"  {'':42s} dispatcher's own cost (vs the second): {overhead * 1e6:.0f} µs per call;"
        " oint skips the environment's proxy lookup for loopback, which the first pays"
    )


# -- 5. many plugins ------------------------------------------------------------------------------


PLUGIN = """
from oint_core import Kind, Method, Param, Provider, hookimpl


def _methods():
    from {module}_methods import METHODS
    return METHODS


@hookimpl
def oint_providers():
    return [Provider("{name}", "Generated provider {name}", _methods)]
"""
PLUGIN_METHODS = """
from oint_core import Kind, Method, Param


def ping(ctx, text):
    return {{"text": text}}


METHODS = (Method("Ping", "Answers", "Misc", ping,
                  (Param("Text", "--text", Kind.STRING, "Text", required=True),)),)
"""


def bench_plugins(rounds: int) -> None:
    from oint_core.testing import write_plugin_distribution

    print("5. start-up with many installed provider plugins (oint --help)")
    base_env = dict(os.environ)
    results = {}
    for count in (1, 10, 50):
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for n in range(count):
                name = f"gen{n:02d}"
                target = Path(folder) / name
                write_plugin_distribution(
                    target,
                    distribution=f"oint-{name}",
                    entry_points={name: f"oint_{name}"},
                    modules={
                        f"oint_{name}.py": PLUGIN.format(name=name, module=f"oint_{name}"),
                        f"oint_{name}_methods.py": PLUGIN_METHODS,
                    },
                )
                paths.append(str(target))
            env = {**base_env, "PYTHONPATH": os.pathsep.join(paths)}
            commands = {"oint": [*OINT, "--help"], "click": [sys.executable, "-c", "import click"]}
            times, _ = interleave(commands, env, rounds)
            results[count] = statistics.median(times["oint"])
            results[f"base{count}"] = statistics.median(times["click"])
            print(line(f"{count:2d} plugins", times["oint"], times["click"]))
            if count == 50:
                imported = modules_imported(["gen07", "Ping", "--help"], env)
                others = sorted(
                    m for m in imported if m.endswith("_methods") and m != "oint_gen07_methods"
                )
                print(
                    f"  {'':42s} `oint gen07 Ping --help` imports other providers' method"
                    f" modules: {', '.join(others) or 'none'}"
                )
    growth = (results[50] - results[1]) / 49
    floor = (results["base50"] - results["base1"]) / 49  # every import scans a longer sys.path
    print(
        f"  growth: {growth * 1000:.2f} ms per plugin (target < 1 ms:"
        f" {'met' if growth < 0.001 else 'NOT met'}); the baseline itself grows"
        f" {floor * 1000:.2f} ms per plugin from the longer sys.path"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, noisier figures")
    parser.add_argument(
        "--env", type=Path, help="a venv with oint installed (default: build one from the wheel)"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind (deterministic; about a minute more)",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.measure:  # set up the environment, then measure from inside it
        with tempfile.TemporaryDirectory(prefix="oint-bench-env-") as folder:
            venv = args.env or installed_env(Path(folder))
            rest = ["--quick"] if args.quick else []
            rest += ["--instructions"] if args.instructions else []
            python = str(venv / "bin" / "python")
            return subprocess.run([python, __file__, "--measure", *rest], check=False).returncode
    check_installed()
    global COUNT_INSTRUCTIONS
    COUNT_INSTRUCTIONS = args.instructions
    if COUNT_INSTRUCTIONS and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind")
    rounds = 7 if args.quick else 21
    # Each run starts with a warm entry-point cache, as every start after the first does.
    os.environ["XDG_CACHE_HOME"] = os.path.join(WORKDIR, "cache")
    os.environ.pop("PYTHONPATH", None)
    import oint_core

    print(
        f"oint {oint_core.__version__} installed from the wheel in {Path(sys.prefix).name}/;"
        f" python {sys.version.split()[0]}, {os.cpu_count()} cores;"
        f" medians of {rounds} interleaved runs [min–max]"
    )
    base_url, stop = start_server()
    try:
        bench_process(base_url, rounds)
        bench_help(rounds)
        bench_library(base_url, 500 if args.quick else 2000, 3 if args.quick else 5)
        bench_plugins(max(3, rounds // 2))
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
