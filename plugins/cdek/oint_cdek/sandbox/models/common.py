"""What every CDEK entity of the sandbox shares: write requests as CDEK reports them,
statuses, ownership, and the errors about writing to an entity in the wrong state."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from ..config import format_datetime
from ..exceptions import _ApiError, _error, _uuid_not_found

# Request states (cdek-api.md section 2).
ACCEPTED = "ACCEPTED"
SUCCESSFUL = "SUCCESSFUL"
INVALID = "INVALID"

_FORBIDDEN_STATUS_CODE = "v2_order_forbidden_status"


@dataclass
class _ApiRequest:
    """One write request on an entity, as CDEK reports it in ``requests[]``."""

    request_uuid: str
    type: str
    date_time: datetime
    ready_at: datetime
    seq: int
    state: str = ACCEPTED
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: What the request carries (the changes of an UPDATE); never shown to clients.
    payload: dict[str, Any] | None = None

    def finish(self, state: str, at: datetime, errors: list[dict[str, str]] | None = None) -> None:
        self.state = state
        self.date_time = at  # CDEK: the time the *current* state was set
        self.errors = list(errors or [])

    def to_json(self) -> dict[str, Any]:
        return {
            "request_uuid": self.request_uuid,
            "type": self.type,
            "date_time": format_datetime(self.date_time),
            "state": self.state,
            "errors": copy.deepcopy(self.errors),
            "warnings": copy.deepcopy(self.warnings),
        }


class _Tracked:
    """What orders and the other entities share: write requests (the CREATE first) and
    statuses (oldest first), so the questions asked of them are answered in one place."""

    uuid: str
    owner: str
    requests: list[_ApiRequest]
    statuses: list[dict[str, Any]]
    #: How error messages name this kind of entity ("order", "intake"...).
    noun: ClassVar[str]

    @property
    def create_state(self) -> str:
        return self.requests[0].state

    @property
    def latest_status(self) -> str | None:
        return self.statuses[-1]["code"] if self.statuses else None

    def pending(self, request_type: str) -> _ApiRequest | None:
        return next(
            (r for r in self.requests if r.type == request_type and r.state == ACCEPTED), None
        )


def _envelope(entity: dict[str, Any], requests: Iterable[_ApiRequest]) -> dict[str, Any]:
    """CDEK's answer about one entity: the entity, its requests, no related entities."""
    return {
        "entity": entity,
        "requests": [r.to_json() for r in requests],
        "related_entities": [],
    }


def _forbidden(entity: _Tracked) -> dict[str, str]:
    """v2_order_forbidden_status about ``entity``: one wording for orders and the other
    entities, saying whether its CREATE is still pending or which status forbids the
    operation."""
    if entity.create_state == ACCEPTED:
        detail = "its CREATE request is still being processed"
    else:
        detail = f"its status is {entity.latest_status}"
    message = f"Operation is forbidden for {entity.noun} {entity.uuid}: {detail}"
    return _error(_FORBIDDEN_STATUS_CODE, message)


def _conclude(request: _ApiRequest, at: datetime, entity: _Tracked, forbidden: bool) -> bool:
    """Settle a write request on ``entity`` whose status rule says ``forbidden``: INVALID
    with the forbidden-status error, else SUCCESSFUL. True when its effect is to be applied."""
    if forbidden:
        request.finish(INVALID, at, [_forbidden(entity)])
        return False
    request.finish(SUCCESSFUL, at)
    return True


def _entity_invalid(entity: _Tracked) -> dict[str, str]:
    """The error for touching an entity whose CREATE ended INVALID."""
    return _error("v2_entity_invalid", f"Entity is invalid {entity.uuid}")


def _similar_request(pending: _ApiRequest) -> dict[str, str]:
    """The error for a write request while one of the same type is still ACCEPTED."""
    message = f"Similar request is still being processed {pending.request_uuid}"
    return _error("v2_similar_request_still_processed", message)


class _Ownable(Protocol):
    @property
    def owner(self) -> str: ...


_Owned = TypeVar("_Owned", bound=_Ownable)


def _owned(
    item: _Owned | None,
    key: str,
    client: str,
    request_type: str,
    statuses: tuple[int, int] = (400, 400),
) -> _Owned:
    """``item`` (found by ``key``) if ``client`` owns it; else raise CDEK's
    ``v2_entity_not_found`` when there is none and ``v2_entity_forbidden`` when it is another
    account's. Both are 400, the only error status CDEK's specification gives these
    operations; ``statuses`` (missing, forbidden) is for the few that document 404 and 403."""
    missing, forbidden = statuses
    if item is None:
        raise _ApiError(missing, [_uuid_not_found(key)], request_type)
    if item.owner != client:
        message = f"Entity is forbidden {key}"
        raise _ApiError(forbidden, [_error("v2_entity_forbidden", message)], request_type)
    return item
