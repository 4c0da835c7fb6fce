"""Changes to an order: refusal, delete, update, client return, and the rules they follow."""

from __future__ import annotations

import uuid

import pytest

from .conftest import (
    RECORDED_LIKE,
    Client,
    FakeClock,
    cod_order_body,
    codes,
    only_error,
    only_error_400,
    only_error_at,
    request_states,
    status_codes,
)

# --- refusal -------------------------------------------------------------------------------------


def test_refusal_happy_path(timed: Client, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    answer = timed.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 202
    body = answer.json()
    assert body["entity"] == {"uuid": order_uuid}
    [request] = body["requests"]
    assert (request["type"], request["state"]) == ("CREATE_REFUSAL", "ACCEPTED")

    assert status_codes(timed.order(order_uuid))[0] == "CREATED"  # still processing
    clock.advance(0.2)
    done = timed.order(order_uuid)
    assert request_states(done) == [("CREATE", "SUCCESSFUL"), ("CREATE_REFUSAL", "SUCCESSFUL")]
    latest = done["entity"]["statuses"][0]
    assert latest["code"] == "NOT_DELIVERED"
    assert latest["name"] == "Не вручен"
    assert latest["reason_code"] == "11"
    assert latest["city"] == "Санкт-Петербург"
    assert latest["date_time"] == "2026-08-01T14:34:19+0000"


def test_refusal_twice_while_processing(timed: Client, clock: FakeClock) -> None:
    order_uuid = timed.create()
    clock.advance(1)
    first = timed.post(f"/orders/{order_uuid}/refusal")
    assert first.status_code == 202
    second = timed.post(f"/orders/{order_uuid}/refusal")
    assert second.status_code == 400
    error = only_error(second)
    assert error["code"] == "v2_similar_request_still_processed"
    assert error["type"] == "CREATE_REFUSAL"
    assert first.json()["requests"][0]["request_uuid"] in error["message"]
    # Once the first refusal is done, the order is NOT_DELIVERED and refusals are over.
    clock.advance(1)
    third = timed.post(f"/orders/{order_uuid}/refusal")
    assert third.status_code == 400
    assert only_error(third)["code"] == "v2_order_forbidden_status"


@pytest.mark.parametrize("final_status", ["DELIVERED", "NOT_DELIVERED"])
def test_refusal_on_a_finished_order(cdek: Client, final_status: str) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, final_status)
    answer = cdek.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 400
    error = only_error(answer)
    assert error["code"] == "v2_order_forbidden_status"
    assert final_status in error["message"]


def test_refusal_allowed_in_transit(cdek: Client) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, "TAKEN_BY_COURIER")
    assert cdek.post(f"/orders/{order_uuid}/refusal").status_code == 202
    cdek.advance()
    assert status_codes(cdek.order(order_uuid))[:2] == ["NOT_DELIVERED", "TAKEN_BY_COURIER"]


def test_refusal_before_the_order_is_created(cdek: Client) -> None:
    order_uuid = cdek.create()
    answer = cdek.post(f"/orders/{order_uuid}/refusal")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_order_forbidden_status"


def test_refusal_of_an_invalid_order(cdek: Client) -> None:
    cdek.create(number="twice")
    second = cdek.create(number="twice")
    cdek.advance()
    answer = cdek.post(f"/orders/{second}/refusal")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_invalid"


def test_refusal_of_unknown_order(cdek: Client) -> None:
    answer = cdek.post(f"/orders/{uuid.uuid4()}/refusal")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("CREATE_REFUSAL", "v2_entity_not_found")


def test_refusal_found_forbidden_when_processed(timed: Client, clock: FakeClock) -> None:
    """Checks are repeated asynchronously: a delivery that lands first voids the refusal."""
    order_uuid = timed.create()
    clock.advance(1)
    assert timed.post(f"/orders/{order_uuid}/refusal").status_code == 202
    timed.push_status(order_uuid, "DELIVERED")
    clock.advance(1)
    done = timed.order(order_uuid)
    assert request_states(done) == [("CREATE", "SUCCESSFUL"), ("CREATE_REFUSAL", "INVALID")]
    assert done["requests"][1]["errors"][0]["code"] == "v2_order_forbidden_status"
    assert status_codes(done)[0] == "DELIVERED"


# --- delete --------------------------------------------------------------------------------------


