"""Document photos: /v2/photoDocument's answer and a real, deterministic ZIP archive."""

from __future__ import annotations

import io
import uuid
import zipfile

from .conftest import Client, error_code


def test_photo_archive_is_a_real_zip(api: Client, other: Client) -> None:
    first = api.created_order("v2-photo-1")
    second = api.created_order("v2-photo-2")
    pending = api.accepted(
        api.post(
            "/orders",
            json={
                "tariff_code": 136,
                "recipient": {"name": "A", "phones": [{"number": "+79990000002"}]},
                "packages": [{"number": "1", "weight": 100}],
                "shipment_point": "MSK123",
                "delivery_point": "NSK27",
            },
        )
    )
    refs = [
        {"order_uuid": first["uuid"]},
        {"cdek_number": second["cdek_number"]},
        {"order_uuid": pending},  # not CREATED yet: left out
        {"order_uuid": str(uuid.uuid4())},  # unknown: left out
        {"order_uuid": first["uuid"]},  # twice: once
    ]
    answer = api.ok("POST", "/photoDocument", json={"orders": refs})
    assert list(answer) == ["orders"]  # CDEK's reworked answer: no entity, no requests
    link = answer["orders"][0]["link"]
    assert link.startswith(f"{api.sandbox.base_url}/photoDocument/")
    assert answer["orders"] == [
        {
            "order_uuid": order["uuid"],
            "cdek_number": int(order["cdek_number"]),
            "link": link,
            "status": "DONE",
            "create_date": answer["orders"][at]["create_date"],
        }
        for at, order in enumerate((first, second))
    ]

    download = api.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as opened:
        assert opened.testzip() is None
        names = opened.namelist()
        assert names == [
            f"{first['cdek_number']}/photo_1.jpg",
            f"{second['cdek_number']}/photo_1.jpg",
        ]
        for info in opened.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            photo = opened.read(info)
            assert photo[:2] == b"\xff\xd8" and photo[-2:] == b"\xff\xd9"
            assert info.filename.split("/")[0].encode() in photo
    assert api.get(link).content == download.content

    by_period = api.ok(
        "POST", "/photoDocument", json={"period_begin": "2026-08-07", "period_end": "2026-08-07"}
    )
    assert [o["order_uuid"] for o in by_period["orders"]] == [
        first["uuid"],
        second["uuid"],
    ]
    too_late = api.ok("POST", "/photoDocument", json={"period_begin": "2026-08-08"})
    assert too_late == {}  # CDEK answers an empty object when no order has photos
    assert error_code(api.post("/photoDocument", json={}), 400) == "v2_field_is_empty"
    assert (
        error_code(api.post("/photoDocument", json={"period_begin": "yesterday"}), 400)
        == "v2_invalid_format"
    )
    assert error_code(api.get(f"/photoDocument/{uuid.uuid4()}"), 404) == "v2_entity_not_found"
    assert error_code(api.get("/photoDocument/nope"), 404) == "v2_entity_not_found"
    assert error_code(other.get(link), 403) == "v2_entity_forbidden"
    assert error_code(api.get(link, headers={}), 401) == "unauthorized"
