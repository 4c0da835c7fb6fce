"""The registry: methods found by any spelling, loaded lazily once, providers named once,
indexes checked, and a provider whose methods cannot load says why."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from oint_core import Kind, Method, Param, PluginError, Provider
from oint_core.cli import cli
from oint_core.registry import Registry


def _fn(ctx, name):  # noqa: ANN001, ANN202
    return {"name": name}


NAME = Param("Name", "--name", Kind.STRING, "A name", required=True)


def test_a_provider_whose_methods_fail_to_load_says_why() -> None:
    def broken() -> tuple:
        raise ImportError("no module named oint_missing_dependency")

    fake = Registry.from_providers([Provider("broken", "Broken", broken)])
    result = CliRunner().invoke(cli, ["broken", "DoIt"], obj=fake)
    assert result.exit_code == 1
    assert "oint_missing_dependency" in result.stderr
    with pytest.raises(PluginError):
        fake.method("broken", "DoIt")


def test_methods_are_found_case_insensitively_and_in_snake_case() -> None:
    method = Method("SayHello", "Says hello", "G", _fn, (NAME,))
    registry = Registry.from_providers([Provider("p", "P", (method,))])
    for spelling in ("SayHello", "sayhello", "SAYHELLO", "say_hello"):
        assert registry.method("p", spelling) is method


def test_provider_methods_load_lazily_once() -> None:
    calls = []

    def load() -> tuple:
        calls.append(1)
        return (Method("SayHello", "Says hello", "G", _fn, (NAME,)),)

    registry = Registry.from_providers([Provider("p", "P", load)])
    assert calls == []
    registry.method("p", "SayHello")
    registry.methods("p")
    assert calls == [1]


def test_two_plugins_cannot_claim_one_provider_name() -> None:
    with pytest.raises(PluginError, match="already registered"):
        Registry.from_providers([Provider("p", "P"), Provider("p", "Q")])


@pytest.mark.parametrize(
    "index",
    [{"mod": "SayHello"}, {"mod": (1, 2)}, {3: ("SayHello",)}],
    ids=["names-as-one-string", "names-not-strings", "module-not-a-string"],
)
def test_a_malformed_method_index_is_refused_at_registration(index: dict) -> None:
    with pytest.raises(PluginError, match="method index"):
        Registry.from_providers([Provider("p", "P", index)])


def test_an_index_listing_a_method_twice_is_refused_at_registration() -> None:
    index = {"mod_a": ("SayHello",), "mod_b": ("say_hello",)}
    with pytest.raises(PluginError, match="indexes say_hello twice"):
        Registry.from_providers([Provider("p", "P", index)])
