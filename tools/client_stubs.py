"""Write (or with --check, verify) the typed client stubs generated from the metadata.

    python tools/client_stubs.py          # rewrite plugins/cdek/oint_cdek/client.pyi
    python tools/client_stubs.py --check  # exit 1 when it differs from the metadata

The stub gives ``oint_core.connect("cdek")``'s client its methods for IDEs and type checkers
(see ``oint_core.stubs``). Run it after changing a method's metadata, with the docs build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from oint_core.registry import default_registry
from oint_core.stubs import client_stub

REPO = Path(__file__).resolve().parents[1]
COMMAND = "python tools/client_stubs.py"
#: Provider -> its stub, relative to the repository.
STUBS = {"cdek": "plugins/cdek/oint_cdek/client.pyi"}


def generated() -> dict[str, str]:
    """Every stub's text, by its path relative to the repository."""
    registry = default_registry()
    return {
        path: client_stub(registry.provider(name), registry.methods(name), COMMAND)
        for name, path in STUBS.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale stubs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated().items():
        target = REPO / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                target.write_text(text, encoding="utf-8", newline="\n")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
