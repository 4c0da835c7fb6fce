"""Webhooks: subscriptions per account, CDEK's limit of two, types, URLs and deletes."""

from __future__ import annotations

import requests

from .conftest import Client, error_code, errors_of


def test_webhooks_limit_and_delete(api: Client, other: Client) -> None:
    def subscribe(url: str, kind: str, client: Client = api) -> requests.Response:
        return client.post("/webhooks", json={"url": url, "type": kind})

    first = subscribe("https://shop.example/cdek/status", "ORDER_STATUS")
    assert first.status_code == 200
    [request] = first.json()["requests"]
    assert (request["type"], request["state"]) == ("CREATE", "SUCCESSFUL")
    status_hook = first.json()["entity"]["uuid"]
    print_hook = subscribe("http://shop.example/cdek/print", "PRINT_FORM").json()["entity"]["uuid"]
    assert api.read("/webhooks") == [
        {"uuid": status_hook, "url": "https://shop.example/cdek/status", "type": "ORDER_STATUS"},
        {"uuid": print_hook, "url": "http://shop.example/cdek/print", "type": "PRINT_FORM"},
    ]
    # At most two subscriptions per account, whatever their types: a third of any type,
    # the same type included, is refused.
    for kind in ("DOWNLOAD_PHOTO", "ORDER_STATUS"):
        third = subscribe("https://shop.example/cdek/more", kind)
        assert error_code(third, 400) == "v2_too_many_webhooks"
    one = api.read(f"/webhooks/{status_hook}")
    assert one["entity"] == {
        "uuid": status_hook,
        "url": "https://shop.example/cdek/status",
        "type": "ORDER_STATUS",
    }
    assert [r["type"] for r in one["requests"]] == ["CREATE"]
    assert len(api.read("/webhooks")) == 2

    assert other.read("/webhooks") == []  # per account
    assert subscribe("https://other.example/h", "ORDER_STATUS", other).status_code == 200
    assert error_code(other.get(f"/webhooks/{status_hook}"), 400) == "v2_entity_forbidden"

    incorrect = subscribe("https://other.example/h", "NO_SUCH_EVENT", other)
    assert error_code(incorrect, 400) == "v2_webhook_type_incorrect"
    assert subscribe("https://other.example/h2", "ORDER_STATUS", other).status_code == 200
    assert [h["type"] for h in other.read("/webhooks")] == ["ORDER_STATUS", "ORDER_STATUS"]
    receipt = subscribe("https://shop.example/cdek/receipt", "RECEIPT", other)
    assert error_code(receipt, 400) == "v2_too_many_webhooks"  # RECEIPT is known; the limit is not

    deleted = api.call("DELETE", f"/webhooks/{print_hook}")
    assert deleted.status_code == 200
    assert deleted.json()["entity"] == {"uuid": print_hook}
    assert [(r["type"], r["state"]) for r in deleted.json()["requests"]] == [
        ("DELETE", "SUCCESSFUL")
    ]
    assert error_code(api.get(f"/webhooks/{print_hook}"), 400) == "v2_entity_not_found"
    assert error_code(api.call("DELETE", f"/webhooks/{print_hook}"), 400) == "v2_entity_not_found"
    assert subscribe("https://shop.example/cdek/photo", "DOWNLOAD_PHOTO").status_code == 200
    assert [h["type"] for h in api.read("/webhooks")] == ["ORDER_STATUS", "DOWNLOAD_PHOTO"]

    assert errors_of(
        api.post("/webhooks", json={"url": "ftp://shop.example/x", "type": "NOPE"}), 400
    ) == [
        {
            "code": "v2_invalid_format",
            "message": "Invalid value [ftp://shop.example/x] in [url] parameter",
        },
        {"code": "v2_webhook_type_incorrect", "message": "Incorrect type [NOPE]"},
    ]
    assert [e["code"] for e in errors_of(api.post("/webhooks", json={}), 400)] == [
        "v2_field_is_empty"
    ] * 2
    assert error_code(subscribe("https:///no-host", "ORDER_STATUS"), 400) == "v2_invalid_format"
    assert error_code(api.get("/webhooks/not-a-uuid"), 400) == "v2_invalid_format"
