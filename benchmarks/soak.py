"""Soak: thousands of calls against the sandbox with faults injected at a given rate.

Reports how many calls completed, how many failed with a clear error (an OintError, one
line), how many failed otherwise (must be 0) and how many writes reached the server twice
(duplicates, must be 0). Not part of the test suite; run:

    python benchmarks/soak.py --calls 2000 --fault-rate 0.1 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import time

import requests

FAULTS = (
    "http_500",
    "http_502",
    "http_503",
    "http_429",
    "delay",
    "drop",
    "malformed_json",
    "empty",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=0.5, help="--timeout of every call")
    args = parser.parse_args(argv)

    import oint_core
    from oint_cdek import use_credentials
    from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
    from oint_cdek.sandbox.server import start_sandbox

    rng = random.Random(args.seed)
    control = requests.Session()
    control.trust_env = False
    outcomes: collections.Counter[str] = collections.Counter()
    faults: collections.Counter[str] = collections.Counter()
    unclear: list[str] = []
    with start_sandbox(SandboxConfig(processing_delay=0.0, seed=args.seed)) as sandbox:
        os.environ["OINT_CDEK_BASE_URL"] = sandbox.base_url
        use_credentials(TEST_ACCOUNT, TEST_SECURE_PASSWORD)
        first = oint_core.dispatch("cdek", "CreateOrder", order_description=order("soak-0"))
        known = first["entity"]["uuid"]
        started = time.perf_counter()
        for n in range(1, args.calls + 1):
            write = rng.random() < 0.5
            if rng.random() < args.fault_rate:
                kind = rng.choice(FAULTS)
                faults[kind] += 1
                control.post(
                    f"{sandbox.root_url}/_sandbox/faults",
                    json={
                        "kind": kind,
                        "path": "^/v2/orders" if write else f"/{known}$",
                        "retry_after": 0,
                        "seconds": args.timeout * 1.5,
                    },
                    timeout=5,
                ).raise_for_status()
            try:
                if write:
                    oint_core.dispatch(
                        "cdek",
                        "CreateOrder",
                        order_description=order(f"soak-{n}"),
                        timeout=args.timeout,
                    )
                else:
                    oint_core.dispatch("cdek", "GetOrder", uuid=known, timeout=args.timeout)
                outcomes["completed"] += 1
            except oint_core.OintError as exc:
                clear = "\n" not in str(exc) and "Traceback" not in str(exc)
                outcomes["failed with a clear error" if clear else "failed unclearly"] += 1
            except Exception as exc:  # noqa: BLE001 - anything else is a finding
                outcomes["failed unclearly"] += 1
                unclear.append(f"{type(exc).__name__}: {exc}")
            control.delete(f"{sandbox.root_url}/_sandbox/faults", timeout=5)
        elapsed = time.perf_counter() - started
        numbers = collections.Counter(o.number for o in sandbox.app.state.orders.values())
        duplicates = sum(count - 1 for count in numbers.values() if count > 1)

    print(
        f"calls: {args.calls}, fault rate: {args.fault_rate}, seed: {args.seed},"
        f" --timeout {args.timeout} s, {elapsed:.1f} s"
    )
    print("faults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(faults.items())))
    for name in ("completed", "failed with a clear error", "failed unclearly"):
        print(f"{name}: {outcomes[name]}")
    print(f"duplicate writes (same shop number twice on the server): {duplicates}")
    for line in unclear[:5]:
        print(f"  unclear: {line}")
    return 0 if duplicates == 0 and outcomes["failed unclearly"] == 0 else 1


def order(number: str) -> dict:
    return {
        "number": number,
        "tariff_code": 139,
        "recipient": {"name": "Soak", "phones": [{"number": "+79990000000"}]},
        "from_location": {"code": 44},
        "to_location": {"code": 270},
        "packages": [{"number": "1", "weight": 500}],
    }


if __name__ == "__main__":
    sys.exit(main())
