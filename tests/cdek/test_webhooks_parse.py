"""``oint_cdek.webhooks.parse``: CDEK's events, typed as CDEK's tables describe them.

The tables' facts (each event type's fields, their types and whether CDEK always sends
them) are in the committed facts file (``tools/cdek_spec_facts.py`` takes them from the
``common`` tag of CDEK's OpenAPI document); events here are built from those facts, never
copied from CDEK's examples.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from oint_cdek import vocabulary
from oint_cdek.webhooks import ATTRIBUTES, SPECS, WebhookError, WebhookEvent, parse
from oint_core import UsageError

from ..conftest import SPEC_FACTS

FACTS = json.loads(SPEC_FACTS.read_text(encoding="utf-8"))["webhooks"]


def fields_of(node: dict[str, Any], event: str) -> list[dict[str, Any]]:
    """A table's schema tree (as the facts file holds it) as its rows: name, type (a
    string's format when it has one), required, the fields of a nested object or of an
    array's items, and whether CDEK spelled the name with a Cyrillic look-alike."""
    required = set(node.get("required", []))
    rows: list[dict[str, Any]] = []
    for name, sub in node.get("properties", {}).items():
        row: dict[str, Any] = {"name": name}
        if f"{event}.{name}" in FACTS["normalized_names"]:
            row["homoglyph"] = True
        kind = sub.get("format") or sub.get("type")
        if kind:
            row["type"] = kind
        row["required"] = name in required
        inner = sub.get("items", {}) if sub.get("type") == "array" else sub
        if inner.get("properties"):
            row["fields"] = fields_of(inner, event)
        rows.append(row)
    return rows


ENVELOPE = fields_of(FACTS["envelope"], "envelope")
EVENTS: dict[str, Any] = {
    kind: {"attributes": fields_of(tree, kind)} for kind, tree in FACTS["events"].items()
}
ORDER = "72753031-1820-4f99-9240-aab139f05ca5"

#: The tables' type names -> the kinds the parser reads them as.
KINDS = {
    "string": "str",
    "boolean": "bool",
    "date-time": "date-time",
    "date": "date",
    "time": "time",
    "uuid": "uuid",
    "array": ("strings", "objects"),
    "object": "object",
}
#: A value of each kind, as CDEK would send it.
SAMPLES = {
    "str": "X-1",
    "bool": True,
    "date-time": "2024-08-19T10:02:15+0000",
    "date": "2024-08-21",
    "time": "11:00:00",
    "uuid": "fc3ef89a-0727-4a26-8d07-81a0bfd11d22",
}


def sample(fields: list[dict[str, Any]], required_only: bool = False) -> dict[str, Any]:
    """Attributes with every field of a table (or only the required ones)."""
    found: dict[str, Any] = {}
    for f in fields:
        if required_only and not f["required"]:
            continue
        kind = f.get("type", "object")
        if "fields" in f:
            inner = sample(f["fields"], required_only)
            found[f["name"]] = [inner] if kind == "array" else inner
        elif kind == "array":
            found[f["name"]] = ["A1", "B2"]
        else:
            found[f["name"]] = SAMPLES[KINDS[kind]]  # type: ignore[index]
    return found


def event(kind: str, attributes: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "date_time": "2024-08-19T10:02:15+0000",
        "uuid": ORDER,
        "attributes": attributes,
        **envelope,
    }


