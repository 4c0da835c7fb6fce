from __future__ import annotations

import datetime as dt

import pytest

from oint_core import Kind, Param, UsageError
from oint_core.coerce import coerce

FLAG = Param("TestAPI", "--testapi", Kind.BOOLEAN, "flag", default=False)
UUID = Param("UUID", "--uuid", Kind.UUID, "Order UUID", required=True)
TOKEN = Param("Token", "--token", Kind.STRING, "Auth token", secret=True)


@pytest.mark.parametrize("text", ["true", "TRUE", "1", "yes", True, 1])
def test_true_spellings(text: object) -> None:
    assert coerce(FLAG, text, label="--testapi") is True


@pytest.mark.parametrize("text", ["false", "False", "0", "no", False, 0])
def test_false_spellings(text: object) -> None:
    assert coerce(FLAG, text, label="--testapi") is False


@pytest.mark.parametrize("text", ["maybe", "", "2", 2, None])
def test_anything_else_is_not_a_boolean(text: object) -> None:
    with pytest.raises(UsageError, match=r"^--testapi: .* is not a boolean"):
        coerce(FLAG, text, label="--testapi")


def test_uuid_is_checked() -> None:
    good = "f1799065-01de-448c-91cf-8afe7d4c0cfc"
    assert coerce(UUID, good, label="--uuid") == good
    with pytest.raises(UsageError, match=r"--uuid: 'f1799065' is not a UUID"):
        coerce(UUID, "f1799065", label="--uuid")


def test_a_secret_value_is_never_echoed() -> None:
    with pytest.raises(UsageError) as caught:
        coerce(TOKEN, ["s3cr3t-token"], label="--token")
    assert "s3cr3t" not in str(caught.value)


def test_dates_accept_dates_and_date_times() -> None:
    when = Param("Date", "--date", Kind.DATE, "d")
    assert coerce(when, "2026-03-07", label="--date") == dt.date(2026, 3, 7)
    assert coerce(when, "2026-03-07T14:55:51", label="--date") == dt.date(2026, 3, 7)
    with pytest.raises(UsageError, match="is not a date"):
        coerce(when, "07.03.2026", label="--date")
