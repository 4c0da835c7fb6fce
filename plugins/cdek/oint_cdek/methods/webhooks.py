"""Webhooks: CDEK's event subscriptions (beyond OPI). At most 2 subscriptions per account.

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from .. import waiting
from ..api import call, call_with_notice
from ..params import WEBHOOKS, with_auth
from ..vocabulary import WEBHOOK_TYPES

if TYPE_CHECKING:
    from oint_core import CallContext

WEBHOOK_UUID = Param("UUID", "--uuid", Kind.UUID, "Webhook subscription UUID", required=True)
WEBHOOKS_DOCS = "https://api-docs.cdek.ru/29934408.html"


def create_webhook(ctx: CallContext, url: str, type: str) -> Any:
    event = type.strip().upper()
    body = {"url": url, "type": event}
    if event in WEBHOOK_TYPES:
        return call(ctx, "POST", "/webhooks", json_body=body)
    # CDEK adds event types from time to time: a type this release does not know is sent as
    # given (CDEK refuses it if it does not know it either), with a warning.
    known = ", ".join(WEBHOOK_TYPES)
    notice = f"event type {event!r} is not one oint knows ({known}); sent as given"
    return call_with_notice(ctx, notice, "POST", "/webhooks", json_body=body)


CREATE_WEBHOOK = Method(
    name="CreateWebhook",
    summary="Subscribes a URL to one type of CDEK events",
    group=WEBHOOKS,
    effect="write",
    function=create_webhook,
    params=with_auth(
        Param(
            "URL",
            "--url",
            Kind.STRING,
            "URL CDEK sends the events to",
            required=True,
            example="https://shop.example/cdek/events",
        ),
        Param(
            "Type",
            "--type",
            Kind.STRING,
            f"Event type: {', '.join(WEBHOOK_TYPES)} (another is sent with a warning)",
            required=True,
            example="ORDER_STATUS",
        ),
    ),
    docs_url=WEBHOOKS_DOCS,
    returns="CDEK's answer: the request envelope; entity.uuid is the subscription's UUID",
    waits=waiting.WEBHOOK_CREATE,
)


def get_webhook_list(ctx: CallContext) -> Any:
    return call(ctx, "GET", "/webhooks")


GET_WEBHOOK_LIST = Method(
    name="GetWebhookList",
    summary="Gets the account's webhook subscriptions",
    group=WEBHOOKS,
    effect="read",
    function=get_webhook_list,
    params=with_auth(),
    docs_url=WEBHOOKS_DOCS,
    returns="A JSON array of subscriptions: uuid, url, type",
)


def get_webhook(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "GET", f"/webhooks/{uuid}")


GET_WEBHOOK = Method(
    name="GetWebhook",
    summary="Gets one webhook subscription",
    group=WEBHOOKS,
    effect="read",
    function=get_webhook,
    params=with_auth(WEBHOOK_UUID),
    docs_url=WEBHOOKS_DOCS,
    returns="The subscription (entity): uuid, url, type",
)


def delete_webhook(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "DELETE", f"/webhooks/{uuid}")


DELETE_WEBHOOK = Method(
    name="DeleteWebhook",
    summary="Deletes a webhook subscription",
    group=WEBHOOKS,
    effect="delete",
    function=delete_webhook,
    params=with_auth(WEBHOOK_UUID),
    docs_url=WEBHOOKS_DOCS,
    returns="CDEK's answer: the request envelope",
    waits=waiting.WEBHOOK_DELETE,
)

METHODS = (CREATE_WEBHOOK, GET_WEBHOOK_LIST, GET_WEBHOOK, DELETE_WEBHOOK)
