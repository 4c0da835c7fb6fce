"""Derive the facts-only copy of CDEK's OpenAPI document that the contract tests read.

CDEK's document (API v2, OpenAPI 3.0.1) is CDEK's text: its descriptions, examples and the
documentation portal in its ``common`` tag stay out of this project. What the tests need are
facts: the paths and verbs, each parameter's name, place, requiredness and schema, the
request and response schemas by status, and the component schemas with their types,
formats, required fields, enums and limits. This script keeps exactly those, plus the facts
of the ``common`` tag's section on webhooks (``webhooks``): each event type's attribute
table reduced to names, types, requiredness and listed values; CDEK's delivery rules as
numbers; the order status appendix's numeric codes and its reason-code appendix's statuses.

    python tools/cdek_spec_facts.py PATH/TO/cdek-openapi.json tests/cdek/spec/cdek-v2.facts.json

The output is deterministic (sorted keys), so a test can regenerate it and compare.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

# Schema keywords that state facts; everything else (description, example, title, x-…)
# is left out. "properties" and "items" are walked, not copied.
SCHEMA_FACTS = frozenset(
    {
        "type",
        "format",
        "enum",
        "required",
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "$ref",
    }
)
PARAMETER_FACTS = ("name", "in", "required", "deprecated", "style", "explode")
VERBS = ("get", "post", "put", "patch", "delete")


def schema(value: Any) -> Any:
    """A schema object reduced to its facts."""
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {k: v for k, v in value.items() if k in SCHEMA_FACTS}
    if isinstance(value.get("properties"), dict):
        kept["properties"] = {name: schema(sub) for name, sub in value["properties"].items()}
    if "items" in value:
        kept["items"] = schema(value["items"])
    if isinstance(value.get("additionalProperties"), (dict, bool)):
        kept["additionalProperties"] = schema(value["additionalProperties"])
    for combinator in ("allOf", "oneOf", "anyOf"):
        if isinstance(value.get(combinator), list):
            kept[combinator] = [schema(sub) for sub in value[combinator]]
    if isinstance(value.get("not"), dict):
        kept["not"] = schema(value["not"])
    return kept


def content(value: dict[str, Any]) -> dict[str, Any]:
    return {mime: {"schema": schema(body.get("schema", {}))} for mime, body in value.items()}


def operation(value: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"operationId": value.get("operationId")}
    if value.get("deprecated"):
        kept["deprecated"] = True
    kept["security"] = bool(value.get("security"))
    kept["parameters"] = [
        {
            **{k: p[k] for k in PARAMETER_FACTS if k in p},
            "schema": schema(p.get("schema", {})),
        }
        for p in value.get("parameters", [])
    ]
    body = value.get("requestBody")
    if body:
        kept["requestBody"] = {
            "required": bool(body.get("required")),
            "content": content(body.get("content", {})),
        }
    kept["responses"] = {
        status: {"content": content(answer.get("content", {}))}
        for status, answer in value.get("responses", {}).items()
    }
    return kept


# --- the webhook facts of the ``common`` tag (a Markdown document) ---------------------------

#: Column types of the attribute tables, as JSON Schema type (and format).
_TABLE_TYPES = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "uuid": {"type": "string", "format": "uuid"},
    "object": {"type": "object"},
    "[]": {"type": "array"},
}
#: Cyrillic letters that look like Latin ones: a field name typed with one (CDEK's table of
#: COURIER_INFO has one) is what a receiver gets with the Latin letter.
_LOOKALIKES = str.maketrans("асеорхАВСЕНКМОРТХ", "aceopxABCEHKMOPTX")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A value a description lists: after a line break, a colon or a comma, before " - " or "(".
_LISTED = re.compile(r"(?:<br\s*/?>|:|,)\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:-|\()")


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    """The document's sections: (heading line, its lines), headings of any level."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        if line.startswith("#"):
            sections.append((line, []))
        else:
            sections[-1][1].append(line)
    return sections


def _tables(lines: list[str]) -> list[tuple[str, list[list[str]]]]:
    """The Markdown tables in ``lines``: (the last non-empty line before it, its rows as
    cells, header included, separator left out)."""
    tables: list[tuple[str, list[list[str]]]] = []
    before, rows = "", []
    for line in lines + [""]:
        if line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells if cell):
                rows.append(cells)
            continue
        if rows:
            tables.append((before, rows))
            rows = []
        if line.strip():
            before = line.strip()
    return tables


def _field_type(text: str) -> dict[str, Any]:
    key = re.sub(r"[\s()]", "", text).lower()
    if key.startswith("[") or key == "[]":
        key = "[]"
    return dict(_TABLE_TYPES.get(key, {}))


