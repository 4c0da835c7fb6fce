"""Routing: unknown paths and wrong methods get CDEK's error envelope (404, 405 with Allow)."""

from __future__ import annotations

import pytest

from .conftest import Client, only_error


@pytest.mark.parametrize("path", ["/v2/nothing/here", "/v1/orders", "/", "/_sandbox/nothing"])
def test_unknown_path(cdek: Client, path: str) -> None:
    answer = cdek.http.get(cdek.sandbox.root_url + path, timeout=5)
    assert answer.status_code == 404
    assert only_error(answer)["code"] == "v2_bad_request"


def test_wrong_method(cdek: Client) -> None:
    answer = cdek.call("PUT", "/orders")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert answer.json()["requests"][0]["state"] == "INVALID"
    assert cdek.get("/oauth/token").status_code == 405
