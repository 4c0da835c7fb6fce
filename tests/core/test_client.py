"""Clients (``oint_core.connect``): the same call path as ``dispatch``, settings resolved
given > environment > profile > default, methods by name, and state of their own."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import oint_core
from oint_core import ApiError, UsageError, connect
from oint_core.client import BaseClient, Client

from .conftest import ACCEPTED, NOT_FOUND, ORDER, PATH, TOKEN


def _bearers(server: HTTPServer) -> list[str]:
    return [request.headers.get("Authorization", "") for request, _ in server.log]


def test_connect_gives_a_client_whose_calls_send_what_dispatch_sends(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    from_dispatch = oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    with connect("cdek", token=TOKEN) as client:
        assert isinstance(client, Client)
        by_name = client.call("CreateRefusal", uuid=ORDER)
        by_attribute = client.create_refusal(uuid=ORDER)
        by_folded_name = client.call("createrefusal", uuid=ORDER)
    assert from_dispatch == by_name == by_attribute == by_folded_name == ACCEPTED
    first, *others = (entry[0] for entry in cdek.log)
    for request in others:
        for attribute in ("method", "path", "query_string"):
            assert getattr(request, attribute) == getattr(first, attribute)
        assert request.get_data() == first.get_data()
    assert set(_bearers(cdek)) == {f"Bearer {TOKEN}"}


def test_a_clients_errors_are_dispatchs_errors(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(NOT_FOUND, status=404)
    client = connect("cdek", token=TOKEN)
    with pytest.raises(ApiError) as from_client:
        client.create_refusal(uuid=ORDER)
    with pytest.raises(ApiError) as from_dispatch:
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    assert str(from_client.value) == str(from_dispatch.value)
    assert from_client.value.codes == ["v2_entity_not_found"]
    assert TOKEN not in str(from_client.value) + repr(client)
    for bad in ({"uuid": "x"}, {"uuid": ORDER, "colour": "red"}, {}):
        with pytest.raises(UsageError) as by_client:
            client.create_refusal(**bad)
        with pytest.raises(UsageError) as by_dispatch:
            oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, **bad)
        assert str(by_client.value) == str(by_dispatch.value)
    assert len(cdek.log) == 2  # the usage errors sent nothing


@pytest.mark.parametrize(
    ("given", "setting"), [({"token": "t"}, "token"), ({"test_api": True}, "testapi")]
)
def test_a_call_cannot_change_what_the_client_holds(
    cdek: HTTPServer, given: dict[str, object], setting: str
) -> None:
    client = connect("cdek", token=TOKEN)
    for spelling in (given, {next(iter(given)).replace("_", ""): next(iter(given.values()))}):
        with pytest.raises(UsageError, match=f"setting of the client.*give {setting}= to connect"):
            client.create_refusal(uuid=ORDER, **spelling)
    assert cdek.log == []


def test_an_unknown_method_is_an_attribute_error_naming_close_matches() -> None:
    client = connect("cdek", token=TOKEN)
    with pytest.raises(AttributeError, match="did you mean create_refusal") as caught:
        client.create_refusl  # noqa: B018
    assert caught.value.name == "create_refusl"
    assert not hasattr(client, "__array__")  # dunders and private names are never looked up
    assert not hasattr(client, "_private")
    with pytest.raises(UsageError, match="unknown method 'Nope'"):
        client.call("Nope")
    assert "create_refusal" in dir(client) and "get_regions_list" in dir(client)


def test_a_method_attribute_documents_itself() -> None:
    method = connect("cdek", token=TOKEN).create_refusal
    assert method.__name__ == "create_refusal"
    assert (method.__doc__ or "").startswith("Creates an order refusal")
    assert "Returns: " in (method.__doc__ or "")
    # CreateRefusal is a write CDEK processes later: it takes wait= too (GetOrder does not).
    assert str(inspect.signature(method)) == "(*, uuid, wait=None, timeout=None, retries=None)"
    reader = connect("cdek", token=TOKEN).get_order
    assert str(inspect.signature(reader)) == "(*, uuid, timeout=None, retries=None)"


def test_connect_refuses_unknown_and_malformed_settings() -> None:
    with pytest.raises(UsageError, match=r"unknown setting acount \(did you mean account\?\)"):
        connect("cdek", acount="x")
    with pytest.raises(UsageError, match="setting token is a list"):
        connect("cdek", token=["x"])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown provider 'nope'"):
        connect("nope")
    with pytest.raises(UsageError, match="profile 'missing'"):
        connect("cdek", "missing")
    assert connect("cdek", token=None).settings.given == {}  # None: not given


def test_per_call_timeout_and_retries_are_checked_and_applied(cdek: HTTPServer) -> None:
    client = connect("cdek", token=TOKEN)
    with pytest.raises(UsageError, match="timeout"):
        client.create_refusal(uuid=ORDER, timeout=0)
    with pytest.raises(UsageError, match="retries"):
        client.call("CreateRefusal", uuid=ORDER, retries=-1)
    cdek.expect_request("/v2/location/regions").respond_with_data("busy", status=503)
    for retries, sent in ((0, 1), (1, 2)):
        cdek.clear_log()
        with pytest.raises(ApiError):
            client.get_regions_list(retries=retries, timeout=30)
        assert len(cdek.log) == sent


# -- settings: given > environment > profile > default ------------------------------------


def _profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'default = "work"\n[profile.work.cdek]\ntoken = "from-profile"\nbase_url = "{base_url}"\n'
        '[profile.other.cdek]\ntoken = "from-other"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    monkeypatch.setenv("OINT_CONFIG", str(config))


def test_settings_come_from_connect_then_environment_then_profile(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(tmp_path, monkeypatch, httpserver.url_for("/v2"))
    monkeypatch.delenv("OINT_CDEK_BASE_URL")  # the suite's closed port: the profile's instead
    httpserver.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    profile_only = connect("cdek")
    assert profile_only.profile == "work"
    profile_only.create_refusal(uuid=ORDER)
    monkeypatch.setenv("OINT_CDEK_TOKEN", "from-env")
    profile_only.create_refusal(uuid=ORDER)  # the environment is read on every call
    connect("cdek", token="given").create_refusal(uuid=ORDER)
    assert _bearers(httpserver) == [
        "Bearer from-profile",
        "Bearer from-env",
        "Bearer given",
    ]
    label = connect("cdek", token="given").settings.label("OINT_CDEK_TOKEN")
    assert label == "token (given to connect)"


def test_the_profile_is_chosen_when_the_client_is_made(
    httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(tmp_path, monkeypatch, httpserver.url_for("/v2"))
    monkeypatch.setenv("OINT_CDEK_BASE_URL", httpserver.url_for("/v2"))
    httpserver.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    work, other = connect("cdek"), connect("cdek", "other")
    monkeypatch.setenv("OINT_PROFILE", "other")  # too late for work; other was asked for
    work.create_refusal(uuid=ORDER)
    other.create_refusal(uuid=ORDER)
    assert _bearers(httpserver) == ["Bearer from-profile", "Bearer from-other"]
    assert (work.profile, other.profile) == ("work", "other")


def test_an_empty_setting_unsets_the_environments_value(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``token=""``: the client uses its account even when OINT_CDEK_TOKEN is set."""
    monkeypatch.setenv("OINT_CDEK_TOKEN", "someone-elses")
    httpserver.expect_request("/v2/oauth/token", method="POST").respond_with_json(
        {"access_token": "fetched-for-shop", "expires_in": 3600}
    )
    httpserver.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    client = connect(
        "cdek", token="", account="shop", password="pw", base_url=httpserver.url_for("/v2")
    )
    client.create_refusal(uuid=ORDER)
    assert _bearers(httpserver)[-1] == "Bearer fetched-for-shop"


