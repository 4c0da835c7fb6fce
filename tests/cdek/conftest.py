"""Fixtures for testing against the CDEK sandbox over real sockets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeVar

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


def loopback_session() -> requests.Session:
    """A session that ignores proxy variables: sandbox traffic must stay on 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    return session


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A :func:`loopback_session` for one test, closed afterwards."""
    with loopback_session() as session:
        yield session


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox per test (short processing delay), stopped afterwards."""
    with start_sandbox(SandboxConfig(processing_delay=0.05)) as running:
        yield running


def token_answer(
    session: requests.Session,
    base_url: str,
    client_id: str = TEST_ACCOUNT,
    client_secret: str = TEST_SECURE_PASSWORD,
    *,
    in_query: bool = False,
) -> requests.Response:
    """CDEK's token request to the API at ``base_url`` (``.../v2``), as CDEK documents it:
    the client-credentials grant in a form body, or ``in_query`` in the query string."""
    grant = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }
    where = "params" if in_query else "data"
    return session.post(f"{base_url}/oauth/token", timeout=5, **{where: grant})


def get_token(
    sandbox: RunningSandbox,
    session: requests.Session | None = None,
    client_id: str = TEST_ACCOUNT,
    client_secret: str = TEST_SECURE_PASSWORD,
) -> str:
    """Ask ``sandbox`` for an access token the way CDEK documents it (form body)."""
    answer = token_answer(session or loopback_session(), sandbox.base_url, client_id, client_secret)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def sandbox_control(
    sandbox: RunningSandbox,
    method: str,
    path: str,
    session: requests.Session | None = None,
    **kwargs: Any,
) -> requests.Response:
    """A call to ``sandbox``'s own /_sandbox control endpoints (no token), on ``session`` or
    a fresh :func:`loopback_session`."""
    kwargs.setdefault("timeout", 5)
    url = f"{sandbox.root_url}/_sandbox{path}"
    return (session or loopback_session()).request(method, url, **kwargs)


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
        return sandbox_control(self.sandbox, method, path, self.http, **kwargs)

    def advance(self, seconds: float | None = None) -> datetime:
        """Move the sandbox clock (by ``advance_by`` by default); returns its new time."""
        seconds = self.advance_by if seconds is None else seconds
        answer = self.control("POST", "/advance", json={"seconds": seconds})
        assert answer.status_code == 200, answer.text
        return datetime.strptime(answer.json()["now"], "%Y-%m-%dT%H:%M:%S%z")

    def accepted(
        self, answer: requests.Response, request_type: str = "CREATE", status: int = 202
    ) -> str:
        """The entity uuid of an accepted write (202, or the 200 CDEK gives intake changes),
        after checking the envelope."""
        assert answer.status_code == status, answer.text
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
    return sandbox_control(sandbox, "GET", "/requests").json()


def token_fetches(sandbox: RunningSandbox) -> int:
    return sum(1 for r in sandbox_log(sandbox) if r["path"] == "/v2/oauth/token")
