"""How faithfully the sandbox answers like real CDEK: recorded key paths it reproduces.

Real CDEK answers recorded in public (OpenIntegrations runs its CDEK methods against CDEK's
test server and publishes the results) are kept in this project only as facts: for each
method, the set of JSON key paths the answer had (``entity.delivery_detail.total_sum``,
array elements as ``[]``: ``entity.packages[].items[].name``), in
``tests/cdek/spec/recorded-key-paths.json`` with the repository, path and commit each
recording came from. No recorded value is kept.

This tool starts a sandbox in-process, makes the entities each method needs (the docs'
example world), calls every recorded method through ``oint_core.dispatch`` and reports, per
method and overall, how many recorded key paths the sandbox's answer has too. The overall
figure is a micro-average: present paths over all recorded paths.

    python tools/cdek_fidelity.py              # the table and the overall figure
    python tools/cdek_fidelity.py --missing    # ... and the missing paths per method
    python tools/cdek_fidelity.py --json       # the whole report as JSON

    # Rebuild the facts file from recordings kept outside the project:
    python tools/cdek_fidelity.py --derive MANIFEST.json > tests/cdek/spec/recorded-key-paths.json

A manifest for ``--derive`` is ``{"sources": [{"repo", "path", "commit"}, ...],
"methods": {"<method>": [{"source": <index>, "file": "<recorded answer.json>"}, ...]}}``;
several recordings of one method are merged (the union of their paths).

Run it against another checkout (an older sandbox) by running that checkout's Python with
this file; only ``start_sandbox``, ``SandboxConfig``, ``World`` and ``dispatch`` are used.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
RECORDED = REPO / "tests" / "cdek" / "spec" / "recorded-key-paths.json"
BASE_URL_ENV = "OINT_CDEK_BASE_URL"


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; list elements are merged under ``[]``.

    A key counts whatever its value is (an empty object or list included); a top-level list
    gives paths that start with ``[]``.
    """
    paths: set[str] = set()
    if isinstance(value, Mapping):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= key_paths(sub, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def recorded(path: Path = RECORDED) -> dict[str, Any]:
    """The facts file: ``{"sources": [...], "methods": {name: {"source", "paths"}}}``."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def derive(manifest: Mapping[str, Any], base: Path = Path()) -> dict[str, Any]:
    """The facts file made from recorded answers (see the module's docstring)."""
    methods: dict[str, Any] = {}
    for name, recordings in sorted(manifest["methods"].items()):
        paths: set[str] = set()
        sources: list[int] = []
        for recording in recordings:
            answer = json.loads((base / recording["file"]).read_text(encoding="utf-8"))
            paths |= key_paths(answer)
            sources.append(int(recording["source"]))
        entry: dict[str, Any] = {"source": sources[0]}
        if len(sources) > 1:
            entry["also"] = sources[1:]
        entry["paths"] = sorted(paths)
        methods[name] = entry
    # Paths are kept as GitHub spells them in links: non-ASCII names percent-encoded.
    sources_kept = [
        {"repo": s["repo"], "path": quote(s["path"], safe="/()"), "commit": s["commit"]}
        for s in manifest["sources"]
    ]
    return {"sources": sources_kept, "methods": methods}


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def sandbox_answers(methods: Iterable[str]) -> dict[str, Any]:
    """Each method's answer on a fresh sandbox, called as the docs' examples call it.

    A method the example world has no values for, or whose call fails, answers ``None``
    (it then reproduces none of its recorded paths).
    """
    import oint_core
    from oint_cdek.docs_examples import World
    from oint_cdek.sandbox.app import SandboxConfig
    from oint_cdek.sandbox.server import start_sandbox

    answers: dict[str, Any] = {}
    previous = os.environ.get(BASE_URL_ENV)
    with start_sandbox(SandboxConfig(processing_delay=0.0)) as sandbox:
        os.environ[BASE_URL_ENV] = sandbox.base_url
        try:
            world = World(sandbox.base_url)
            for name in methods:
                try:
                    params = world.params(name)
                    answers[name] = (
                        None if params is None else oint_core.dispatch("cdek", name, **params)
                    )
                except Exception as exc:  # a failing method reproduces nothing
                    answers[name] = None
                    print(f"{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            if previous is None:
                os.environ.pop(BASE_URL_ENV, None)
            else:
                os.environ[BASE_URL_ENV] = previous
    return answers


def sandbox_paths(methods: Iterable[str] | None = None) -> dict[str, set[str]]:
    """The key paths of the sandbox's answer to each method (every recorded one by default)."""
    names = sorted(recorded()["methods"]) if methods is None else list(methods)
    return {name: key_paths(answer) for name, answer in sandbox_answers(names).items()}


def coverage(
    document: Mapping[str, Any] | None = None,
    answered: Mapping[str, set[str]] | None = None,
) -> dict[str, Any]:
    """Recorded key paths the sandbox's answers have, per method and overall (micro-average)."""
    document = recorded() if document is None else document
    methods: Mapping[str, Any] = document["methods"]
    answered = sandbox_paths(methods) if answered is None else answered
    per_method: dict[str, Any] = {}
    present_total = recorded_total = 0
    for name in sorted(methods):
        wanted = set(methods[name]["paths"])
        have = answered.get(name, set())
        missing = sorted(wanted - have)
        per_method[name] = {
            "present": len(wanted) - len(missing),
            "recorded": len(wanted),
            "missing": missing,
        }
        present_total += len(wanted) - len(missing)
        recorded_total += len(wanted)
    return {
        "present": present_total,
        "recorded": recorded_total,
        "coverage": present_total / recorded_total if recorded_total else 1.0,
        "methods": per_method,
    }


def report(result: Mapping[str, Any], missing: bool = False) -> str:
    lines = []
    width = max(len(name) for name in result["methods"])
    for name, row in result["methods"].items():
        share = row["present"] / row["recorded"] if row["recorded"] else 1.0
        lines.append(f"{name:<{width}}  {row['present']:>3}/{row['recorded']:<3}  {share:6.1%}")
        if missing:
            lines.extend(f"{'':<{width}}    - {path}" for path in row["missing"])
    lines.append(
        f"{'overall':<{width}}  {result['present']:>3}/{result['recorded']:<3}"
        f"  {result['coverage']:6.1%}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", action="store_true", help="list the missing key paths")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--recorded", type=Path, default=RECORDED, help="the facts file (default: %(default)s)"
    )
    parser.add_argument(
        "--derive",
        type=Path,
        metavar="MANIFEST",
        help="print the facts file made from the recordings a manifest lists, and stop",
    )
    args = parser.parse_args(argv)
    if args.derive is not None:
        manifest = json.loads(args.derive.read_text(encoding="utf-8"))
        sys.stdout.write(render(derive(manifest, base=args.derive.parent)))
        return 0
    result = coverage(recorded(args.recorded))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(report(result, missing=args.missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
