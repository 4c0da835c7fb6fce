"""``--wait`` for CDEK's writes: which entity to read back, and when the write is done.

CDEK answers a write at once (202, ``{"entity": {"uuid"}, "requests": [{"request_uuid",
"type", "state": "ACCEPTED"}]}``) and processes it later; the entity's own GET then lists
the request as WAITING (it waits for another request), SUCCESSFUL or INVALID. Each write
method declares here, as its ``Method.waits``, what to read back; the loop itself (first
look, back-off, patience, deadline, status line) is the core's ``oint_core.waiting.poll``.

- SUCCESSFUL: the result is the entity as its Get method returns it;
- INVALID: an ``ApiError`` (exit 1) with CDEK's errors, the entity as its body;
- still processing when the wait ends: a ``TransportError`` (exit 3) saying the write was
  sent, and which Get shows it later;
- a delete is also done when CDEK no longer finds the entity (it forgets a deleted order):
  the result is then the delete's own answer;
- print forms (CreateReceipt, CreateBarcode) are done when READY, as PrintReceipt has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import ApiError

from .api import RETRYABLE_CODES, call
from .forms import BARCODES, RECEIPTS, wait_for_form

if TYPE_CHECKING:
    from oint_core import CallContext
    from oint_core.waiting import Done

SUCCESSFUL, INVALID = "SUCCESSFUL", "INVALID"
#: CDEK's answer for an entity it does not (or no longer) know.
NOT_FOUND = "v2_entity_not_found"


class _Gone:
    """What a look finds when CDEK no longer knows the entity a delete was about."""


GONE = _Gone()


class EntityWait:
    """Wait for a write on the entity at ``path`` (``/orders/{uuid}``): until this call's
    request there (matched by ``request_uuid``, else by type) is final.

    ``noun`` names the entity in messages, ``reader`` is the method that shows it later,
    ``request_type`` is the write's request type when CDEK's answer names none, and
    ``gone_is_done`` marks a delete (an entity CDEK no longer finds was deleted).
    A plain class, not a dataclass: every method module makes these when it loads, and
    ``oint cdek --help`` loads them all (a dataclass costs about 1.5 ms to create).
    """

    __slots__ = ("gone_is_done", "noun", "path", "reader", "request_type")

    def __init__(
        self, path: str, noun: str, reader: str, request_type: str, gone_is_done: bool = False
    ) -> None:
        self.path = path
        self.noun = noun
        self.reader = reader
        self.request_type = request_type
        self.gone_is_done = gone_is_done

    def __repr__(self) -> str:
        return f"EntityWait({self.path!r}, {self.request_type!r})"

    def __call__(self, ctx: CallContext, answer: Any, seconds: float) -> Any:
        from oint_core.waiting import FIRST_STEP, Done, poll

        uuid = entity_uuid(ctx, answer, self.noun)
        mine = own_request(answer)
        kind = str(mine.get("type") or self.request_type)
        state = str(mine.get("state") or "ACCEPTED")
        settled = state == SUCCESSFUL  # CDEK answered it final (webhooks): one look is enough
        if settled and self.gone_is_done:
            return answer
        path = self.path.format(uuid=uuid)

        def fetch() -> Any:
            try:
                return call(ctx, "GET", path)
            except ApiError as exc:
                if self.gone_is_done and NOT_FOUND in exc.codes:
                    return GONE
                raise

        def judge(envelope: Any) -> Done[Any] | str:
            if envelope is GONE:
                return Done(answer)
            request = find_request(envelope, mine, kind)
            if settled:
                return Done(envelope)
            if request is None:
                return f"{kind} (not listed yet)"
            now = str(request.get("state") or "unknown")
            if now == SUCCESSFUL:
                return Done(envelope)
            if now == INVALID:
                raise refused(ctx, f"{kind} request on {self.noun} {uuid}", request, envelope)
            return now

        return poll(
            ctx,
            fetch,
            judge,
            seconds=seconds,
            subject=f"the {kind} request on {self.noun} {uuid}",
            later=f"the {kind} was sent and CDEK is still processing it;"
            f" {show_later(ctx, self.reader, uuid)} shows it later",
            state=state,
            first=0.0 if settled else FIRST_STEP,
        )


class FormWait:
    """Wait for a print form (``forms.RECEIPTS`` or ``forms.BARCODES``) until it is READY;
    the result is the form as GetReceipt / GetBarcode returns it (without ``--getfile``)."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"FormWait({self.kind!r})"

    def __call__(self, ctx: CallContext, answer: Any, seconds: float) -> Any:
        return wait_for_form(ctx, self.kind, answer, seconds, download=False)


