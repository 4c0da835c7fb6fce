"""Generated docs: present for every method, stable, and never stale on main."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from oint_core.testing import run_cli, write_plugin_distribution

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def test_committed_docs_are_up_to_date() -> None:
    result = run_cli(["docs", "build", "--out", str(DOCS), "--check"])
    assert result.exit_code == 0, result.stderr


def test_every_method_and_command_has_a_page() -> None:
    from oint_cdek.plugin import PROVIDER

    for method in PROVIDER.load_methods():
        assert (DOCS / "cdek" / f"{method.name}.md").is_file(), method.name
    for command in ("plugins", "docs-build", "sandbox-cdek"):
        assert (DOCS / "commands" / f"{command}.md").is_file()
    index = (DOCS / "cdek" / "index.md").read_text(encoding="utf-8")
    assert index.index("## Common methods") < index.index("## Orders management")


def test_the_create_refusal_page_has_every_element() -> None:
    page = (DOCS / "cdek" / "CreateRefusal.md").read_text(encoding="utf-8")
    assert page.startswith("---\nsidebar_position: ")
    for element in (
        "# Create refusal",
        "Creates an order refusal to return to the online store",
        "create_refusal(*, token=None, uuid, test_api=False)",
        'oint_core.dispatch("cdek", "CreateRefusal", token=…, uuid=…, test_api=…)',
        "| Parameter | CLI option | Type | Description |",
        "| Token | --token | String | Auth token |",
        "| UUID | --uuid | String | Order UUID |",
        "| TestAPI | --testapi | Boolean | Flag to use test API for requests |",
        "Required: `--uuid`.",
        "Defaults: `--testapi` false.",
        "Returns: ",
        ":::tip",
        "https://api-docs.cdek.ru/55327658.html",
        'oint cdek CreateRefusal --token "***" --uuid "f1799065-01de-448c-91cf-8afe7d4c0cfc"'
        " --testapi",
        'token="***"',
        '```json title="Result"',
        '"type": "CREATE_REFUSAL"',
    ):
        assert element in page, element


def test_no_page_shows_a_secret() -> None:
    from oint_cdek.sandbox.app import TEST_SECURE_PASSWORD

    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if page == DOCS / "sandbox.md":  # CDEK's public test credentials, documented once
            text = text.replace(f"`{TEST_SECURE_PASSWORD}`", "", 1)
        assert TEST_SECURE_PASSWORD not in text, page
        assert not re.search(r'"access_token": "(?!\*\*\*)', text), page
        if page.parent.name in ("cdek", "commands"):  # generated: the sandbox's port is gone
            assert "127.0.0.1" not in text, page


def test_check_fails_when_a_page_is_edited_by_hand(tmp_path: Path) -> None:
    copy = tmp_path / "docs"
    shutil.copytree(DOCS, copy)
    page = copy / "cdek" / "GetOrder.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    (copy / "cdek" / "NoSuchMethod.md").write_text("stale", encoding="utf-8")
    result = run_cli(["docs", "build", "--out", str(copy), "--check"])
    assert result.exit_code == 1
    assert str(page) in result.stderr
    assert "NoSuchMethod.md" in result.stderr
    assert "CreateRefusal.md" not in result.stderr

    rebuilt = run_cli(["docs", "build", "--out", str(copy)])
    assert rebuilt.exit_code == 0
    assert run_cli(["docs", "build", "--out", str(copy), "--check"]).exit_code == 0
    assert not (copy / "cdek" / "NoSuchMethod.md").exists()


PLUGIN = """
from oint_core import Kind, Method, Param, Provider, hookimpl


def echo(ctx, text):
    return {"text": text}


@hookimpl
def oint_providers():
    param = Param("Text", "--text", Kind.STRING, "DESCRIPTION", required=True)
    return [Provider("echo", "Echoes", (Method("Echo", "Echoes text", "Misc", echo, (param,)),))]
"""


def test_check_fails_when_a_parameter_changes(tmp_path: Path, monkeypatch) -> None:
    def install(description: str, name: str) -> None:
        folder = write_plugin_distribution(
            tmp_path / name,
            distribution="oint-echo",
            modules={f"{name}.py": PLUGIN.replace("DESCRIPTION", description)},
            entry_points={"echo": name},
        )
        monkeypatch.syspath_prepend(str(folder))

    out = tmp_path / "docs"
    install("Text to echo", "oint_echo_v1")
    assert run_cli(["docs", "build", "--provider", "echo", "--out", str(out)]).exit_code == 0
    assert "| Text | --text | String | Text to echo |" in (out / "echo" / "Echo.md").read_text()
    assert (
        run_cli(["docs", "build", "--provider", "echo", "--out", str(out), "--check"]).exit_code
        == 0
    )

    monkeypatch.setattr(sys, "path", [p for p in sys.path if "oint_echo_v1" not in p])
    install("The text to send back", "oint_echo_v2")
    result = run_cli(["docs", "build", "--provider", "echo", "--out", str(out), "--check"])
    assert result.exit_code == 1
    assert "Echo.md" in result.stderr
    for name in ("oint_echo_v1", "oint_echo_v2"):
        sys.modules.pop(name, None)


# -- the plugin-writing guide is executed, so it cannot rot --------------------------------


def code_block(title: str) -> str:
    guide = (DOCS / "writing-a-plugin.md").read_text(encoding="utf-8")
    match = re.search(rf'```\w+ title="{re.escape(title)}"\n(.*?)```', guide, re.S)
    assert match, title
    return match.group(1)


@pytest.fixture
def plugin_source() -> str:
    return code_block("oint_hello.py")


def test_the_guide_registers_the_entry_point_it_describes() -> None:
    assert 'hello = "oint_hello"' in code_block("pyproject.toml")


def test_the_guides_example_plugin_passes_the_guides_test(
    tmp_path, monkeypatch, httpserver, plugin_source
) -> None:
    namespace: dict = {}
    exec(compile(code_block("test_hello.py"), "test_hello.py", "exec"), namespace)  # noqa: S102
    namespace["test_get_greeting"](tmp_path, monkeypatch, httpserver, plugin_source)