def test_a_client_never_falls_back_to_use_credentials(
    cdek: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oint_cdek import auth, use_credentials

    monkeypatch.setattr(auth, "_configured", None)
    use_credentials("process-account", "process-password")
    with pytest.raises(UsageError, match="connect the client with token=") as caught:
        connect("cdek").create_refusal(uuid=ORDER)
    assert "process-password" not in str(caught.value)
    assert cdek.log == []


# -- state of its own ---------------------------------------------------------------------


def _cookie_jar(request: Request) -> Response:
    """Sets a cookie on a request without one (``visitor-N``, N counting the visitors);
    answers which cookie it got."""
    got = request.cookies.get("visitor", "")
    answer = Response(f'{{"cookie": "{got}"}}', content_type="application/json")
    if not got:
        _visitors.append(request)
        answer.set_cookie("visitor", f"visitor-{len(_visitors)}", path="/")
    return answer


_visitors: list[Request] = []


def test_clients_share_no_session_and_no_cookies(cdek: HTTPServer) -> None:
    from oint_core.http import get_session

    cdek.expect_request("/v2/location/regions").respond_with_handler(_cookie_jar)
    _visitors.clear()
    first, second = connect("cdek", token="first"), connect("cdek", token="second")
    assert first.get_regions_list() == {"cookie": ""}
    assert first.get_regions_list() == {"cookie": "visitor-1"}
    assert second.get_regions_list() == {"cookie": ""}  # not the first client's cookie
    assert second.get_regions_list() == {"cookie": "visitor-2"}
    assert first.get_regions_list() == {"cookie": "visitor-1"}
    sessions = {id(first._state.session()), id(second._state.session()), id(get_session())}
    assert len(sessions) == 3


def test_close_ends_the_client_and_only_it(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    other = connect("cdek", token=TOKEN)
    with connect("cdek", token=TOKEN) as client:
        client.create_refusal(uuid=ORDER)
        session = client._state.session()
    assert client.closed and "(closed)" in repr(client)
    assert len(session.adapters["http://"].poolmanager.pools) == 0  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match="this cdek client is closed"):
        client.create_refusal(uuid=ORDER)
    client.close()  # twice is harmless
    assert other.create_refusal(uuid=ORDER) == ACCEPTED
    assert oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER) == ACCEPTED
    assert len(cdek.log) == 3


def test_the_client_types_are_public_and_load_lazily() -> None:
    assert oint_core.connect is connect
    assert issubclass(oint_core.Client, oint_core.BaseClient)
    # Typed clients derive from BaseClient: without a __getattr__, a misspelled method is a
    # type error in a user's code rather than Any.
    assert not hasattr(BaseClient, "__getattr__")
    assert "connect" in oint_core.__all__ and "connect" in (oint_core.__doc__ or "")