def plain(value: Any) -> Any:
    """A parsed value back in JSON's terms (dataclasses as dicts, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) not in (None, ())
        }
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


# -- held to CDEK's tables --------------------------------------------------------------------


def test_the_envelope_is_the_tables() -> None:
    assert sorted((f["name"], f.get("type"), f["required"]) for f in ENVELOPE) == [
        ("attributes", "object", True),
        ("date_time", "date-time", True),
        ("type", "string", True),
        ("uuid", "uuid", True),
    ]


def test_every_type_cdek_describes_is_one_oint_knows() -> None:
    # RECEIPT is in CDEK's list of types without a table of attributes: kept as a mapping.
    assert set(EVENTS) == set(vocabulary.WEBHOOK_TYPES) - {"RECEIPT"}
    assert set(ATTRIBUTES) == set(EVENTS)


def _spec_of(cls: type) -> list[tuple[str, str, bool]]:
    return [(name, kind, required) for name, kind, required, _ in SPECS[cls]]


def _table_of(fields: list[dict[str, Any]], cls: type) -> list[tuple[str, str, bool]]:
    rows = []
    nested = {name: sub for name, _, _, sub in SPECS[cls]}
    for f in fields:
        kind = KINDS[f.get("type", "object")]
        if isinstance(kind, tuple):
            kind = kind[1] if "fields" in f else kind[0]
        rows.append((f["name"], kind, f["required"]))
        if "fields" in f:
            assert sorted(_table_of(f["fields"], nested[f["name"]])) == sorted(
                _spec_of(nested[f["name"]])
            )
    return rows


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_each_class_reads_exactly_its_tables_fields(kind: str) -> None:
    cls = ATTRIBUTES[kind]
    # (the facts file keeps a table's fields by name, not in the table's order)
    assert sorted(_table_of(EVENTS[kind]["attributes"], cls)) == sorted(_spec_of(cls))
    # ... and the class has those fields, the required ones without a default.
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(fields) == {name for name, _, _, _ in SPECS[cls]}
    for name, _, required, _ in SPECS[cls]:
        assert (fields[name].default is dataclasses.MISSING) == required, name


def test_courier_infos_cdek_number_is_read_in_latin_letters() -> None:
    """CDEK's table spells it with a Cyrillic 'с' (the tool marks it); CDEK sends Latin."""
    row = next(f for f in EVENTS["COURIER_INFO"]["attributes"] if f["name"] == "cdek_number")
    assert row.get("homoglyph") is True
    parsed = parse(event("COURIER_INFO", {"task_type": "DELIVERY", "cdek_number": "100"}))
    assert parsed.attributes.cdek_number == "100"


# -- every type parses ---------------------------------------------------------------------------


@pytest.mark.parametrize("required_only", [False, True], ids=["all fields", "required only"])
@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_every_type_from_the_tables_parses(kind: str, required_only: bool) -> None:
    attributes = sample(EVENTS[kind]["attributes"], required_only)
    body = event(kind, attributes)
    parsed = parse(json.dumps(body).encode())
    assert isinstance(parsed, WebhookEvent)
    assert (parsed.type, parsed.uuid, parsed.known) == (kind, ORDER, True)
    assert isinstance(parsed.attributes, ATTRIBUTES[kind])
    assert plain(parsed.attributes) == attributes
    assert parsed.raw == body


def test_bytes_text_and_a_mapping_parse_alike() -> None:
    body = event("PRINT_FORM", {"type": "WAYBILL", "url": "https://x/y.pdf"})
    text = json.dumps(body, ensure_ascii=False)
    assert (
        parse(body) == parse(text) == parse(text.encode()) == parse(b"\xef\xbb\xbf" + text.encode())
    )


def test_receipt_and_unknown_types_keep_their_attributes() -> None:
    receipt = parse(event("RECEIPT", {"anything": [1]}))
    assert receipt.known and receipt.attributes == {"anything": [1]}
    future = parse(event("PARCEL_LOST", {"why": "fell"}))
    assert not future.known and future.attributes == {"why": "fell"}


def test_a_number_where_the_tables_say_text_is_read_as_text() -> None:
    attributes = sample(EVENTS["DELIV_PROBLEM"]["attributes"]) | {"code": 45}
    assert parse(event("DELIV_PROBLEM", attributes)).attributes.code == "45"


def test_fields_cdek_adds_later_are_ignored_and_kept_raw() -> None:
    attributes = sample(EVENTS["OFFICE_AVAILABILITY"]["attributes"]) | {"new": 1}
    parsed = parse(event("OFFICE_AVAILABILITY", attributes, extra="x"))
    assert parsed.raw["attributes"]["new"] == 1 and parsed.raw["extra"] == "x"


# -- what is not an event ------------------------------------------------------------------------

