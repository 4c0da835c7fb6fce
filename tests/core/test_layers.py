"""The core's modules form layers that point one way: each imports only from layers below.

Read from the source, every import counts: top-level, inside functions (the lazy ones) and
under ``TYPE_CHECKING``, because a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import oint_core

CORE = Path(oint_core.__file__).parent

#: Lowest first. ``__init__`` (the package's face) and ``__main__`` are outside the layers.
LAYERS = [
    {"errors", "notices", "paths", "redact", "guarded", "safefile", "webhooks"},
    {"metadata", "output", "retrying", "entrypoints", "dryrun"},
    {"coerce", "hookspecs", "http", "outforms", "progress", "outcomes"},
    {"examples", "plugins", "state"},  # state: a client's own session and providers' state
    {"registry"},
    {"profiles"},  # settings: the environment, then the selected profile
    {"context"},
    {"callconfig", "waiting"},
    {"dispatcher"},
    {"client", "batching"},  # connect(), batch(): for library users, through the dispatcher
    {"docs", "stubs", "completion", "mcpserver"},  # from the metadata: pages, stubs, tools
    # oint listen (a provider's webhooks; their contract is in webhooks) and oint server
    # (stdio is given the CLI's parser to run)
    {"listen", "stdio_server", "http_server"},
    {"cli"},
    {"testing"},  # helpers for plugin authors' tests: runs the CLI
]
LAYER_OF = {module: level for level, modules in enumerate(LAYERS) for module in modules}


def core_imports(module: str) -> set[str]:
    """The ``oint_core`` modules ``module`` imports anywhere in its source."""
    tree = ast.parse((CORE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import x: a module, or the package's own name
                found.update(a.name for a in node.names if (CORE / f"{a.name}.py").exists())
            elif node.module and node.module.startswith("oint_core."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("oint_core.")
            )
    return found


def test_every_core_module_has_a_layer() -> None:
    modules = {p.stem for p in CORE.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(LAYER_OF)


@pytest.mark.parametrize("module", sorted(LAYER_OF))
def test_a_module_imports_only_from_layers_below_it(module: str) -> None:
    upward = {m: LAYER_OF[m] for m in core_imports(module) if LAYER_OF[m] >= LAYER_OF[module]}
    assert not upward, f"{module} (layer {LAYER_OF[module]}) imports {upward}"


def test_the_metadata_imports_only_the_errors() -> None:
    assert core_imports("metadata") == {"errors"}


def test_the_docs_do_not_import_the_cli() -> None:
    assert "cli" not in core_imports("docs")


def test_importing_oint_core_loads_no_network_stack_and_no_cli() -> None:
    """A plugin importing the metadata types, and ``oint --help``, pay for none of these."""
    code = (
        "import sys, oint_core\n"
        "from oint_core import Kind, Method, Param, Provider, hookimpl\n"
        "import oint_core.registry\n"
        "heavy = ('requests', 'urllib3', 'http.client', 'ssl', 'socket', 'click', 'werkzeug')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert loaded == []
