"""``oint listen cdek`` under concurrent deliveries: how many events arrive, are lost, doubled.

Starts a real ``oint listen cdek --port 0 --out FILE`` process, then SENDERS threads each
deliver EACH distinct ORDER_STATUS events (every tenth delivered twice, as CDEK redelivers)
over loopback, one connection per sender. Once every delivery has been answered, it reads
the file: each event must be there exactly once. Not part of the test suite; run:

    .venv/bin/python benchmarks/listen.py --senders 8 --each 200
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests


def event(n: int) -> dict[str, object]:
    return {
        "type": "ORDER_STATUS",
        "date_time": "2024-08-19T10:02:15+0000",
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "attributes": {
            "is_return": False,
            "cdek_number": str(10_000_000 + n),
            "status_code": "3",
            "status_date_time": "2024-08-19T10:02:15+0000",
            "code": "RECEIVED_AT_SHIPMENT_WAREHOUSE",
            "is_reverse": False,
            "is_client_return": False,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--each", type=int, default=200)
    args = parser.parse_args()
    oint = Path(sys.executable).with_name("oint")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "events.jsonl"
        process = subprocess.Popen(
            [str(oint), "listen", "cdek", "--port", "0", "--out", str(out)],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OINT_LISTEN_SECRET": ""},
        )
        assert process.stderr is not None
        url = process.stderr.readline().strip()

        def send(sender: int) -> collections.Counter[int]:
            statuses: collections.Counter[int] = collections.Counter()
            with requests.Session() as session:
                session.trust_env = False
                for i in range(args.each):
                    body = json.dumps(event(sender * args.each + i))
                    for _ in range(2 if i % 10 == 0 else 1):
                        statuses[session.post(url, data=body, timeout=30).status_code] += 1
            return statuses

        started = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            statuses = sum(pool.map(send, range(args.senders)), collections.Counter())
        elapsed = time.perf_counter() - started
        lines = out.read_text(encoding="utf-8").splitlines()  # before the process stops
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    expected = args.senders * args.each
    counts = collections.Counter(int(json.loads(line)["uuid"][-12:]) for line in lines)
    lost = sum(1 for n in range(expected) if counts[n] == 0)
    doubled = sum(1 for n, c in counts.items() if c > 1)
    deliveries = sum(statuses.values())
    print(
        f"events {expected}, deliveries {deliveries} (answers {dict(statuses)}),"
        f" lines {len(lines)}, lost {lost}, doubled {doubled}, elapsed {elapsed:.2f} s"
        f" ({deliveries / elapsed:.0f} deliveries/s), exit {process.returncode}"
    )
    return 0 if lost == doubled == 0 and len(lines) == expected else 1


if __name__ == "__main__":
    sys.exit(main())