def test_delete_fresh_order(cdek: Client) -> None:
    order_uuid = cdek.create(number="to-delete")
    cdek.advance()
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 202
    [request] = answer.json()["requests"]
    assert (request["type"], request["state"]) == ("DELETE", "ACCEPTED")
    again = cdek.delete(f"/orders/{order_uuid}")
    assert again.status_code == 400
    assert only_error(again)["code"] == "v2_similar_request_still_processed"
    cdek.advance()
    # CDEK finds no deleted order: neither by its uuid nor by its shop number.
    removed = cdek.get(f"/orders/{order_uuid}")
    assert only_error(removed)["code"] == "v2_entity_not_found"
    by_number = cdek.get("/orders", params={"im_number": "to-delete"})
    assert only_error(by_number)["code"] == "v2_entity_not_found_im_number"
    after = cdek.delete(f"/orders/{order_uuid}")
    assert after.status_code == 400
    assert only_error(after)["code"] == "v2_entity_not_found"
    # A removed order frees its shop number.
    reused = cdek.create(number="to-delete")
    cdek.advance()
    assert request_states(cdek.order(reused)) == [("CREATE", "SUCCESSFUL")]


def test_delete_order_that_moved_on(cdek: Client) -> None:
    order_uuid = cdek.create()
    cdek.advance()
    cdek.push_status(order_uuid, "RECEIVED_AT_SHIPMENT_WAREHOUSE")
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    error = only_error(answer)
    assert (error["type"], error["code"]) == ("DELETE", "error_validate_order_delete_status")