STATUS = sample(EVENTS["ORDER_STATUS"]["attributes"], required_only=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "the body is not JSON: Expecting property name enclosed in double quotes"),
        (b"\xff{}", "the body is not UTF-8 text (byte 0)"),
        (b'{"a": NaN}', "the body is not JSON: NaN is not JSON"),
        ("[]", "an event is a JSON object, not a list"),
        ("null", "an event is a JSON object, not null"),
        (event("", STATUS), 'type must be the event type as text, not ""'),
        (
            {k: v for k, v in event("ORDER_STATUS", STATUS).items() if k != "type"},
            "type is missing",
        ),
        (
            event("ORDER_STATUS", STATUS, date_time="yesterday"),
            'date_time must be an ISO 8601 date-time, not "yesterday"',
        ),
        (event("ORDER_STATUS", STATUS, uuid="{" + ORDER + "}"), "uuid must be a UUID, not"),
        (event("ORDER_STATUS", STATUS, uuid=7), "uuid must be a UUID, not a number"),
        (event("ORDER_STATUS", []), "attributes must be an object, not a list"),  # type: ignore[arg-type]
        (
            event("ORDER_STATUS", {**STATUS, "is_return": "false"}),
            'attributes.is_return must be true or false, not "false"',
        ),
        (
            event("ORDER_STATUS", {k: v for k, v in STATUS.items() if k != "code"}),
            "attributes.code is missing",
        ),
        (
            event("ORDER_STATUS", {**STATUS, "related_entities": [{"type": "direct_order"}]}),
            "attributes.related_entities[0].cdek_number is missing",
        ),
        (
            event("ORDER_MODIFIED", {"modification_type": "X", "new_value": "7"}),
            'attributes.new_value must be an object, not "7"',
        ),
        (
            event(
                "DELIV_AGREEMENT",
                sample(EVENTS["DELIV_AGREEMENT"]["attributes"]) | {"time_to": "6pm"},
            ),
            'attributes.time_to must be a time, not "6pm"',
        ),
    ],
)
def test_a_body_that_is_not_an_event_fails_with_one_line(body: Any, message: str) -> None:
    with pytest.raises(WebhookError) as caught:
        parse(body)
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_each_required_attribute_is_required(kind: str) -> None:
    full = sample(EVENTS[kind]["attributes"])
    for f in EVENTS[kind]["attributes"]:
        if f["required"]:
            without = {k: v for k, v in full.items() if k != f["name"]}
            with pytest.raises(WebhookError, match=rf"^attributes\.{f['name']} is missing$"):
                parse(event(kind, without))


# -- the key: the same change, delivered again ---------------------------------------------------


def status(**changes: Any) -> WebhookEvent[Any]:
    attributes = sample(EVENTS["ORDER_STATUS"]["attributes"]) | {"deleted": False} | changes
    return parse(event("ORDER_STATUS", attributes))


def test_a_redelivery_has_the_same_key_however_it_is_spelled() -> None:
    body = event("ORDER_STATUS", sample(EVENTS["ORDER_STATUS"]["attributes"]))
    again = json.dumps(dict(reversed(list(body.items()))), indent=2)
    assert parse(body).key == parse(again).key
    assert (
        parse(body).key == parse(event("ORDER_STATUS", body["attributes"], uuid=ORDER.upper())).key
    )


def test_another_change_has_another_key() -> None:
    first = status(code="ACCEPTED", status_date_time="2024-08-19T10:02:15+0000")
    keys = {
        first.key,
        status(code="DELIVERED", status_date_time="2024-08-19T10:02:15+0000").key,
        status(code="ACCEPTED", status_date_time="2024-08-20T10:02:15+0000").key,
        status(code="ACCEPTED", status_date_time="2024-08-19T10:02:15+0000", deleted=True).key,
    }
    assert len(keys) == 4
    other_order = parse(event("ORDER_STATUS", dict(first.raw["attributes"]), uuid=SAMPLES["uuid"]))
    assert other_order.key != first.key
    # What does not tell one change from another (the city's name) does not change the key.
    assert (
        status(code="ACCEPTED", status_date_time="2024-08-19T10:02:15+0000", city_name="Y").key
        == first.key
    )


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_every_type_has_a_key_that_names_it(kind: str) -> None:
    one = parse(event(kind, sample(EVENTS[kind]["attributes"])))
    assert json.loads(one.key)[:3] == [kind, ORDER, "2024-08-19T10:02:15+0000"]
    assert (
        parse(event(kind, sample(EVENTS[kind]["attributes"]), date_time="2025-01-01T00:00:00Z")).key
        != one.key
    )


def test_not_strict_keeps_odd_attributes_and_says_why() -> None:
    odd = {k: v for k, v in STATUS.items() if k != "code"}
    kept = parse(event("ORDER_STATUS", odd), strict=False)
    assert kept.known and kept.attributes == odd
    assert kept.warning == "attributes.code is missing"
    assert parse(event("ORDER_STATUS", STATUS), strict=False).warning is None
    with pytest.raises(WebhookError, match="^uuid must be a UUID"):
        parse(event("ORDER_STATUS", STATUS, uuid="x"), strict=False)  # the envelope still counts