def _attribute_tree(rows: list[list[str]], normalized: list[str], event: str) -> dict[str, Any]:
    """An attribute table (number, name, description, type, required) as a schema tree."""
    root: dict[str, Any] = {"properties": {}, "required": []}
    nodes: dict[str, dict[str, Any]] = {}
    for cells in rows[1:]:
        number, name, description, kind, required = cells[:5]
        clean = name.translate(_LOOKALIKES)
        if clean != name:
            normalized.append(f"{event}.{clean}")
        if not _IDENTIFIER.fullmatch(clean):
            continue
        node = _field_type(kind)
        listed = [v for v in _LISTED.findall(description) if v not in ("true", "false")]
        if node.get("type") == "string" and len(listed) >= 2:
            node["enum"] = listed
        parts = number.split(".")
        parent = nodes.get(".".join(parts[:-1])) if len(parts) > 2 else None
        if parent is None:
            container = root
        elif parent.get("type") == "array":
            container = parent.setdefault("items", {"type": "object"})
        else:
            parent.setdefault("type", "object")
            container = parent
        container.setdefault("properties", {})[clean] = node
        if required.lower().startswith("д"):  # "да"
            container.setdefault("required", []).append(clean)
        nodes[number] = node
    return root


def _rules(text: str) -> dict[str, int]:
    """CDEK's delivery rules, as the numbers the notes of the webhook section give."""
    rules: dict[str, int] = {}
    found = re.search(r"(\d+)\s*секунд", text)
    if found:
        rules["connect_timeout_seconds"] = int(found.group(1))
    found = re.search(r"(\d+)\s*попыт\w*[^\d]*?(\d+)\s*минут", text)
    if found:
        rules["max_attempts"] = int(found.group(1))
        rules["attempts_window_minutes"] = int(found.group(2))
    found = re.search(r"через\s*(\d+)\s*час", text)
    if found:
        rules["failing_subscription_removed_after_hours"] = int(found.group(1))
    return rules


def webhooks(document: dict[str, Any]) -> dict[str, Any]:
    """The facts of the ``common`` tag about webhook events (see the module's docstring)."""
    types = (
        document.get("components", {})
        .get("schemas", {})
        .get("WebhookDto", {})
        .get("properties", {})
        .get("type", {})
        .get("enum", [])
    )
    common = next(
        (t.get("description", "") for t in document.get("tags", []) if t.get("name") == "common"),
        "",
    )
    events: dict[str, Any] = {}
    envelope: dict[str, Any] = {}
    rules: dict[str, int] = {}
    normalized: list[str] = []
    statuses: dict[str, str] = {}
    reasons: dict[str, str] = {}
    status_by_name: dict[str, str] = {}
    appendix: dict[str, list[str]] = {}
    for heading, lines in _sections(common):
        numbered = re.match(r"^##\s+\S+\s+(\d+)\.", heading)
        if numbered:
            appendix[numbered.group(1)] = lines
        for before, rows in _tables(lines):
            names = [cells[1] for cells in rows[1:] if len(cells) > 1]
            if names[:4] == ["type", "date_time", "uuid", "attributes"] and not envelope:
                envelope = _attribute_tree(
                    [["", "", "", "", ""]]
                    + [[f"1.{i}", c[1], "", c[3], c[4]] for i, c in enumerate(rows[1:], 1)],
                    normalized,
                    "envelope",
                )
                envelope["properties"]["type"]["enum"] = list(types)
                envelope["properties"]["attributes"]["type"] = "object"
                rules = _rules("\n".join(lines))
                continue
            named = [t for t in types if re.search(rf"\b{t}\b", before)]
            if len(named) == 1 and envelope and len(rows[0]) >= 5:
                events[named[0]] = _attribute_tree(rows, normalized, named[0])
    for lines in appendix.get("1", []), appendix.get("2", []):
        for _, rows in _tables(lines):
            for cells in rows[1:]:
                if lines is appendix.get("1") and len(cells) >= 3:
                    statuses[cells[1]] = cells[0]
                    status_by_name[cells[2]] = cells[1]
                elif len(cells) >= 4 and cells[0].isdigit():
                    reasons[cells[0]] = status_by_name.get(cells[3], "")
    return {
        "envelope": envelope,
        "events": events,
        "types_without_table": [t for t in types if t not in events],
        "delivery": rules,
        "normalized_names": normalized,
        "order_status_codes": statuses,
        "order_reason_statuses": reasons,
    }


def derive(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": {
            "openapi": document.get("openapi"),
            "version": document.get("info", {}).get("version"),
            "servers": [server.get("url") for server in document.get("servers", [])],
        },
        "paths": {
            path: {verb: operation(op) for verb, op in ops.items() if verb in VERBS}
            for path, ops in document.get("paths", {}).items()
        },
        "components": {
            "schemas": {
                name: schema(value)
                for name, value in document.get("components", {}).get("schemas", {}).items()
            }
        },
        "webhooks": webhooks(document),
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(derive(document), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="CDEK's OpenAPI document (JSON)")
    parser.add_argument("out", type=Path, help="where the facts go")
    args = parser.parse_args(argv)
    text = render(json.loads(args.spec.read_text(encoding="utf-8")))
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
