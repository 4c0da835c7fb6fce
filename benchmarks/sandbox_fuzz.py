"""A long hostile fuzz of the CDEK sandbox (issue 13): hypothesis-generated bodies, broken
bodies and query strings against every route, random each run. Every answer must be CDEK's
4xx envelope or a normal answer, never a 5xx.

    python3 benchmarks/sandbox_fuzz.py [EXAMPLES_PER_TEST]   # default 1700: about 5,100 requests

It runs the fuzz tests of tests/cdek/sandbox/test_hostile_requests.py with more examples
(the suite runs a bounded, fixed set of them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests" / "cdek" / "sandbox"
FUZZ_TESTS = "bodies_get_4xx or query_strings_get_4xx"


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 1700
    env = {**os.environ, "OINT_SANDBOX_FUZZ_EXAMPLES": str(examples)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += [str(TESTS / "test_hostile_requests.py"), "-k", FUZZ_TESTS]
    print(f"# {examples} examples x 3 tests = about {3 * examples} requests", flush=True)
    return subprocess.call(command, env=env, cwd=TESTS.parents[2])


if __name__ == "__main__":
    sys.exit(main())
