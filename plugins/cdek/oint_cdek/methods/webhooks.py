"""Webhooks: CDEK's event subscriptions (beyond OPI). At most 2 subscriptions per account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param

from ..api import call, call_with_notice
from ..params import TEST_API, TOKEN, WEBHOOKS

if TYPE_CHECKING:
    from oint_core import CallContext

# The event types CDEK's API v2 specification lists (WebhookDto.type).
EVENT_TYPES = (
    "ORDER_STATUS",
    "ORDER_MODIFIED",
    "PRINT_FORM",
    "RECEIPT",
    "DOWNLOAD_PHOTO",
    "PREALERT_CLOSED",
    "ACCOMPANYING_WAYBILL",
    "OFFICE_AVAILABILITY",
    "DELIV_PROBLEM",
    "DELIV_AGREEMENT",
    "COURIER_INFO",
)


def create_webhook(
    ctx: CallContext, token: str | None, url: str, type: str, test_api: bool = False
) -> Any:
    event = type.strip().upper()
    body = {"url": url, "type": event}
    if event in EVENT_TYPES:
        return call(ctx, "POST", "/webhooks", token=token, test_api=test_api, json_body=body)
    # CDEK adds event types from time to time: a type this release does not know is sent as
    # given (CDEK refuses it if it does not know it either), with a warning.
    notice = f"event type {event!r} is not one oint knows ({', '.join(EVENT_TYPES)}); sent as given"
    return call_with_notice(
        ctx, notice, "POST", "/webhooks", token=token, test_api=test_api, json_body=body
    )


def get_webhook_list(ctx: CallContext, token: str | None, test_api: bool = False) -> Any:
    return call(ctx, "GET", "/webhooks", token=token, test_api=test_api)


def get_webhook(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    return call(ctx, "GET", f"/webhooks/{uuid}", token=token, test_api=test_api)


def delete_webhook(ctx: CallContext, token: str | None, uuid: str, test_api: bool = False) -> Any:
    return call(ctx, "DELETE", f"/webhooks/{uuid}", token=token, test_api=test_api)


WEBHOOK_UUID = Param("UUID", "--uuid", Kind.UUID, "Webhook subscription UUID", required=True)

METHODS = (
    Method(
        name="CreateWebhook",
        summary="Subscribes a URL to one type of CDEK events",
        group=WEBHOOKS,
        function=create_webhook,
        params=(
            TOKEN,
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
                f"Event type: {', '.join(EVENT_TYPES)} (another is sent with a warning)",
                required=True,
                example="ORDER_STATUS",
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/29934408.html",
        returns="CDEK's answer: the request envelope; entity.uuid is the subscription's UUID",
    ),
    Method(
        name="GetWebhookList",
        summary="Gets the account's webhook subscriptions",
        group=WEBHOOKS,
        function=get_webhook_list,
        params=(TOKEN, TEST_API),
        docs_url="https://api-docs.cdek.ru/29934408.html",
        returns="A JSON array of subscriptions: uuid, url, type",
    ),
    Method(
        name="GetWebhook",
        summary="Gets one webhook subscription",
        group=WEBHOOKS,
        function=get_webhook,
        params=(TOKEN, WEBHOOK_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/29934408.html",
        returns="The subscription (entity): uuid, url, type",
    ),
    Method(
        name="DeleteWebhook",
        summary="Deletes a webhook subscription",
        group=WEBHOOKS,
        function=delete_webhook,
        params=(TOKEN, WEBHOOK_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/29934408.html",
        returns="CDEK's answer: the request envelope",
    ),
)
