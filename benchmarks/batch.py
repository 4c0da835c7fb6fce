"""Throughput and memory of ``oint batch``, each against its floor in the same run.

    python benchmarks/batch.py            # builds the wheel, installs it in a fresh venv, measures
    python benchmarks/batch.py --quick    # fewer calls and rounds
    python benchmarks/batch.py --env DIR  # measure the oint installed in the venv DIR instead

As ``benchmarks/run.py``: what is measured is the built wheel installed by pip, against a
local keep-alive server mimicking CDEK (``POST /v2/oauth/token``; ``GET /v2/orders/<uuid>``
answered after 20 ms), reached through ``OINT_CDEK_BASE_URL`` with an account, so each
process fetches its token the way a user's does. Figures are medians of rounds, with min–max:

- throughput: 2,000 GetOrder calls through ``oint batch --concurrency 8 --rate 0``, as a
  fraction of the ideal (8 threads / 0.020 s = 400 calls a second) and against a shell loop
  of ``oint cdek GetOrder`` processes (50 calls of the loop timed, extrapolated per call);
- peak memory (``ru_maxrss`` of the ``oint batch`` process) for 100,000 input lines against
  1,000: lines that fail the check cheaply (an unknown method, each with its own id, so the
  set of ids is as large as for real calls), and for 20,000 GetOrder calls against 1,000 on a
  server answering at once.

These are measurements, not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuids
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import WORKDIR, check_installed, installed_env  # noqa: E402

BIN = Path(sys.executable).parent
OINT = str(BIN / "oint")
ACCOUNT, PASSWORD = "bench-account", "bench-password-0123456789"
DELAY = 0.020
CONCURRENCY = 8


def start_server(delay: float) -> tuple[str, Callable[[], None]]:
    """A threaded keep-alive server: a token for any account, any order after ``delay``.

    The standard library's, not werkzeug's: werkzeug's development server (3.x) answers
    every request with ``Connection: close``, so each call would open a connection, which
    CDEK's edge (keep-alive) does not make a client do."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    token = json.dumps({"access_token": "bench-token-0123456789", "expires_in": 3600}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Head and body in one segment: written apart, Nagle's algorithm and the client's
        # delayed ACK hold the body back ~40 ms on a kept-alive connection.
        wbufsize = 1 << 16

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # the token
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(token)

        def do_GET(self) -> None:  # an order
            if delay:
                time.sleep(delay)
            order = self.path.rsplit("/", 1)[-1]
            self._answer(json.dumps({"entity": {"uuid": order}, "requests": []}).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/v2", stop


def order(n: int) -> str:
    return str(uuids.UUID(int=n + 1))


def write_input(path: Path, count: int, *, bad: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            method = "NoSuchMethod" if bad else "GetOrder"
            line = {"id": f"r{n}", "method": method, "params": {"uuid": order(n)}}
            out.write(json.dumps(line) + "\n")
    return path


def run(command: Sequence[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time (s), peak RSS (KiB) and exit code of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=WORKDIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    tail = process.stderr.read().decode(errors="replace").strip().splitlines()[-1:]
    process.stderr.close()
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {shlex.join(command)}: {tail}")
    return elapsed, usage.ru_maxrss, code


def spread(values: list[float], unit: str = "", scale: float = 1.0) -> str:
    return (
        f"{statistics.median(values) * scale:,.1f}{unit}"
        f" [{min(values) * scale:,.1f}–{max(values) * scale:,.1f}]"
    )


def batch_command(source: Path, out: Path, *extra: str) -> list[str]:
    out.unlink(missing_ok=True)
    return [OINT, "batch", str(source), "--provider", "cdek", "--out", str(out), *extra]


def bench_throughput(env: dict[str, str], calls: int, loop_calls: int, rounds: int) -> None:
    source = write_input(Path(WORKDIR) / "orders.jsonl", calls)
    out = Path(WORKDIR) / "out.jsonl"
    extra = ["--concurrency", str(CONCURRENCY), "--rate", "0"]
    command = batch_command(source, out, *extra)

    def loop(count: int) -> list[str]:
        script = (
            f"for i in $(seq {count}); do {shlex.quote(OINT)} cdek GetOrder"
            f" --uuid {order(0)} > /dev/null || exit 3; done"
        )
        return ["bash", "-c", script]

    batch_times: list[float] = []
    per_call: list[float] = []
    run(loop(2), env)  # warm the file cache; the token is fetched and cached once
    for _ in range(rounds):
        elapsed, _, code = run(batch_command(source, out, *extra), env)
        if code != 0:
            raise SystemExit(f"oint batch failed: {shlex.join(command)}")
        batch_times.append(elapsed)
        elapsed, _, _ = run(loop(loop_calls), env)
        per_call.append(elapsed / loop_calls)
    ideal = CONCURRENCY / DELAY
    rates = [calls / t for t in batch_times]
    loop_total = [p * calls for p in per_call]
    print(f"\nthroughput: {calls:,} GetOrder calls, server answering after {DELAY * 1000:.0f} ms")
    print(f"  command: {shlex.join(['oint', *command[1:]])}")
    print(f"  oint batch: {spread(batch_times, ' s')} → {spread(rates, ' calls/s')}")
    print(
        f"  of the ideal {ideal:.0f} calls/s ({CONCURRENCY} threads / {DELAY:.3f} s):"
        f" {statistics.median(rates) / ideal:.0%}"
    )
    print(
        f"  shell loop of oint processes: {spread(per_call, ' ms', 1000)} per call"
        f" ({loop_calls} calls timed) → {statistics.median(loop_total):,.0f} s for {calls:,}"
    )
    print(
        f"  oint batch is {statistics.median(loop_total) / statistics.median(batch_times):,.0f}×"
        " faster than the loop"
    )


def bench_memory(env: dict[str, str], small: int, large: int, calls: int, rounds: int) -> None:
    print("\npeak memory (ru_maxrss of the oint batch process)")
    folder = Path(WORKDIR)
    out = folder / "mem-out.jsonl"
    cases = [
        ("lines failing the check (no request)", True, small, large),
        ("GetOrder calls, server answering at once", False, small, calls),
    ]
    for label, bad, few, many in cases:
        inputs = {n: write_input(folder / f"mem-{bad}-{n}.jsonl", n, bad=bad) for n in (few, many)}
        peaks: dict[int, list[float]] = {few: [], many: []}
        for _ in range(rounds):
            for n, source in inputs.items():
                _, rss, _ = run(batch_command(source, out, "--rate", "0"), env)
                peaks[n].append(rss / 1024)
        a, b = statistics.median(peaks[few]), statistics.median(peaks[many])
        print(
            f"  {label}: {few:,} lines {a:.1f} MiB, {many:,} lines {b:.1f} MiB"
            f" (ratio {b / a:.2f}×; {(b - a) * 1024 * 1024 / (many - few):.0f} bytes a line more)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    parser.add_argument(
        "--env", type=Path, help="a venv with oint installed (default: build one from the wheel)"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.measure:
        with tempfile.TemporaryDirectory(prefix="oint-bench-env-") as folder:
            venv = args.env or installed_env(Path(folder))
            rest = ["--quick"] if args.quick else []
            python = str(venv / "bin" / "python")
            return subprocess.run([python, __file__, "--measure", *rest], check=False).returncode
    check_installed()
    import oint_core

    rounds = 3 if args.quick else 5
    print(
        f"oint {oint_core.__version__} installed from the wheel in {Path(sys.prefix).name}/;"
        f" python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {rounds} rounds"
    )
    env = {
        **os.environ,
        "XDG_CACHE_HOME": os.path.join(WORKDIR, "cache"),
        "OINT_CONFIG": os.path.join(WORKDIR, "absent.toml"),
        "OINT_CDEK_ACCOUNT": ACCOUNT,
        "OINT_CDEK_PASSWORD": PASSWORD,
    }
    for name in ("PYTHONPATH", "OINT_CDEK_TOKEN", "OINT_PROFILE", "OINT_CDEK_TESTAPI"):
        env.pop(name, None)
    base_url, stop = start_server(DELAY)
    try:
        env["OINT_CDEK_BASE_URL"] = base_url
        bench_throughput(env, 500 if args.quick else 2000, 20 if args.quick else 50, rounds)
    finally:
        stop()
    base_url, stop = start_server(0.0)
    try:
        env["OINT_CDEK_BASE_URL"] = base_url
        large = 20_000 if args.quick else 100_000
        bench_memory(env, 1000, large, 5000 if args.quick else 20_000, max(rounds // 2, 1))
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