def test_delete_order_not_yet_created(cdek: Client) -> None:
    order_uuid = cdek.create()
    answer = cdek.delete(f"/orders/{order_uuid}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "error_validate_order_delete_status"


def test_delete_unknown_order(cdek: Client) -> None:
    answer = cdek.delete(f"/orders/{uuid.uuid4()}")
    assert answer.status_code == 400
    assert only_error(answer)["code"] == "v2_entity_not_found"


# --- PATCH /v2/orders ----------------------------------------------------------------------------


def test_update_order_merges_changes_once_settled(slow: Client) -> None:
    order = slow.created_cod_order()
    changes = {
        "uuid": order["uuid"],
        "cdek_number": "0000000000",  # names the order; never changes it
        "comment": "second",
        "tariff_code": 137,
        "recipient": {"name": "Пётр Иванов", "phones": [{"number": "+79990000002"}]},
    }
    answer = slow.call("PATCH", "/orders", json=changes)
    assert slow.accepted(answer, "UPDATE") == order["uuid"]

    pending = slow.read(f"/orders/{order['uuid']}")
    assert pending["entity"]["comment"] == "first"
    assert [(r["type"], r["state"]) for r in pending["requests"]] == [
        ("CREATE", "SUCCESSFUL"),
        ("UPDATE", "ACCEPTED"),
    ]
    slow.advance()
    settled = slow.read(f"/orders/{order['uuid']}")
    entity = settled["entity"]
    assert settled["requests"][1]["state"] == "SUCCESSFUL"
    assert entity["comment"] == "second"
    assert entity["tariff_code"] == 137
    assert {k: entity["recipient"][k] for k in changes["recipient"]} == changes["recipient"]
    assert entity["cdek_number"] == order["cdek_number"]
    assert entity["packages"] == order["packages"]  # untouched keys stay
    assert entity["delivery_detail"] != order["delivery_detail"]  # priced by the new tariff
    assert codes(entity["statuses"]) == ["CREATED", "ACCEPTED"]


def test_update_order_errors(slow: Client) -> None:
    answer = slow.call("PATCH", "/orders", json={"uuid": str(uuid.uuid4()), "comment": "x"})
    assert only_error_at(answer, 400) == {
        "type": "UPDATE",
        "code": "v2_entity_not_found",
        "message": answer.json()["requests"][0]["errors"][0]["message"],
    }
    answer = slow.call("PATCH", "/orders", json={"comment": "x"})
    assert only_error_at(answer, 400)["code"] == "v2_field_is_empty"

    fresh = slow.accepted(slow.post("/orders", json=cod_order_body()))
    answer = slow.call("PATCH", "/orders", json={"uuid": fresh, "comment": "x"})
    assert slow.accepted(answer, "UPDATE") == fresh  # ACCEPTED: CDEK takes updates already

    slow.advance()
    answer = slow.call("PATCH", "/orders", json={"uuid": fresh, "tariff_code": "abc"})
    assert only_error_at(answer, 400)["code"] == "v2_invalid_value_type"

    slow.accepted(slow.call("DELETE", f"/orders/{fresh}"), "DELETE")
    slow.advance()
    answer = slow.call("PATCH", "/orders", json={"uuid": fresh, "comment": "x"})
    assert only_error_at(answer, 400)["code"] == "v2_entity_not_found"  # deleted: not found


# --- POST /v2/orders/{uuid}/clientReturn ---------------------------------------------------------


def test_client_return(slow: Client) -> None:
    order = slow.created_cod_order()
    path = f"/orders/{order['uuid']}/clientReturn"
    missing = slow.post(path, json={})
    assert only_error_at(missing, 400) == {
        "type": "CREATE_CLIENT_RETURN",
        "code": "v2_field_is_empty",
        "message": "[tariff_code] is empty",
    }
    answer = slow.post(path, json={"tariff_code": 136})
    assert slow.accepted(answer, "CREATE_CLIENT_RETURN") == order["uuid"]
    slow.advance()
    requests_ = slow.read(f"/orders/{order['uuid']}")["requests"]
    assert (requests_[-1]["type"], requests_[-1]["state"]) == ("CREATE_CLIENT_RETURN", "SUCCESSFUL")


def test_client_return_errors(slow: Client) -> None:
    answer = slow.post(f"/orders/{uuid.uuid4()}/clientReturn", json={"tariff_code": 136})
    assert only_error_at(answer, 400)["code"] == "v2_entity_not_found"
    fresh = slow.accepted(slow.post("/orders", json=cod_order_body()))
    answer = slow.post(f"/orders/{fresh}/clientReturn", json={"tariff_code": 136})
    assert only_error_at(answer, 400)["code"] == "v2_order_forbidden_status"
    slow.advance()
    slow.accepted(slow.call("DELETE", f"/orders/{fresh}"), "DELETE")
    slow.advance()
    answer = slow.post(f"/orders/{fresh}/clientReturn", json={"tariff_code": 136})
    assert only_error_at(answer, 400)["code"] == "v2_entity_not_found"  # deleted: not found


# --- the write rules' errors, worded as CDEK's ---------------------------------------------------


def test_a_deleted_order_is_not_found(cdek: Client) -> None:
    order = cdek.settled_order(RECORDED_LIKE)
    cdek.accepted(cdek.delete(f"/orders/{order['uuid']}"), "DELETE")
    cdek.advance()
    error = only_error_400(cdek.get(f"/orders/{order['uuid']}"))
    assert (error["code"], error["message"]) == (
        "v2_entity_not_found",
        f"Entity is not found by uuid {order['uuid']}",
    )
    by_number = only_error_400(cdek.get("/orders", params={"cdek_number": order["cdek_number"]}))
    assert by_number["code"] == "v2_order_not_found"


def test_updates_only_while_created_or_accepted(cdek: Client) -> None:
    order = cdek.settled_order(RECORDED_LIKE)
    moved = cdek.control(
        "POST", f"/orders/{order['uuid']}/status", json={"code": "RECEIVED_AT_SHIPMENT_WAREHOUSE"}
    )
    assert moved.status_code == 200, moved.text
    answer = cdek.call("PATCH", "/orders", json={"uuid": order["uuid"], "comment": "late"})
    error = only_error_400(answer)
    assert (error["type"], error["code"]) == ("UPDATE", "v2_update_forbidden")
    assert error["message"] == (
        'Operation is forbidden. Orders can only be updated in "CREATED" or "ACCEPTED" statuses'
    )


def test_deletes_outside_created_are_refused_as_cdek_refuses_them(cdek: Client) -> None:
    order = cdek.settled_order(RECORDED_LIKE)
    path = f"/orders/{order['uuid']}"
    cdek.control("POST", f"{path}/status", json={"code": "RECEIVED_AT_SHIPMENT_WAREHOUSE"})
    error = only_error_400(cdek.delete(path))
    assert (error["code"], error["message"]) == (
        "error_validate_order_delete_status",
        "Ошибка удаления заказа. Заказ может быть удален только в статусе Создан.",
    )
    cdek.control("POST", f"{path}/status", json={"code": "DELIVERED"})
    error = only_error_400(cdek.delete(path))
    assert (error["code"], error["message"]) == (
        "v2_entity_has_final_status",
        "Operation is forbidden. Entity has final status DELIVERED",
    )
    delivered = cdek.read(path)["entity"]
    assert delivered["delivery_detail"]["payment_info"] == [{"type": "CARD", "sum": 6000.0}]
