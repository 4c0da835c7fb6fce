"""What a provider tells oint about its webhooks (the ``oint_webhooks`` hook): the contract.

A provider that sends events answers ``oint_webhooks(provider)`` with a ``Webhooks``: the
event types it knows, how to turn a delivered body into an event (checked, typed), and
optionally how to subscribe a URL and remove that subscription again. ``oint listen``
(``oint_core.listen``) runs on exactly this and knows no provider.

Plain types and no imports: the hook's specification names them, and it is read on every
start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: How a provider's subscription functions call its methods: ``call("CreateWebhook",
#: url=..., type=...)`` runs the method through the core's dispatcher with the user's
#: settings (profile, environment), as ``oint <provider> <Method>`` would.
Call = Callable[..., Any]


class WebhookEvent(Protocol):
    """One delivered event, as a provider's ``parse`` returns it (its own, typed class)."""

    @property
    def type(self) -> str:
        """The event's type, as the provider names it (``ORDER_STATUS``)."""

    @property
    def known(self) -> bool:
        """Whether the type is one the provider's plugin knows; an unknown one is passed
        through as it came."""

    @property
    def key(self) -> str:
        """Identifies the change the event reports: a redelivery of the same event has the
        same key, another change a different one. The receiver drops repeated keys."""

    @property
    def raw(self) -> Mapping[str, Any]:
        """The event's JSON object as it was delivered."""

    # Optional: ``warning`` (str or None), a note on an event accepted although it is not
    # quite as the provider describes it; the receiver prints it once per event type.


@dataclass(frozen=True)
class Subscription:
    """One subscription the provider holds: its id, the URL it delivers to, its event type."""

    id: str
    url: str
    type: str


@dataclass(frozen=True)
class Subscriptions:
    """How to manage a provider's subscriptions through its own methods.

    ``list(call)`` returns every subscription of the account, ``create(call, url, type)``
    subscribes ``url`` to one event type and returns the new subscription's id,
    ``delete(call, id)`` removes one. ``limit`` is how many subscriptions an account may
    hold in all (None: no limit); ``oint listen --subscribe`` refuses before creating
    anything when it would go beyond it.
    """

    list: Callable[[Call], Sequence[Subscription]]
    create: Callable[[Call, str, str], str]
    delete: Callable[[Call, str], None]
    limit: int | None = None


@dataclass(frozen=True)
class Webhooks:
    """A provider's webhooks. ``parse(body)`` takes the delivered bytes and returns the event,
    or raises ``ValueError`` (``UsageError`` is one) whose message is one line saying what is
    wrong with the body; an event of a type not in ``types`` is returned with ``known``
    false, never refused."""

    types: tuple[str, ...]
    parse: Callable[[bytes], WebhookEvent]
    #: What ``oint listen --subscribe`` subscribes to when no ``--type`` is given.
    default_types: tuple[str, ...] = ()
    subscriptions: Subscriptions | None = None
