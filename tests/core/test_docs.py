"""Generated docs: present for every method, stable, and never stale on main."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

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
    assert page.startswith("# Create refusal\n")  # no front matter: MkDocs takes the heading
    for element in (
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
        '!!! tip "API documentation"\n\n'
        "    Method at API documentation: [CreateRefusal](https://api-docs.cdek.ru/55327658.html)",
        '```python title="Code example"',
        '```bash title="CLI example"',
        'token="***"',
        '```json title="Result"',
        '"type": "CREATE_REFUSAL"',
    ):
        assert element in page, element
    # the examples call the order the result refused, not a placeholder
    command = re.search(r"^oint cdek CreateRefusal .*$", page, re.M)
    assert command is not None
    assert re.fullmatch(
        r"oint cdek CreateRefusal --token '\*\*\*' --uuid ([0-9a-f-]{36}) --testapi", command[0]
    )
    assert "f1799065-01de-448c-91cf-8afe7d4c0cfc" not in page


def test_no_page_has_docusaurus_syntax() -> None:
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert not text.startswith("---"), page
        assert "sidebar_position" not in text and "sidebar_label" not in text, page
        assert not re.search(r"^:::", text, re.M), page


def test_no_page_shows_a_secret() -> None:
    from oint_cdek.sandbox.app import TEST_SECURE_PASSWORD

    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if page == DOCS / "sandbox.md":  # CDEK's public test credentials, documented once
            text = text.replace(f"`{TEST_SECURE_PASSWORD}`", "", 1)
        if page == DOCS / "configuration.md":  # and in the sample profile for the sandbox
            text = text.replace(f'password = "{TEST_SECURE_PASSWORD}"', "", 1)
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
    nav = copy / "nav.yml"
    nav.write_text(nav.read_text(encoding="utf-8").replace("CreateRefusal", "X"), "utf-8")
    result = run_cli(["docs", "build", "--out", str(copy), "--check"])
    assert result.exit_code == 1
    assert str(page) in result.stderr
    assert "NoSuchMethod.md" in result.stderr
    assert str(nav) in result.stderr
    assert "CreateRefusal.md" not in result.stderr

    rebuilt = run_cli(["docs", "build", "--out", str(copy)])
    assert rebuilt.exit_code == 0
    assert run_cli(["docs", "build", "--out", str(copy), "--check"]).exit_code == 0
    assert not (copy / "cdek" / "NoSuchMethod.md").exists()


def test_the_navigation_lists_every_page_by_provider_and_group() -> None:
    nav = (DOCS / "nav.yml").read_text(encoding="utf-8")
    entries = re.findall(r'^( *)- "([^"]+)":(?: "([^"]+)")?$|^( *)- "([^"]+)"$', nav, re.M)
    targets = [e[2] or e[4] for e in entries if e[2] or e[4]]
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(targets) == pages  # every page once, nothing that is not a page
    lines = nav.splitlines()
    refusal = lines.index('      - "CreateRefusal": "cdek/CreateRefusal.md"')
    groups = [line for line in lines[:refusal] if re.fullmatch(r'    - "[^"]+":', line)]
    assert groups[-1] == '    - "Orders management":'
    assert lines.index('  - "cdek":') < refusal
    assert '    - "Getting started": "getting-started.md"' in lines
    assert '    - "oint docs build": "commands/docs-build.md"' in lines
    assert lines.index('  - "Home": "index.md"') < lines.index('  - "Guides":')
    # mkdocs.yml takes its navigation from this file, and has none of its own
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^INHERIT: docs/nav\.yml$", config, re.M)
    assert not re.search(r"^nav:", config, re.M)


def test_the_docs_layer_does_not_import_the_cli(tmp_path: Path) -> None:
    import subprocess

    script = """
import sys
from oint_core import Kind, Method, Param, Provider
from oint_core.docs import generate
from oint_core.registry import Registry

def echo(ctx, text):
    return text

method = Method("Echo", "Echoes", "Misc", echo, (Param("Text", "--text", Kind.STRING, "T"),))
pages = generate(Registry.from_providers([Provider("echo", "Echoes", (method,))]))
assert sorted(pages) == ["echo/Echo.md", "echo/index.md", "nav.yml"], sorted(pages)
assert '"Misc":' in pages["nav.yml"]
loaded = sorted(m for m in sys.modules if m.startswith("oint_core.cli") or m == "click")
print(loaded)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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
