"""The sandbox as a server under hostile requests: every one gets CDEK's 4xx envelope (or a
normal answer), never a 5xx, and none poisons what later requests see."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oint_cdek.sandbox.app import SandboxConfig
from oint_cdek.sandbox.server import RunningSandbox, start_sandbox

from ..conftest import (
    SandboxClient,
    get_token,
    loopback_session,
    order_body,
    sandbox_control,
    token_answer,
)

#: Examples per endpoint family in the suite; benchmarks/sandbox_fuzz.py runs many more.
EXAMPLES = int(os.environ.get("OINT_SANDBOX_FUZZ_EXAMPLES", "40"))

#: (method, path) of every CDEK route, with a placeholder for an id.
ROUTES = [
    ("POST", "/orders"),
    ("PATCH", "/orders"),
    ("GET", "/orders/{id}"),
    ("GET", "/orders"),
    ("DELETE", "/orders/{id}"),
    ("POST", "/orders/{id}/refusal"),
    ("POST", "/orders/{id}/clientReturn"),
    ("POST", "/print/orders"),
    ("POST", "/print/barcodes"),
    ("GET", "/print/orders/{id}"),
    ("GET", "/print/barcodes/{id}.pdf"),
    ("POST", "/prealert"),
    ("GET", "/passport"),
    ("GET", "/check"),
    ("GET", "/registries"),
    ("GET", "/deliverypoints"),
    ("GET", "/location/regions"),
    ("GET", "/location/cities"),
    ("GET", "/location/suggest/cities"),
    ("GET", "/location/postalcodes"),
    ("GET", "/location/coordinates"),
    ("GET", "/delivery/intervals"),
    ("POST", "/intakes"),
    ("PATCH", "/intakes"),
    ("POST", "/intakes/availableDays"),
    ("POST", "/delivery"),
    ("POST", "/calculator/tariff"),
    ("POST", "/calculator/tarifflist"),
    ("POST", "/calculator/tariffAndService"),
    ("POST", "/international/package/restrictions"),
    ("POST", "/delivery/estimatedIntervals"),
    ("POST", "/reverse/availability"),
    ("POST", "/photoDocument"),
    ("GET", "/photoDocument/{id}"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/{id}"),
]

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        "\ud83d",
        "\x00",
        "a" * 5000,
        "𝓤𝓷𝓲𝓬𝓸𝓭𝓮",
        "../../etc/passwd",
        "%00",
        "%ZZ",
        "1e999",
        "-0",
        "9" * 5000,
        "NaN",
        "\u202e",
        "{}",
        "[]",
    ]
) | st.text(max_size=40)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "number",
                    "tariff_code",
                    "uuid",
                    "order_uuid",
                    "cdek_number",
                    "packages",
                    "weight",
                    "recipient",
                    "from_location",
                    "to_location",
                    "code",
                    "orders",
                    "date",
                    "type",
                    "url",
                    "services",
                    "comment",
                    "size",
                    "page",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
RAW_BODIES = st.sampled_from(
    [
        b"",
        b"{",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1e999}',
        b'{"comment": "\\ud83d"}',
        b'{"number": "\\udc00x"}',
        b"\xff\xfe\x00",
        b"[" * 100_000,
        b'{"a":' * 50_000,
        b'{"tariff_code": ' + b"9" * 10_000 + b"}",
        b"null",
        b'"text"',
        b"\x00" * 100,
    ]
)


class Raw:
    """Requests sent as built, bearer token included."""

    def __init__(self, sandbox: RunningSandbox, token: str) -> None:
        self.sandbox = sandbox
        self.session = loopback_session()
        self.token = token

    def send(
        self, method: str, path: str, body: bytes | None, params: Any = None
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        url = self.sandbox.base_url + path
        return self.session.request(
            method, url, data=body, params=params, headers=headers, timeout=30
        )


@pytest.fixture(scope="module")
def raw() -> Iterator[Raw]:
    with start_sandbox(SandboxConfig(processing_delay=0)) as sandbox:
        yield Raw(sandbox, get_token(sandbox))


def fill(path: str, value: str) -> str:
    quoted = requests.utils.quote(value.encode("utf-8", "surrogatepass"), safe="")
    return path.replace("{id}", quoted)


def assert_cdek_answer(answer: requests.Response) -> None:
    assert answer.status_code < 500, (answer.request.method, answer.request.url, answer.text)
    if answer.status_code >= 400:
        body = answer.json()
        assert "requests" in body or "errors" in body, answer.text


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The bounded run in the suite is the same every time; a longer one (more examples,
    # random) is benchmarks/sandbox_fuzz.py.
    derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(route=st.sampled_from(ROUTES), body=VALUES, ident=HOSTILE_TEXT)
def test_hostile_json_bodies_get_4xx(
    raw: Raw, route: tuple[str, str], body: Any, ident: str
) -> None:
    method, path = route
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert_cdek_answer(raw.send(method, fill(path, ident), payload))


@FUZZ
@given(route=st.sampled_from(ROUTES), body=RAW_BODIES)
def test_broken_bodies_get_4xx(raw: Raw, route: tuple[str, str], body: bytes) -> None:
    method, path = route
    assert_cdek_answer(raw.send(method, fill(path, "x"), body))


@FUZZ
@given(
    route=st.sampled_from([r for r in ROUTES if r[0] == "GET"]),
    params=st.dictionaries(
        st.sampled_from(
            [
                "size",
                "page",
                "code",
                "city_code",
                "cdek_number",
                "im_number",
                "date",
                "name",
                "country_codes",
                "latitude",
                "longitude",
                "lang",
                "fias_guid",
                "postal_code",
                "order_uuid",
                "uuid",
                "weight_max",
                "type",
                "is_handout",
            ]
        ),
        HOSTILE_TEXT,
        max_size=4,
    ),
)
def test_hostile_query_strings_get_4xx(raw: Raw, route: tuple[str, str], params: dict) -> None:
    method, path = route
    encoded = {k: v.encode("utf-8", "surrogatepass") for k, v in params.items()}
    assert_cdek_answer(raw.send(method, fill(path, "x"), None, params=encoded))


def test_an_oversized_body_is_400_not_500(raw: Raw) -> None:
    answer = raw.send("POST", "/orders", b'{"comment": "' + b"x" * (17 * 2**20) + b'"}')
    assert answer.status_code == 400


def test_a_lone_surrogate_is_refused_and_does_not_poison_the_order_list(
    http: requests.Session,
) -> None:
    with start_sandbox(SandboxConfig(processing_delay=0)) as sandbox:
        client = SandboxClient.login(sandbox, http)
        raw = Raw(sandbox, client.token)
        body = json.dumps(order_body(comment="\ud83d")).encode()  # ASCII, with the escape
        assert raw.send("POST", "/orders", body).status_code == 400
        made = client.accepted(client.post("/orders", json=order_body(number="ok")))
        assert client.get(f"/orders/{made}").status_code == 200


def test_nan_in_a_control_value_is_refused(raw: Raw) -> None:
    session = raw.session
    root = raw.sandbox.root_url + "/_sandbox"
    for path, body in [
        ("/advance", b'{"seconds": NaN}'),
        ("/faults", b'{"kind": "delay", "seconds": Infinity}'),
    ]:
        answer = session.post(root + path, data=body, timeout=10)
        assert answer.status_code == 400, answer.text
    assert session.post(root + "/advance", json={"seconds": 0}, timeout=10).status_code == 200


def test_client_secret_in_a_query_string_is_not_kept_in_the_request_log(raw: Raw) -> None:
    secret = "s3cr3t-in-the-query-1234"
    token_answer(raw.session, raw.sandbox.base_url, "x", secret, in_query=True)
    log = sandbox_control(raw.sandbox, "GET", "/requests", raw.session, timeout=10).text
    assert secret not in log and "client_secret=***" in log


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(/v2/.*)*x", "a" * 201])
def test_a_fault_pattern_that_could_backtrack_for_ever_is_refused(raw: Raw, pattern: str) -> None:
    """A path filter is matched against every /v2 path while the interpreter is held: one
    that backtracks exponentially ((a+)+ on 26 characters takes seconds) would freeze the
    sandbox, so only patterns that repeat single characters or classes are taken."""
    root = raw.sandbox.root_url + "/_sandbox"
    answer = raw.session.post(root + "/faults", json={"kind": "http_500", "path": pattern})
    assert answer.status_code == 400
    assert raw.session.get(root + "/faults", timeout=10).json() == []


def test_the_usual_fault_patterns_are_taken(raw: Raw) -> None:
    root = raw.sandbox.root_url + "/_sandbox"
    for pattern in ["/refusal$", "oauth", "/orders/[^/]+$", "^/v2/(orders|intakes)"]:
        answer = raw.session.post(root + "/faults", json={"kind": "http_500", "path": pattern})
        assert answer.status_code == 201, answer.text
    assert raw.session.delete(root + "/faults", timeout=10).json() == {"cleared": 4}


@pytest.mark.parametrize("fias", ["0c5b2444-70a0-4932-980c-b4dc0d3f02b5", "\ud83d", "x"])
def test_an_office_filter_by_fias_guid_does_not_break_on_offices_without_one(
    raw: Raw, fias: str
) -> None:
    """Offices outside Russia have no fias_guid; filtering by one used to answer 500."""
    params = {"fias_guid": fias.encode("utf-8", "surrogatepass")}
    answer = raw.send("GET", "/deliverypoints", None, params=params)
    assert answer.status_code == 200 and isinstance(answer.json(), list)


@pytest.mark.parametrize(
    ("where", "value"),
    [("cost", 1e308), ("cost", 1e13), ("weight", 10**15), ("amount", -(10**14))],
)
def test_a_number_beyond_any_cdek_field_is_refused_and_the_order_list_stays_readable(
    raw: Raw, where: str, value: float
) -> None:
    """Such a number used to be accepted and then break every read of the order (500)."""
    body = order_body(number=f"big-{where}-{value}")
    body["packages"][0]["items"] = [
        {"name": "x", "ware_key": "1", "payment": {"value": 0}, "cost": 1, "weight": 1, "amount": 1}
    ]
    body["packages"][0]["items"][0][where] = value
    answer = raw.send("POST", "/orders", json.dumps(body).encode())
    assert answer.status_code == 400, answer.text
    assert raw.send("GET", "/orders", None, params={"im_number": body["number"]}).status_code == 400
