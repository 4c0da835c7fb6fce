"""The library: ``oint_core.dispatch`` gives what the CLI gives, takes every spelling of a
method name, raises typed errors and keeps one session across calls."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

import oint_core
from oint_core import ApiError, OintError, TransportError, UsageError

from ..conftest import closed_port
from .conftest import ACCEPTED, NOT_FOUND, ORDER, PATH, TOKEN, refuse


def test_dispatch_gives_the_same_result_as_the_cli(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    from_cli = json.loads(refuse("--testapi").stdout)
    from_library = oint_core.dispatch(
        "cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, testapi=True
    )
    assert from_library == from_cli
    cli_request, lib_request = (entry[0] for entry in cdek.log)
    for attribute in ("method", "path", "query_string"):
        assert getattr(cli_request, attribute) == getattr(lib_request, attribute)
    assert cli_request.headers["Authorization"] == lib_request.headers["Authorization"]
    assert cli_request.get_data() == lib_request.get_data() == b""


@pytest.mark.parametrize("name", ["CreateRefusal", "createrefusal", "create_refusal"])
def test_dispatch_accepts_method_name_spellings(cdek: HTTPServer, name: str) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    assert oint_core.dispatch("cdek", name, token=TOKEN, uuid=ORDER, test_api=False) == ACCEPTED


def test_dispatch_raises_typed_errors(cdek: HTTPServer) -> None:
    cdek.expect_request(PATH, method="POST").respond_with_json(NOT_FOUND, status=404)
    with pytest.raises(ApiError) as caught:
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    error = caught.value
    assert isinstance(error, OintError)
    assert error.status == 404
    assert error.body == NOT_FOUND
    assert error.codes == ["v2_entity_not_found"]
    assert TOKEN not in str(error)

    with pytest.raises(UsageError, match="uuid: 'x' is not a UUID"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid="x")
    with pytest.raises(UsageError, match="no parameter 'colour'"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, colour="red")
    with pytest.raises(UsageError, match="given twice"):
        oint_core.dispatch(
            "cdek", "CreateRefusal", token=TOKEN, uuid=ORDER, test_api=True, testapi=True
        )
    assert len(cdek.log) == 1  # none of the usage errors sent anything


def test_dispatch_transport_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OINT_CDEK_BASE_URL", f"http://127.0.0.1:{closed_port()}/v2")
    with pytest.raises(TransportError, match="connection refused"):
        oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)


def test_library_reuses_one_session_across_calls(cdek: HTTPServer) -> None:
    from oint_core.http import get_session

    cdek.expect_request(PATH, method="POST").respond_with_json(ACCEPTED, status=202)
    first = get_session()
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    oint_core.dispatch("cdek", "CreateRefusal", token=TOKEN, uuid=ORDER)
    assert get_session() is first