def entity_uuid(ctx: CallContext, answer: Any, noun: str) -> str:
    """The entity a write answer names (a UUID: it goes into the next path), else the
    call's own ``uuid`` (refusals, deletes and updates name their entity)."""
    from oint_core.coerce import canonical_uuid

    entity = answer.get("entity") if isinstance(answer, dict) else None
    named = entity.get("uuid") if isinstance(entity, dict) else None
    uuid = canonical_uuid(named) or canonical_uuid(ctx.values.get("uuid"))
    if uuid is None:
        raise ApiError(
            f"CDEK accepted the write without naming the {noun} it is about: the write was"
            " sent and may be processed, but there is nothing to wait for",
            status=ctx.http.last_status or 202,
            body=answer,
        )
    return uuid


def own_request(answer: Any) -> dict[str, Any]:
    """This call's request in a write's answer (CDEK lists the one request it accepted)."""
    requests = answer.get("requests") if isinstance(answer, dict) else None
    found = [r for r in requests or [] if isinstance(r, dict)]
    return found[0] if found else {}


def find_request(envelope: Any, mine: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """This call's request among an entity's requests: by ``request_uuid``; failing that (an
    answer or a listing without one) the latest listed of its type without a uuid."""
    requests = envelope.get("requests") if isinstance(envelope, dict) else None
    listed = [r for r in requests or [] if isinstance(r, dict)]
    wanted = str(mine.get("request_uuid") or "").lower()
    if wanted:
        for request in listed:
            if str(request.get("request_uuid") or "").lower() == wanted:
                return request
    same = [
        r for r in listed if r.get("type") == kind and (not wanted or not r.get("request_uuid"))
    ]
    return same[-1] if same else None


def refused(ctx: CallContext, what: str, request: dict[str, Any], envelope: Any) -> ApiError:
    """The ``ApiError`` for a request CDEK processed as INVALID: its errors on one line.
    The write is refused (nothing was made or changed), so the call's ``sent`` is "yes"."""
    ctx.http.write_refused()
    errors = [e for e in request.get("errors") or [] if isinstance(e, dict)]
    detail = "; ".join(f"{e.get('code', '?')}: {e.get('message', '')}" for e in errors)
    hint = (
        " (CDEK says try again later; oint does not repeat writes on its own)"
        if {str(e.get("code")) for e in errors} & RETRYABLE_CODES
        else ""
    )
    return ApiError(
        f"CDEK processed the {what} as INVALID: {detail or 'no error details'}{hint}",
        status=ctx.http.last_status or 200,
        body=envelope,
        errors=errors,
    )


def show_later(ctx: CallContext, reader: str, uuid: str) -> str:
    """How the caller reads the entity later, in the caller's own terms."""
    if ctx.style == "cli":
        return f"'oint {ctx.provider} {reader} --uuid {uuid}'"
    return f"dispatch({ctx.provider!r}, {reader!r}, uuid={uuid!r})"


# -- what each write waits for ---------------------------------------------------------------

ORDER_CREATE = EntityWait("/orders/{uuid}", "order", "GetOrder", "CREATE")
ORDER_UPDATE = EntityWait("/orders/{uuid}", "order", "GetOrder", "UPDATE")
ORDER_DELETE = EntityWait("/orders/{uuid}", "order", "GetOrder", "DELETE", gone_is_done=True)
REFUSAL = EntityWait("/orders/{uuid}", "order", "GetOrder", "CREATE_REFUSAL")
CLIENT_RETURN = EntityWait("/orders/{uuid}", "order", "GetOrder", "CREATE_CLIENT_RETURN")
PREALERT = EntityWait("/prealert/{uuid}", "prealert", "GetPrealert", "CREATE")
INTAKE_CREATE = EntityWait(
    "/intakes/{uuid}", "courier invitation", "GetCourierInvitation", "CREATE"
)
INTAKE_UPDATE = EntityWait(
    "/intakes/{uuid}", "courier invitation", "GetCourierInvitation", "UPDATE"
)
INTAKE_DELETE = EntityWait(
    "/intakes/{uuid}", "courier invitation", "GetCourierInvitation", "DELETE", gone_is_done=True
)
APPOINTMENT = EntityWait(
    "/delivery/{uuid}", "delivery appointment", "GetDeliveryAppointment", "CREATE"
)
WEBHOOK_CREATE = EntityWait("/webhooks/{uuid}", "webhook", "GetWebhook", "CREATE")
WEBHOOK_DELETE = EntityWait(
    "/webhooks/{uuid}", "webhook", "GetWebhook", "DELETE", gone_is_done=True
)
RECEIPT = FormWait(RECEIPTS)
BARCODE = FormWait(BARCODES)
