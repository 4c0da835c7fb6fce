"""Derive the facts-only copy of CDEK's OpenAPI document that the contract tests read.

CDEK's document (API v2, OpenAPI 3.0.1) is CDEK's text: its descriptions, examples and the
documentation portal in its ``common`` tag stay out of this project. What the tests need are
facts: the paths and verbs, each parameter's name, place, requiredness and schema, the
request and response schemas by status, and the component schemas with their types,
formats, required fields, enums and limits; and, from the ``common`` tag, the webhook
events' tables (each field's name, type and whether it is always sent, per event type).
This script keeps exactly those.

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


# -- webhook events: the tables of the ``common`` tag --------------------------------------------

#: A table row: | number | name | description | type | required |
_ROW = re.compile(r"^\|\s*([0-9][0-9.]*)\s*\|([^|]*)\|[^|]*\|([^|]*)\|([^|]*)\|\s*$")
#: The line before an event's attribute table names the event type (and is otherwise prose).
_EVENT_HEADING = re.compile(r"\b([A-Z][A-Z_]+) attributes\b")
#: The table's type column as written (``string()``, ``dateTime``, ``[ ]``...) -> a JSON
#: Schema-like name; an empty cell is an object when the field has fields of its own.
_TYPES = {
    "string": "string",
    "boolean": "boolean",
    "datetime": "date-time",
    "date": "date",
    "time": "time",
    "uuid": "uuid",
    "[]": "array",
    "object": "object",
}
#: Cyrillic letters that look like Latin ones: CDEK's tables spell a few names with them.
_HOMOGLYPHS = str.maketrans("асеорхуАВСЕНКМОРТХ", "aceopxyABCEHKMOPTX")


def _field(name: str, kind: str, required: str) -> dict[str, Any]:
    name = name.strip()
    latin = name.translate(_HOMOGLYPHS)
    field: dict[str, Any] = {"name": latin}
    if latin != name:
        field["homoglyph"] = True  # the source spells it with Cyrillic look-alikes
    kind = re.sub(r"[\s()]", "", kind).lower()
    if kind:
        field["type"] = _TYPES.get(kind, kind)
    field["required"] = required.strip().lower() in ("да", "yes", "true")
    return field


def _table(lines: list[str], start: int) -> tuple[list[dict[str, Any]], int]:
    """The rows of the table starting at ``lines[start]``, nested by their numbers
    (``4.12.1`` is a field of ``4.12``), and the index after the table."""
    fields: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    index = start
    while index < len(lines) and lines[index].startswith("|"):
        match = _ROW.match(lines[index])
        index += 1
        if not match:
            continue  # the header and its rule
        number, name, kind, required = match.groups()
        field = _field(name, kind, required)
        parent = fields.get(number.rpartition(".")[0])
        if parent is not None and number.count(".") >= 2:
            parent.setdefault("fields", []).append(field)
            parent.setdefault("type", "object")
        else:
            top.append(field)
        fields[number] = field
    return top, index


def webhooks(document: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a webhook event and each event type's attributes, from the tables of
    the ``common`` tag: the envelope is the table of ``type``, ``date_time``, ``uuid`` and
    ``attributes``; an event's table follows the line naming its type."""
    text = next(
        (t.get("description", "") for t in document.get("tags", []) if t.get("name") == "common"),
        "",
    )
    lines = [line.strip() for line in text.splitlines()]
    envelope: list[dict[str, Any]] = []
    events: dict[str, Any] = {}
    pending: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("|"):
            heading = _EVENT_HEADING.search(line)
            if heading:
                pending = heading.group(1)
            elif line:
                pending = None
            index += 1
            continue
        table, index = _table(lines, index)
        names = [f["name"] for f in table]
        if names == ["type", "date_time", "uuid", "attributes"] and not envelope:
            envelope = table
        elif pending is not None and table:
            events[pending] = {"attributes": table}
        pending = None
    return {"envelope": envelope, "events": dict(sorted(events.items()))}


def derive(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "webhooks": webhooks(document),
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
