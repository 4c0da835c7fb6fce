"""Test-wide isolation: no real CDEK host, no user token, a fresh plugin registry per test."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import uuid as uuid_module
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import oint_cdek
import oint_core
from oint_core.registry import reset_default_registry

CHECKOUT = Path(__file__).resolve().parents[1]


def _origin(module: object) -> Path:
    return Path(str(getattr(module, "__file__", ""))).resolve().parent


def pytest_report_header() -> str:
    return f"oint under test: {_origin(oint_core)}, {_origin(oint_cdek)}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``posix`` (signals, file modes, a pty, wait4, bash) are skipped on Windows;
    CI runs on Linux, so they run there."""
    if sys.platform != "win32":
        return
    skip = pytest.mark.skip(reason="POSIX only")
    for item in items:
        if item.get_closest_marker("posix"):
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    """With OINT_TEST_INSTALLED=1 (CI), the suite must test the installed package: running it
    against the checkout by mistake would hide a module missing from the wheel."""
    if os.environ.get("OINT_TEST_INSTALLED") != "1":
        return
    for module in (oint_core, oint_cdek):
        if CHECKOUT in _origin(module).parents or _origin(module) == CHECKOUT:
            raise pytest.UsageError(
                f"OINT_TEST_INSTALLED=1 but {module.__name__} was imported from the checkout"
                f" ({_origin(module)}); run pytest from outside it with --import-mode=importlib"
            )


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    # Any test that forgets to point at a local server hits a closed loopback port,
    # never the internet.
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    for name in (
        "OINT_CDEK_TOKEN",
        "OINT_CDEK_ACCOUNT",
        "OINT_CDEK_PASSWORD",
        "OINT_CDEK_TESTAPI",
        "OINT_PLUGINS_STRICT",
        "OINT_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    # Never the developer's own config file: a profile there would change what tests send.
    monkeypatch.setenv("OINT_CONFIG", str(tmp_path_factory.mktemp("config") / "absent.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    reset_default_registry()
    yield
    reset_default_registry()


# -- CDEK's OpenAPI document as a contract ------------------------------------------------------
#
# tests/cdek/spec/cdek-v2.facts.json is the facts-only derivative of CDEK's official OpenAPI
# document (tools/cdek_spec_facts.py makes it). ``Contract`` checks a request oint sent, or an
# answer the sandbox gave, against the operation it belongs to and returns the violations as
# sentences; the tests want none beyond the commented allowlists. It lives here, not in a
# module of its own, because conftest is what every pytest import mode loads first.

SPEC_FACTS = Path(__file__).parent / "cdek" / "spec" / "cdek-v2.facts.json"
_CDEK_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")


def _format_checker() -> jsonschema.FormatChecker:
    """The formats CDEK's schemas use, as CDEK writes them: its date-times carry ``+0000``
    (no colon), which RFC 3339 would refuse."""
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid_module.UUID(value))

    @checker.checks("date", raises=ValueError)
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_CDEK_DATE_TIME.fullmatch(value))

    return checker


_TYPE_OF_FORMAT = {
    "int32": "integer",
    "int64": "integer",
    "double": "number",
    "float": "number",
    "uuid": "string",
    "date": "string",
    "date-time": "string",
}


def _implied_type(node: dict[str, Any]) -> str | None:
    """The type a schema means when it does not say (CDEK's often do not): an object when it
    has properties, an integer when its format is int32, a boolean when its enum is."""
    if "properties" in node:
        return "object"
    if "items" in node:
        return "array"
    if node.get("format") in _TYPE_OF_FORMAT:
        return _TYPE_OF_FORMAT[node["format"]]
    enum = node.get("enum")
    if enum and all(isinstance(v, bool) for v in enum):
        return "boolean"
    if enum and all(isinstance(v, str) for v in enum):
        return "string"
    if any(k in node for k in ("maxLength", "minLength", "pattern")):
        return "string"
    return None


def _json_schema(node: Any, mode: str) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema for one direction.

    A missing ``type`` is inferred where the schema implies one; ``nullable`` becomes a
    ``null`` type; a ``readOnly`` property is not required in a request and a ``writeOnly``
    one not in an answer (OpenAPI 3.0's rule).
    """
    if not isinstance(node, dict):
        return node
    out = {k: v for k, v in node.items() if k != "nullable"}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            out[key] = _json_schema(node[key], mode)
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(node.get(key), list):
            out[key] = [_json_schema(item, mode) for item in node[key]]
    if "type" not in node and "$ref" not in node and _implied_type(node):
        out["type"] = _implied_type(node)
    if "properties" in node:
        out["properties"] = {n: _json_schema(s, mode) for n, s in node["properties"].items()}
        hidden = "readOnly" if mode == "request" else "writeOnly"
        if "required" in node:
            out["required"] = [
                name
                for name in node["required"]
                if not node["properties"].get(name, {}).get(hidden)
            ]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in node:
            out["enum"] = [*node["enum"], None]
    return out


def _query_value(text: str, schema: dict[str, Any]) -> Any:
    """A query string value read as its schema's type (raises ValueError when it is not)."""
    kind = schema.get("type") or _implied_type(schema)
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    return text


# Lists CDEK answers as a bare JSON array of what the spec describes as the answer itself
# (its own documentation's examples, OPI's recorded results and every client agree).
LIST_ANSWERS = {
    ("GET", "/v2/deliverypoints"),
    ("GET", "/v2/location/cities"),
    ("GET", "/v2/location/regions"),
    ("GET", "/v2/location/suggest/cities"),
}


class Contract:
    """CDEK's operations, checking requests against their parameters and bodies and answers
    against their documented statuses and schemas."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts
        self.checker = _format_checker()
        self._validators: dict[tuple[str, str], jsonschema.Draft7Validator] = {}
        self.operations: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for template, verbs in facts["paths"].items():
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            for verb, operation in verbs.items():
                self.operations.append((verb.upper(), pattern, template, operation))
        # Literal paths before templated ones: /v2/print/orders/{uuid}.pdf vs /{uuid}.
        # Then the longer literal first: /v2/print/orders/{uuid}.pdf before /{uuid}.
        self.operations.sort(key=lambda row: (row[2].count("{"), -len(row[2])))
        self._components = {
            mode: {
                "schemas": {
                    name: _json_schema(schema, mode)
                    for name, schema in facts["components"]["schemas"].items()
                }
            }
            for mode in ("request", "response")
        }

    def find(self, verb: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for candidate, pattern, template, operation in self.operations:
            if candidate == verb.upper() and pattern.match(path):
                return template, operation
        return None

    def _validator(self, schema: dict[str, Any], mode: str) -> jsonschema.Draft7Validator:
        key = (mode, json.dumps(schema, sort_keys=True))
        if key not in self._validators:
            root = {**_json_schema(schema, mode), "components": self._components[mode]}
            self._validators[key] = jsonschema.Draft7Validator(root, format_checker=self.checker)
        return self._validators[key]

    def _errors(self, instance: Any, schema: dict[str, Any], mode: str, where: str) -> list[str]:
        validator = self._validator(schema, mode)
        found = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
            message = error.message
            if error.validator == "type":  # the value itself can be a whole list of offices
                kind = type(error.instance).__name__
                message = f"{kind} is not of type {error.validator_value!r}"
            found.append(f"{where}{''.join(f'/{p}' for p in error.absolute_path)}: {message}")
        return found

    def request_violations(
        self,
        verb: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        content_type: str,
    ) -> list[str]:
        found = self.find(verb, path)
        if found is None:
            return [f"{verb} {path}: no such operation in the spec"]
        template, operation = found
        where = f"{verb} {template}"
        problems: list[str] = []
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        for name in query:
            if name not in declared:
                problems.append(f"{where}: query parameter {name!r} is not in the spec")
        lowered = {k.lower(): v for k, v in headers.items()}
        for parameter in operation["parameters"]:
            name, place = parameter["name"], parameter["in"]
            if place == "query":
                values = query.get(name)
            elif place == "header":
                values = [lowered[name.lower()]] if name.lower() in lowered else None
            else:
                continue  # path parameters: matched by the template
            if not values:
                if parameter.get("required"):
                    problems.append(f"{where}: required {place} parameter {name!r} is missing")
                continue
            for text in values:
                try:
                    value = _query_value(text, parameter["schema"])
                except ValueError:
                    kind = parameter["schema"].get("type") or _implied_type(parameter["schema"])
                    problems.append(f"{where}: {place} {name}={text!r} is not a {kind}")
                    continue
                problems += self._errors(
                    value, parameter["schema"], "request", f"{where} {place} {name}"
                )
        request_body = operation.get("requestBody")
        if not body:
            if request_body and request_body.get("required"):
                problems.append(f"{where}: the spec requires a body, none was sent")
            return problems
        if request_body is None:
            problems.append(f"{where}: a body was sent, the spec takes none")
            return problems
        media = content_type.split(";")[0].strip()
        described = request_body["content"].get(media)
        if described is None:
            problems.append(
                f"{where}: body sent as {media}, the spec takes {sorted(request_body['content'])}"
            )
            return problems
        try:
            instance = json.loads(body)
        except ValueError:
            return [*problems, f"{where}: the body is not JSON"]
        return problems + self._errors(instance, described["schema"], "request", f"{where} body")

    def answer_violations(self, verb: str, path: str, status: int, body: Any) -> list[str]:
        found = self.find(verb, path)
        if found is None:
            return []  # not an operation of the spec: the route coverage test says so
        template, operation = found
        where = f"{verb} {template} {status}"
        responses = operation["responses"]
        answer = responses.get(str(status)) or responses.get("default")
        documents_errors = any(code.startswith("4") for code in responses)
        if answer is None and (status == 401 or (status == 400 and not documents_errors)):
            # The spec leaves authentication out of every operation, and documents no error
            # at all for a few (the PDF downloads): CDEK answers those with 401 or 400 and
            # its usual error envelope (the 400 answer of the operation, or of an order read).
            fallback = self.facts["paths"]["/v2/orders/{uuid}"]["get"]["responses"]["400"]
            answer = responses.get("400", fallback)
        if answer is None:
            return [f"{where}: status not documented (spec: {sorted(responses)})"]
        described = answer["content"].get("application/json")
        if described is None:
            return []  # a file, or no body documented
        schema = described["schema"]
        if (verb, template) in LIST_ANSWERS and status == 200:
            schema = {"type": "array", "items": schema}
        return self._errors(body, schema, "response", where)


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract(json.loads(SPEC_FACTS.read_text(encoding="utf-8")))


def normalized(problem: str) -> str:
    """A violation with its varying parts (indices, numbers, uuids, tokens) as placeholders,
    so that one rule covers every answer that breaks it the same way."""
    problem = re.sub(r"/\d+(?=[/:])", "/N", problem)
    problem = re.sub(r"'eyJ[\w.-]*'", "'JWT'", problem)
    # A real time of day (not 99:99) where the spec wrote "HH:mm" as a pattern.
    time_of_day = r"'([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?' does not match"
    problem = re.sub(time_of_day, "'TIME' does not match", problem)
    problem = re.sub(r"'?\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b'?", "UUID", problem)
    return re.sub(r"'?\b\d{6,}\b'?", "NUM", problem)


# Where CDEK's specification itself is wrong, so that a faithful answer breaks it. Each
# entry is a normalized violation, with the reason.
ANSWER_ALLOWLIST = {
    # access_token is a JWT (CDEK's own answers, and every client); the spec says uuid.
    "POST /v2/oauth/token 200/access_token: 'JWT' is not a 'uuid'",
    # Times: the spec puts the format "HH:mm" where a regular expression belongs.
    *(
        f"{where}: 'TIME' does not match 'HH:mm'"
        for where in (
            "GET /v2/delivery/intervals 200/date_intervals/N/time_intervals/N/start_time",
            "GET /v2/delivery/intervals 200/date_intervals/N/time_intervals/N/end_time",
            "POST /v2/delivery/estimatedIntervals 200/date_intervals/N/time_intervals/N/start_time",
            "POST /v2/delivery/estimatedIntervals 200/date_intervals/N/time_intervals/N/end_time",
            "GET /v2/intakes/{uuid} 200/entity/intake_time_from",
            "GET /v2/intakes/{uuid} 200/entity/intake_time_to",
            "GET /v2/orders/{orderUuid}/intakes 200/N/intake_time_from",
            "GET /v2/orders/{orderUuid}/intakes 200/N/intake_time_to",
            "GET /v2/delivery/{uuid} 200/entity/time_from",
            "GET /v2/delivery/{uuid} 200/entity/time_to",
        )
    ),
    # Print forms: the status enum lists two empty strings where the codes belong.
    *(
        f"GET /v2/print/{form}/{{uuid}} 200/entity/statuses/N/code: '{code}' is not one of ['', '']"
        for form in ("orders", "barcodes")
        for code in ("ACCEPTED", "PROCESSING", "READY", "INVALID", "REMOVED")
    ),
}
KNOWN_GAPS_FILE = Path(__file__).parent / "cdek" / "spec" / "sandbox-known-gaps.txt"


def _known_gaps() -> set[str]:
    """Answers the sandbox does not yet give as CDEK would: a list that only shrinks."""
    if not KNOWN_GAPS_FILE.is_file():
        return set()
    lines = KNOWN_GAPS_FILE.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


@pytest.fixture(autouse=True)
def _sandbox_answers_follow_the_spec(contract: Contract) -> Iterator[None]:
    """Every answer a sandbox gives during a test (docs builds included) must be valid for
    CDEK's specification, but for the commented allowlist of the spec's own mistakes."""
    from oint_cdek.sandbox.app import observing_answers

    seen: list[tuple[str, str, int, Any]] = []

    def observe(sandbox_request: Any, response: Any) -> None:
        if response.mimetype == "application/json":
            body = json.loads(response.get_data())
            seen.append((sandbox_request.method, sandbox_request.path, response.status_code, body))

    with observing_answers(observe):
        yield
    expected = ANSWER_ALLOWLIST | _known_gaps()
    problems = sorted(
        {
            normalized(problem)
            for method, path, status, body in seen
            for problem in contract.answer_violations(method, path, status, body)
        }
        - expected
    )
    report = os.environ.get("OINT_CONTRACT_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as handle:
            handle.writelines(problem + "\n" for problem in problems)
    elif problems:
        pytest.fail("sandbox answers that break CDEK's spec:\n" + "\n".join(problems))
