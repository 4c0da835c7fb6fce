"""Each CDEK method is one declaration: an explicit function and, right below it, its record.

The function takes only its own parameters (``token`` and ``test_api`` reach ``api.call``
through the context); registration enforces that and refuses defaults in signatures. This
file holds the layout a reader relies on: the record directly below its function, every
record in ``METHODS``, and no method module importing another.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from oint_cdek.methods import INDEX
from oint_cdek.plugin import PROVIDER
from oint_core.registry import Registry


def _records(module_name: str) -> list[tuple[str, str, int]]:
    """(record name, function name, index of the statement) of each ``X = Method(...)``."""
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    found = []
    for index, node in enumerate(tree.body):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "Method"
        ):
            function = next(k.value for k in node.value.keywords if k.arg == "function")
            assert isinstance(function, ast.Name), f"{module_name}: a record's function is a name"
            found.append((node.targets[0].id, function.id, index))  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("module_name", sorted(INDEX))
def test_every_record_sits_right_below_its_function(module_name: str) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    records = _records(module_name)
    assert records, f"{module_name} declares no Method records"
    for record, function, index in records:
        above = tree.body[index - 1]
        assert isinstance(above, ast.FunctionDef) and above.name == function, (
            f"{module_name}: {record} is not directly below def {function}"
        )


@pytest.mark.parametrize("module_name", sorted(INDEX))
def test_methods_lists_exactly_the_modules_records(module_name: str) -> None:
    module = importlib.import_module(module_name)
    declared = [getattr(module, record) for record, _, _ in _records(module_name)]
    assert list(module.METHODS) == declared


@pytest.mark.parametrize("module_name", sorted(INDEX))
def test_no_method_module_imports_another(module_name: str) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    siblings = {name.rsplit(".", 1)[1] for name in INDEX}
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    }
    assert not imported & siblings


def test_no_method_function_takes_the_token_or_the_test_flag() -> None:
    for method in Registry.from_providers([PROVIDER]).methods("cdek"):
        taken = set(inspect.signature(method.function).parameters)
        assert not taken & {"token", "test_api"}, method.name
        assert method.function.__name__ == method.python_name, method.name
