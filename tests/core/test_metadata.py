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
P = Provider("p", "P")


def test_a_valid_method_passes_validation() -> None:
    validate_method(P, Method("SayHello", "Says hello", "G", _fn, (NAME,)))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ((Param("Out", "--out", Kind.STRING, "x"),), "reserved"),
        ((NAME, Param("Name2", "--name", Kind.STRING, "x")), "defined twice"),
        ((Param("Name", "name", Kind.STRING, "x"),), "must look like --name"),
        ((Param("Pick", "--pick", Kind.CHOICE, "x"),), "lists no choices"),
        ((), "do not match"),
        ((NAME, Param("Extra", "--extra", Kind.STRING, "x")), "do not match"),
        ((Param("Timeout", "--length", Kind.STRING, "x"),), "core keyword"),
    ],
)
def test_broken_metadata_is_refused_at_registration(params: tuple, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        validate_method(P, Method("SayHello", "Says hello", "G", _fn, params))


def _defaulted(ctx, name="x"):  # noqa: ANN001, ANN202
    return {"name": name}


def _keyword_defaulted(ctx, *, name="x"):  # noqa: ANN001, ANN202
    return {"name": name}


@pytest.mark.parametrize("function", [_defaulted, _keyword_defaulted])
def test_a_default_in_the_function_signature_is_refused(function) -> None:  # noqa: ANN001
    """Param.default is the one home of a default: a second copy in the signature would
    never apply (every value is passed) and could silently disagree."""
    method = Method("SayHello", "Says hello", "G", function, (NAME.replace(required=False),))
    with pytest.raises(PluginError, match="name has a default in the function signature"):
        validate_method(P, method)
    registry = Registry.from_providers([Provider("p", "P", (method,))])
    with pytest.raises(PluginError, match="could not load method SayHello.*has a default"):
        registry.method("p", "SayHello")


def _with_token(ctx, name):  # noqa: ANN001, ANN202
    return {"name": name, "token": ctx.values["token"], "given": sorted(ctx.values)}


TOKEN = Param("Token", "--token", Kind.STRING, "A token", secret=True)


def test_context_params_reach_the_function_through_its_context_only() -> None:
    """A provider's plumbing parameters are declared (options, docs) but not taken by the
    function: it reads them from ctx.values; a function that also takes one is refused."""
    from oint_core.dispatcher import call_method

    provider = Provider("p", "P", context_params=("token",))
    method = Method("SayHello", "Says hello", "G", _with_token, (TOKEN, NAME))
    validate_method(provider, method)
    assert call_method(provider, method, {"token": "t-1", "name": "Ann"}) == {
        "name": "Ann",
        "token": "t-1",
        "given": ["name", "token"],
    }
    with pytest.raises(PluginError, match=r"not in metadata: \['name'\]"):
        validate_method(provider, Method("SayHello", "Says hello", "G", _fn, (TOKEN,)))
    taking_token = Method("SayHello", "x", "G", lambda ctx, token, name: None, (TOKEN, NAME))
    with pytest.raises(PluginError, match=r"not in metadata: \['token'\]"):
        validate_method(provider, taking_token)


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
