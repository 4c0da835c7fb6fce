"""Fixtures for testing against the CDEK sandbox over real sockets."""

from __future__ import annotations

import json
import re
import uuid as uuid_module
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import pytest
import requests

from oint_cdek.sandbox.app import TEST_ACCOUNT, TEST_SECURE_PASSWORD, SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

OTHER_ACCOUNT, OTHER_SECRET = "other-account", "other-secret"
#: The default (CDEK test) account plus a second one, for ownership checks.
BOTH_ACCOUNTS = {TEST_ACCOUNT: TEST_SECURE_PASSWORD, OTHER_ACCOUNT: OTHER_SECRET}

ClientT = TypeVar("ClientT", bound="SandboxClient")

#: An order the sandbox accepts and processes (shared by tests of several files: test modules
#: import only from conftest, which every import mode loads first).
REPO_ORDER = {
    "number": "fault-1",
    "tariff_code": 139,
    "recipient": {"name": "Тест", "phones": [{"number": "+79990000000"}]},
    "from_location": {"code": 44},
    "to_location": {"code": 270},
    "packages": [{"number": "1", "weight": 500}],
}


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A session that ignores proxy variables: sandbox traffic must stay on 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox per test (short processing delay), stopped afterwards."""
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as running:
        yield running


def get_token(
    sandbox: RunningSandbox,
    session: requests.Session | None = None,
    client_id: str = TEST_ACCOUNT,
    client_secret: str = TEST_SECURE_PASSWORD,
) -> str:
    """Ask ``sandbox`` for an access token the way CDEK documents it (form body)."""
    session = session or requests.Session()
    session.trust_env = False
    answer = session.post(
        f"{sandbox.base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def order_body(**overrides: Any) -> dict[str, Any]:
    """A minimal valid order (online store, office to office)."""
    body: dict[str, Any] = {
        "tariff_code": 136,
        "number": "shop-1",
        "recipient": {"name": "Иван Петров", "phones": [{"number": "+79990000001"}]},
        "packages": [{"number": "box-1", "weight": 500}],
        "shipment_point": "MSK123",
        "to_location": {"city": "Санкт-Петербург", "address": "Невский пр., 1"},
    }
    body.update(overrides)
    return body


class SandboxClient:
    """Raw calls to one sandbox with one token; helpers assert what they rely on.

    The sandbox test files all talk to the sandbox the same way (bearer header, 5 s timeout,
    /_sandbox control calls), so that lives here once; a file subclasses it only for helpers
    of its own.
    """

    #: Seconds ``advance()`` moves the sandbox clock when not told otherwise.
    advance_by: float = 10

    def __init__(self, sandbox: RunningSandbox, http: requests.Session, token: str) -> None:
        self.sandbox = sandbox
        self.http = http
        self.token = token

    @classmethod
    def login(
        cls: type[ClientT],
        sandbox: RunningSandbox,
        http: requests.Session,
        client_id: str = TEST_ACCOUNT,
        client_secret: str = TEST_SECURE_PASSWORD,
    ) -> ClientT:
        """A client holding a fresh token of ``client_id`` (the default test account)."""
        return cls(sandbox, http, get_token(sandbox, http, client_id, client_secret))

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``path`` below /v2, or an absolute URL; ``headers`` replaces the bearer header."""
        headers = kwargs.pop("headers", {"Authorization": f"Bearer {self.token}"})
        kwargs.setdefault("timeout", 5)
        url = path if path.startswith("http") else self.sandbox.base_url + path
        return self.http.request(method, url, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)

    def read(self, path: str, **kwargs: Any) -> Any:
        """The JSON body of a GET answered with 200."""
        answer = self.get(path, **kwargs)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to the sandbox's own /_sandbox control endpoints (no token)."""
        kwargs.setdefault("timeout", 5)
        return self.http.request(method, f"{self.sandbox.root_url}/_sandbox{path}", **kwargs)

    def advance(self, seconds: float | None = None) -> datetime:
        """Move the sandbox clock (by ``advance_by`` by default); returns its new time."""
        seconds = self.advance_by if seconds is None else seconds
        answer = self.control("POST", "/advance", json={"seconds": seconds})
        assert answer.status_code == 200, answer.text
        return datetime.strptime(answer.json()["now"], "%Y-%m-%dT%H:%M:%S%z")

    def accepted(self, answer: requests.Response, request_type: str = "CREATE") -> str:
        """The entity uuid of a 202 answer, after checking the envelope."""
        assert answer.status_code == 202, answer.text
        [record] = answer.json()["requests"]
        assert (record["type"], record["state"]) == (request_type, "ACCEPTED")
        return answer.json()["entity"]["uuid"]

    def settled_order(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new order from ``body``, advanced until settled (status CREATED); its entity."""
        order_uuid = self.accepted(self.post("/orders", json=body))
        self.advance()
        entity = self.read(f"/orders/{order_uuid}")["entity"]
        assert entity["statuses"][0]["code"] == "CREATED"
        return entity


@pytest.fixture
def sandbox_token(sandbox: RunningSandbox, http: requests.Session) -> str:
    """A valid access token for the ``sandbox`` fixture's default (CDEK test) account."""
    return get_token(sandbox, http)


@pytest.fixture
def cdek_server(httpserver, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """A local HTTP server standing in for CDEK that answers ``{"ok": true}`` to anything."""
    import re

    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(re.compile("^/v2/")).respond_with_json({"ok": True})
    return httpserver


@pytest.fixture(autouse=True)
def _no_tokens_between_tests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tokens held in memory or configured in code never leak from one test to the next."""
    from oint_cdek import auth

    auth.forget_tokens()
    monkeypatch.setattr(auth, "_configured", None)
    yield
    auth.forget_tokens()


def sandbox_log(sandbox: RunningSandbox) -> list[dict]:
    """Every /v2 request the sandbox saw, oldest first."""
    session = requests.Session()
    session.trust_env = False
    return session.get(f"{sandbox.root_url}/_sandbox/requests", timeout=5).json()


def token_fetches(sandbox: RunningSandbox) -> int:
    return sum(1 for r in sandbox_log(sandbox) if r["path"] == "/v2/oauth/token")


# -- CDEK's OpenAPI document as a contract ------------------------------------------------------
#
# tests/cdek/spec/cdek-v2.facts.json is the facts-only derivative of CDEK's official OpenAPI
# document (tools/cdek_spec_facts.py makes it). ``Contract`` checks a request oint sent, or an
# answer the sandbox gave, against the operation it belongs to and returns the violations as
# sentences; the tests want none beyond the commented allowlists. It lives here, not in a
# module of its own, because conftest is what every pytest import mode loads first.

SPEC_FACTS = Path(__file__).parent / "spec" / "cdek-v2.facts.json"
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


class Contract:
    """CDEK's operations, checking requests against their parameters and bodies and answers
    against their documented statuses and schemas."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts
        self.checker = _format_checker()
        self.operations: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for template, verbs in facts["paths"].items():
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            for verb, operation in verbs.items():
                self.operations.append((verb.upper(), pattern, template, operation))
        # Literal paths before templated ones: /v2/print/orders/{uuid}.pdf vs /{uuid}.
        self.operations.sort(key=lambda row: row[2].count("{"))
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

    def _errors(self, instance: Any, schema: dict[str, Any], mode: str, where: str) -> list[str]:
        root = {**_json_schema(schema, mode), "components": self._components[mode]}
        validator = jsonschema.Draft7Validator(root, format_checker=self.checker)
        return [
            f"{where}{''.join(f'/{p}' for p in error.absolute_path)}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        ]

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
            return [f"{verb} {path}: no such operation in the spec"]
        template, operation = found
        where = f"{verb} {template} {status}"
        answer = operation["responses"].get(str(status)) or operation["responses"].get("default")
        if answer is None:
            return [f"{where}: status not documented (spec: {sorted(operation['responses'])})"]
        described = answer["content"].get("application/json")
        if described is None:
            return []  # a file, or no body documented
        return self._errors(body, described["schema"], "response", where)


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract(json.loads(SPEC_FACTS.read_text(encoding="utf-8")))
