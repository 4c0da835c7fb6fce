"""Regions, cities, suggestions, postal codes and coordinates: data, filters, languages, paging."""

from __future__ import annotations

from .conftest import Client, only_error_at


def test_regions_filters_languages_and_paging(ref: Client) -> None:
    everything = ref.read("/location/regions")
    assert len(everything) == 30
    assert {r["country_code"] for r in everything} == {"RU", "KZ", "BY"}
    assert set(everything[0]) == {"country_code", "country", "region", "region_code"}

    comma = ref.read("/location/regions", params={"country_codes": "KZ,BY"})
    repeated = ref.read(
        "/location/regions", params=[("country_codes", "KZ"), ("country_codes", "BY")]
    )
    assert comma == repeated
    assert len(comma) == 10
    assert {r["country_code"] for r in comma} == {"KZ", "BY"}

    russian = ref.read("/location/regions", params={"country_codes": "BY", "lang": "rus"})
    english = ref.read("/location/regions", params={"country_codes": "BY", "lang": "eng"})
    assert russian[0]["country"] == "Беларусь" and russian[0]["region"] == "Минск"
    assert english[0]["country"] == "Belarus" and english[0]["region"] == "Minsk"
    assert [r["region_code"] for r in russian] == [r["region_code"] for r in english]

    pages = []
    for page in range(10):
        chunk = ref.read("/location/regions", params={"size": 10, "page": page})
        if not chunk:
            break
        pages.append(chunk)
    assert [len(chunk) for chunk in pages] == [10, 10, 10]
    assert [r for chunk in pages for r in chunk] == everything
    assert ref.read("/location/regions", params={"page": 1, "size": 1000}) == []
    bad = ref.get("/location/regions", params={"size": "ten"})
    assert only_error_at(bad, 400)["code"] == "v2_invalid_format"
