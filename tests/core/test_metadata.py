from __future__ import annotations

import pytest

from oint_core import Kind, Method, Param, PluginError, Provider
from oint_core.metadata import snake_case, validate_method
from oint_core.registry import Registry


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("TestAPI", "test_api"),
        ("UUID", "uuid"),
        ("UUIDArray", "uuid_array"),
        ("CreateRefusal", "create_refusal"),
        ("OrderDescription", "order_description"),
        ("Token", "token"),
    ],
)
def test_snake_case_follows_opi_names(name: str, expected: str) -> None:
    assert snake_case(name) == expected


def _fn(ctx, name):  # noqa: ANN001, ANN202
    return {"name": name}


NAME = Param("Name", "--name", Kind.STRING, "A name", required=True)


def test_a_valid_method_passes_validation() -> None:
    validate_method("p", Method("SayHello", "Says hello", "G", _fn, (NAME,)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ((Param("Out", "--out", Kind.STRING, "x"),), "reserved"),
        ((NAME, Param("Name2", "--name", Kind.STRING, "x")), "defined twice"),
        ((Param("Name", "name", Kind.STRING, "x"),), "must look like --name"),
        ((Param("Pick", "--pick", Kind.CHOICE, "x"),), "lists no choices"),
        ((), "do not match"),
        ((NAME, Param("Extra", "--extra", Kind.STRING, "x")), "do not match"),
        ((Param("Timeout", "--wait", Kind.STRING, "x"),), "core keyword"),
    ],
)
def test_broken_metadata_is_refused_at_registration(params: tuple, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        validate_method("p", Method("SayHello", "Says hello", "G", _fn, params))


def test_metadata_records_are_frozen_values() -> None:
    """What the frozen dataclasses gave: no assignment, equality by value, replace, pickling."""
    import copy
    import pickle

    with pytest.raises(AttributeError, match="frozen"):
        NAME.required = False  # type: ignore[misc]  # the point of the test
    with pytest.raises(AttributeError, match="frozen"):
        del NAME.option  # type: ignore[misc]
    same = Param("Name", "--name", Kind.STRING, "A name", required=True)
    assert same == NAME and hash(same) == hash(NAME)
    assert NAME.replace(required=False) != NAME
    assert NAME.replace(required=False).required is False and NAME.required is True
    assert NAME.keyword == "name" and Param("TestAPI", "--testapi", Kind.BOOLEAN, "x").alias == (
        "testapi"
    )
    method = Method("SayHello", "Says hello", "G", _fn, (NAME,))
    assert pickle.loads(pickle.dumps(method)) == method
    assert copy.deepcopy(NAME) == NAME
    assert repr(NAME).startswith("Param(name='Name', option='--name', kind=")
    # Providers compare by what they are, not by how their methods are loaded.
    assert Provider("p", "P", (method,)) == Provider("p", "P", lambda: (method,))
    assert Provider("p", "P") != Provider("p", "Q")


def test_metadata_records_match_weak_reference_and_copy_replace() -> None:
    import copy
    import sys
    import weakref

    match NAME:
        case Param(name, option, kind):
            assert (name, option, kind) == ("Name", "--name", Kind.STRING)
        case _:
            pytest.fail("Param does not match positionally")
    assert weakref.ref(NAME)() is NAME
    if sys.version_info >= (3, 13):
        assert copy.replace(NAME, required=False).required is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "method",
    [
        Method("SayHello", "Says hello", "G", _fn, (NAME,), binary_switch=["x"]),  # type: ignore[arg-type]
        Method(None, "Says hello", "G", _fn, (NAME,)),  # type: ignore[arg-type]
        "not a method",
    ],
    ids=["unhashable-switch", "no-name", "not-a-method"],
)
def test_a_record_built_wrongly_is_a_plugin_error_not_a_crash(method: object) -> None:
    registry = Registry.from_providers([Provider("p", "P", lambda: (method,))])
    with pytest.raises(PluginError, match="provider 'p' could not load"):
        registry.methods("p")
