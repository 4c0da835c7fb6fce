"""How a sandbox is configured (``SandboxConfig``, CDEK's test account), and its notion of
time: the default clock and CDEK's way of writing a moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = [
    "DEFAULT_PROCESSING_DELAY",
    "TEST_ACCOUNT",
    "TEST_SECURE_PASSWORD",
    "SandboxConfig",
    "format_datetime",
]

#: CDEK's published shared test account for the edu server (cdek-api.md section 1).
TEST_ACCOUNT = "wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP"
TEST_SECURE_PASSWORD = "RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5"


#: Seconds before an accepted write is processed. CDEK's test server takes seconds to turn
#: an ACCEPTED request into SUCCESSFUL or INVALID, so client code that reads right after a
#: write, without polling, fails here as it would there. Tests pass a small value (or 0).
DEFAULT_PROCESSING_DELAY = 2.0


def _utc_now() -> datetime:
    """The default clock; a function so tests and docs generation can swap it."""
    return datetime.now(timezone.utc)


def _default_accounts() -> dict[str, str]:
    return {TEST_ACCOUNT: TEST_SECURE_PASSWORD}


@dataclass
class SandboxConfig:
    """How a sandbox behaves; every knob exists so a test or a docs build can pin it down."""

    #: client_id -> client_secret; defaults to CDEK's published test account.
    accounts: dict[str, str] = field(default_factory=_default_accounts)
    #: Token lifetime in seconds, reported as ``expires_in`` and really enforced.
    token_ttl: int = 3599
    #: Seconds (on ``clock``) before an ACCEPTED write request becomes final.
    processing_delay: float = DEFAULT_PROCESSING_DELAY
    #: Where "now" comes from; injectable so time can be frozen or advanced by hand.
    clock: Callable[[], datetime] = _utc_now
    #: When set, uuids, tokens and CDEK numbers come from ``random.Random(seed)``.
    seed: int | None = None
    #: The largest page of a paged list (offices, regions, cities), and its default size:
    #: a bigger ``size`` is capped at it, so a small value makes short lists span pages.
    max_page_size: int = 1000
    #: Also list the offices of ``reference.py`` in the cities beyond the first five (one in
    #: most of them); on by default, False keeps the original 14-office set.
    extra_offices: bool = True
    #: What every time of webhook delivery is multiplied by: the connect timeout, the pauses
    #: between retries and the removal of a failing subscription (``delivery.py``). 1.0 keeps
    #: CDEK's own figures; tests pass a small value (0.01 makes the 15 s timeout 0.15 s; it
    #: never goes below 50 ms).
    webhook_time_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        if not self.webhook_time_scale > 0:
            raise ValueError("webhook_time_scale must be a number > 0")


def format_datetime(moment: datetime) -> str:
    """Render a moment the way CDEK does: ``2026-08-01T14:34:18+0000``."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S%z")


def _as_utc(moment: datetime) -> datetime:
    # A naive datetime from a hand-written fake clock is taken to be UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
