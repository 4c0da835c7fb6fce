"""The facts-only copy of CDEK's OpenAPI document: made by tools/cdek_spec_facts.py, current,
and free of CDEK's prose."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from ..conftest import SPEC_FACTS

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "cdek_spec_facts.py"
# CDEK's document is not part of the project; point CDEK_OPENAPI at it (the workplace keeps
# it next to the checkout) to check that the committed facts are what the tool makes of it.
SOURCE = Path(os.environ.get("CDEK_OPENAPI", REPO.parent / "shared" / "cdek-openapi.json"))


def _tool():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("cdek_spec_facts", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SOURCE.is_file(), reason="CDEK's OpenAPI document is not here")
def test_the_committed_facts_are_what_the_tool_makes_of_cdeks_document() -> None:
    document = json.loads(SOURCE.read_text(encoding="utf-8"))
    assert _tool().render(document) == SPEC_FACTS.read_text(encoding="utf-8")


def test_the_facts_carry_no_prose() -> None:
    """CDEK's descriptions and examples are its text (in Russian): none of it is kept."""
    text = SPEC_FACTS.read_text(encoding="utf-8")
    assert not re.search("[А-Яа-яЁё]", text)

    def walk(node: object, in_properties: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not in_properties:
                    assert key not in ("description", "example", "examples", "title", "summary")
                walk(value, in_properties=(key == "properties" and not in_properties))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(text))


def test_the_tool_keeps_facts_and_drops_text() -> None:
    document = {
        "openapi": "3.0.1",
        "info": {"version": "1.0.0", "description": "Текст"},
        "paths": {
            "/v2/x": {
                "get": {
                    "summary": "Текст",
                    "operationId": "x",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "query",
                            "required": True,
                            "example": "1",
                            "description": "Текст",
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/X"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "X": {
                    "description": "Текст",
                    "required": ["description"],
                    "properties": {
                        "description": {"type": "string", "maxLength": 9, "example": "пример"}
                    },
                }
            }
        },
    }
    facts = json.loads(_tool().render(document))
    operation = facts["paths"]["/v2/x"]["get"]
    assert operation["parameters"] == [
        {"name": "code", "in": "query", "required": True, "schema": {"type": "integer"}}
    ]
    assert facts["components"]["schemas"]["X"] == {
        "required": ["description"],
        "properties": {"description": {"type": "string", "maxLength": 9}},
    }


def test_the_tool_reads_the_webhook_tables_of_the_common_tag() -> None:
    """Names, types and requiredness, nested by row number; the prose around them is not kept."""
    common = "\n".join(
        [
            "Текст о вебхуках.",
            "",
            "| № | Поле | Описание | Тип | Обязательность |",
            "|---|---|---|---|---|",
            "| 1 | type | Тип | string | да |",
            "| 2 | date_time | Дата | datetime | да |",
            "| 3 | uuid | Сущность | UUID | да |",
            "| 4 | attributes | Атрибуты | | да |",
            "",
            "Для типа события PARCEL_SEEN attributes содержит:",
            "",
            "| № | Поле | Описание | Тип | Обязательность |",
            "|---|---|---|---|---|",
            "| 4.1 | сode | Код (с кириллической «с») | string() | нет |",
            "| 4.2 | places | Места | [ ] | да |",
            "| 4.2.1 | number | Номер | string() | да |",
            "",
            "| 9 | unrelated | Таблица без события | string | да |",
        ]
    )
    document = {"tags": [{"name": "common", "description": common}]}
    facts = json.loads(_tool().render(document))["webhooks"]
    assert [f["name"] for f in facts["envelope"]] == ["type", "date_time", "uuid", "attributes"]
    assert facts["events"] == {
        "PARCEL_SEEN": {
            "attributes": [
                {"name": "code", "homoglyph": True, "type": "string", "required": False},
                {
                    "name": "places",
                    "type": "array",
                    "required": True,
                    "fields": [{"name": "number", "type": "string", "required": True}],
                },
            ]
        }
    }
