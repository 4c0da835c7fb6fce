"""oint batch against the CDEK sandbox: writes and reads from one file, one token fetch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import oint_core
from oint_cdek.testing import CdekSandbox

from .conftest import REPO_ORDER


def oint_command() -> list[str]:
    """The installed ``oint`` console script, else ``python -m oint``."""
    script = Path(sys.executable).with_name("oint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oint"]


def _oint_batch(sandbox: CdekSandbox, source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*oint_command(), "batch", str(source), "--provider", "cdek", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **sandbox.env},
        timeout=120,
    )


def test_orders_created_and_read_in_one_batch_with_one_token(
    cdek_sandbox: CdekSandbox, tmp_path: Path
) -> None:
    orders = [{**REPO_ORDER, "number": f"batch-{n}"} for n in range(6)]
    lines: list[dict[str, Any]] = [
        {"id": f"create-{n}", "method": "CreateOrder", "params": {"order_description": order}}
        for n, order in enumerate(orders)
    ]
    lines.append({"id": "typo", "method": "GetOrder", "params": {"uuid": "12"}})
    source = tmp_path / "orders.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "created.jsonl"

    run = _oint_batch(cdek_sandbox, source, "--concurrency", "4", "--out", str(out))

    assert run.returncode == 1, run.stderr  # the typo line failed; the rest succeeded
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [line["id"] for line in lines]
    created = [r["result"]["entity"]["uuid"] for r in records[:-1]]
    assert all(r["ok"] for r in records[:-1]) and len(set(created)) == 6
    assert records[-1]["sent"] == "no" and records[-1]["error"]["kind"] == "usage"
    log = cdek_sandbox.requests()
    assert sum(1 for r in log if r["path"] == "/v2/oauth/token") == 1  # four threads, one token
    assert sum(1 for r in log if r["path"] == "/v2/orders" and r["method"] == "POST") == 6
    assert cdek_sandbox.password not in run.stderr + out.read_text(encoding="utf-8")
    assert "Traceback" not in run.stderr

    # The library reads what the command wrote, and the records are the same kind.
    reads = [{"id": uuid, "method": "GetOrder", "params": {"uuid": uuid}} for uuid in created]
    got = list(oint_core.batch(reads, provider="cdek", concurrency=3))
    assert [r["id"] for r in got] == created
    assert [r["result"]["entity"]["number"] for r in got] == [o["number"] for o in orders]
