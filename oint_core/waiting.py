"""Waiting for a service to finish what it accepted: one polling loop for every provider.

Services such as CDEK answer a write at once ("accepted") and process it later; the result
is read back from the entity. A provider says how to read and judge it (``Method.waits``
for ``--wait``, or its own waits such as CDEK's print forms); this module owns the loop:
a short first wait, then back-off, each step shown on the status line; bounded by the
caller's patience (``--wait``) and by the call's deadline (``--timeout``), whichever comes
first; and every failure after the write says that it was sent, and where to look later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import ApiError, TransportError, UsageError

if TYPE_CHECKING:
    from .context import CallContext

#: ``--wait`` without a value (library: ``wait=True``): seconds.
DEFAULT_WAIT = 60.0
#: The first look comes after this many seconds; each next wait doubles, up to LONGEST_STEP.
FIRST_STEP = 0.25
LONGEST_STEP = 4.0

T = TypeVar("T")


class Done(Generic[T]):
    """What ``judge`` returns when the wait is over: the call's result."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


def poll(
    ctx: CallContext,
    fetch: Callable[[], Any],
    judge: Callable[[Any], Done[T] | str],
    *,
    seconds: float,
    subject: str,
    later: str,
    state: str = "accepted",
    first: float = FIRST_STEP,
    longest: float = LONGEST_STEP,
) -> T:
    """Look (``fetch``) until ``judge`` says ``Done``, for at most ``seconds`` and never past
    the call's deadline; the ``Done`` value.

    ``judge`` returns the current state as text while it is not done (shown on the status
    line and in the message if time runs out), or raises (an ``ApiError`` when the service
    says the request failed: that error goes out as it is). An error from ``fetch`` (the
    look itself failed) goes out with ``later`` added, as does running out of time (a
    ``TransportError``, exit 3): ``subject`` names what is awaited ("print form …"),
    ``later`` says what was sent and where to look later.
    """
    if not seconds > 0:
        raise UsageError(f"wait: {seconds!r} is not a positive number of seconds", option="--wait")
    started = time.monotonic()
    patience = started + seconds
    step = first
    while True:
        waited = time.monotonic() - started
        # The state first: a narrow terminal cuts the end of the line, and the subject's
        # end (an order's UUID) is what a reader needs least.
        ctx.progress(f"{ctx.provider}: {state} after {waited:.0f} s — {subject}")
        left = min(patience - time.monotonic(), ctx.http.time_left())
        time.sleep(max(0.0, min(step, left)))
        if ctx.http.time_left() <= 0:
            raise TransportError(
                f"{subject} is still {state} at the call's deadline"
                f" ({ctx.http.total:g} s; raise --timeout); {later}"
            )
        try:
            answer = fetch()
        except ApiError as exc:
            raise ApiError(
                f"{exc}; {later}", status=exc.status, body=exc.body, errors=exc.errors
            ) from None
        except TransportError as exc:
            raise TransportError(f"{exc}; {later}", host=exc.host) from None
        verdict = judge(answer)
        if isinstance(verdict, Done):
            return verdict.value
        state = verdict
        if time.monotonic() >= patience:
            raise TransportError(
                f"{subject} is still {state} after {seconds:g} s (raise --wait); {later}"
            )
        step = min(max(step * 2, FIRST_STEP), longest)
