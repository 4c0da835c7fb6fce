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
    """The webhook section's tables become schemas (nesting by row number, types, required
    rows, values a description lists), its notes numbers, its appendices code maps; a field
    name typed with a Cyrillic look-alike letter is given with the Latin one, and said so."""
    rows = "| № | Поле | Описание | Тип | Обяз. |\n|---|---|---|---|---|\n"
    common = "\n".join(
        [
            "# Вебхуки",
            "Таймаут - 15 секунд; максимум 12 попыток за 75 минут; удалена через 24 часа.",
            "",
            rows + "| 1 | type | Тип | string | да |\n| 2 | date_time | Дата | datetime | да |\n"
            "| 3 | uuid | Ид | UUID | да |\n| 4 | attributes | Атрибуты | | да |",
            "",
            "Для A_EVENT attributes:",
            "",
            rows + "| 4.1 | kind | Вид: <br/> ONE - один <br/> TWO (два) | string() | да |\n"
            "| 4.2 | items | Список | [ ] | нет |\n| 4.2.1 | сode | Код | string() | да |\n"
            "| 4.3 | flag | Флаг | boolean | нет |",
            "",
            "## Приложение 1. Статусы",
            "",
            "| Status code | Code | Статус |\n|---|---|---|\n| 4 | DELIVERED | Вручен |",
            "",
            "## Приложение 2. Причины",
            "",
            "| Код | Причина | Оказана | Статус |\n|---|---|---|---|\n"
            "| 20 | Частично | 1 | Вручен |",
        ]
    )
    document = {
        "tags": [{"name": "common", "description": common}],
        "components": {
            "schemas": {"WebhookDto": {"properties": {"type": {"enum": ["A_EVENT", "B_EVENT"]}}}}
        },
    }
    facts = _tool().webhooks(document)
    assert facts["envelope"]["required"] == ["type", "date_time", "uuid", "attributes"]
    assert facts["envelope"]["properties"]["type"]["enum"] == ["A_EVENT", "B_EVENT"]
    assert facts["events"] == {
        "A_EVENT": {
            "properties": {
                "kind": {"type": "string", "enum": ["ONE", "TWO"]},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"code": {"type": "string"}},
                        "required": ["code"],
                    },
                },
                "flag": {"type": "boolean"},
            },
            "required": ["kind"],
        }
    }
    assert facts["types_without_table"] == ["B_EVENT"]
    assert facts["normalized_names"] == ["A_EVENT.code"]
    assert facts["delivery"] == {
        "connect_timeout_seconds": 15,
        "max_attempts": 12,
        "attempts_window_minutes": 75,
        "failing_subscription_removed_after_hours": 24,
    }
    assert facts["order_status_codes"] == {"DELIVERED": "4"}
    assert facts["order_reason_statuses"] == {"20": "DELIVERED"}
