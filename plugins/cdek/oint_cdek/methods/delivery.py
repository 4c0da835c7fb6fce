"""OPI region "Delivery management": delivery intervals, courier invitations, appointments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param, UsageError

from ..api import call, order_ref
from ..params import (
    CDEK_NUMBER,
    CLEAR,
    DELIVERY,
    ORDER_UUID,
    ORDER_UUID_OR_NUMBER,
    REQUIRED_ONLY,
    TEST_API,
    TOKEN,
)

if TYPE_CHECKING:
    from oint_core import CallContext


def get_available_delivery_intervals(
    ctx: CallContext,
    token: str | None,
    uuid: str | None = None,
    cdek_number: str | None = None,
    test_api: bool = False,
) -> Any:
    params = order_ref(ctx, uuid, cdek_number)
    return call(ctx, "GET", "/delivery/intervals", token=token, test_api=test_api, params=params)


def create_courier_invitation(
    ctx: CallContext,
    token: str | None,
    invitation_description: dict[str, Any],
    test_api: bool = False,
) -> Any:
    return call(
        ctx, "POST", "/intakes", token=token, test_api=test_api, json_body=invitation_description
    )


def get_courier_invitation(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> Any:
    return call(ctx, "GET", f"/intakes/{uuid}", token=token, test_api=test_api)


def delete_courier_invitation(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> Any:
    return call(ctx, "DELETE", f"/intakes/{uuid}", token=token, test_api=test_api)


def register_delivery_appointment(
    ctx: CallContext, token: str | None, appointment: dict[str, Any], test_api: bool = False
) -> Any:
    return call(ctx, "POST", "/delivery", token=token, test_api=test_api, json_body=appointment)


def get_delivery_appointment(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> Any:
    return call(ctx, "GET", f"/delivery/{uuid}", token=token, test_api=test_api)


def get_order_courier_invitations(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> Any:
    return call(ctx, "GET", f"/orders/{uuid}/intakes", token=token, test_api=test_api)


# What CDEK's specification requires of an estimated-intervals request.
ESTIMATE_REQUIRES = ("date_time", "tariff_code", "to_location")


def get_estimated_delivery_intervals(
    ctx: CallContext, token: str | None, shipment: dict[str, Any], test_api: bool = False
) -> Any:
    missing = [key for key in ESTIMATE_REQUIRES if shipment.get(key) in (None, "", {})]
    if missing:
        label = "--shipment" if ctx.style == "cli" else "shipment"
        raise UsageError(f"{label}: CDEK requires {', '.join(missing)}", option="--shipment")
    return call(
        ctx,
        "POST",
        "/delivery/estimatedIntervals",
        token=token,
        test_api=test_api,
        json_body=shipment,
    )


def get_courier_available_days(
    ctx: CallContext,
    token: str | None,
    location: dict[str, Any],
    date: dt.date | None = None,
    test_api: bool = False,
) -> Any:
    body: dict[str, Any] = {"from_location": location}
    if date is not None:
        body["date"] = date.isoformat()
    return call(
        ctx, "POST", "/intakes/availableDays", token=token, test_api=test_api, json_body=body
    )


# The status a client may set on an invitation, and why (IntakeStatusPatchDto).
INTAKE_STATUS_CODES = ("PROCESSING_REQUIRED",)
INTAKE_ADD_STATUSES = ("CALL_REQUIRED", "DOC_REQUIRED")


def update_courier_invitation_status(
    ctx: CallContext,
    token: str | None,
    uuid: str,
    add_status: str,
    status: str = "PROCESSING_REQUIRED",
    test_api: bool = False,
) -> Any:
    body = {"uuid": uuid, "status": {"code": status, "add_status": add_status}}
    return call(ctx, "PATCH", "/intakes", token=token, test_api=test_api, json_body=body)


def get_courier_invitations_description(
    ctx: CallContext, clear: bool = False, required_only: bool = False
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts: list[dict[str, Any]] = [templates.INTAKE_REQUIRED]
    if not required_only:
        parts.append(templates.INTAKE_FULL)
    return templates.layout(*parts, empty=clear)


def get_appointment_description(
    ctx: CallContext, clear: bool = False, required_only: bool = False
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts: list[dict[str, Any]] = [templates.APPOINTMENT_REQUIRED]
    if not required_only:
        parts.append(templates.APPOINTMENT_FULL)
    return templates.layout(*parts, empty=clear)


INTAKE_UUID = Param("UUID", "--uuid", Kind.UUID, "UUID of the invitation", required=True)
ENVELOPE = "CDEK's answer: the request envelope (entity.uuid, requests[].state)"
NO_REQUEST = "; no request is made"

METHODS = (
    Method(
        name="GetAvailableDeliveryIntervals",
        summary="Gets available delivery intervals for order",
        group=DELIVERY,
        function=get_available_delivery_intervals,
        params=(TOKEN, ORDER_UUID_OR_NUMBER, CDEK_NUMBER, TEST_API),
        docs_url="https://api-docs.cdek.ru/154160502.html",
        returns="date_intervals: dates with their time intervals",
    ),
    Method(
        name="CreateCourierInvitation",
        summary="Creates a new request to call a courier to pick up a shipment",
        group=DELIVERY,
        function=create_courier_invitation,
        params=(
            TOKEN,
            Param(
                "InvitationDescription",
                "--intake",
                Kind.OBJECT,
                "Invitation description. See GetCourierInvitationsDescription",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828859.html",
        returns=ENVELOPE + "; entity.uuid is the invitation's UUID",
    ),
    Method(
        name="GetCourierInvitation",
        summary="Gets courier invitation by UUID",
        group=DELIVERY,
        function=get_courier_invitation,
        params=(TOKEN, INTAKE_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/33828865.html",
        returns="The invitation (entity) with its statuses and requests",
    ),
    Method(
        name="DeleteCourierInvitation",
        summary="Deletes courier invitation by UUID",
        group=DELIVERY,
        function=delete_courier_invitation,
        params=(
            TOKEN,
            Param(
                "UUID", "--uuid", Kind.UUID, "UUID of the invitation for deletion", required=True
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828880.html",
        returns=ENVELOPE,
    ),
    Method(
        name="RegisterDeliveryAppointment",
        summary="Fixes the delivery date, time and address agreed with the customer",
        group=DELIVERY,
        function=register_delivery_appointment,
        params=(
            TOKEN,
            Param(
                "Appointment",
                "--appt",
                Kind.OBJECT,
                "Appointment description. See GetAppointmentDescription",
                required=True,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36989576.html",
        returns=ENVELOPE + "; entity.uuid is the appointment's UUID",
    ),
    Method(
        name="GetDeliveryAppointment",
        summary="Receives information about the delivery date, time and address agreed with the"
        " customer",
        group=DELIVERY,
        function=get_delivery_appointment,
        params=(
            TOKEN,
            Param("UUID", "--uuid", Kind.UUID, "Appointment UUID", required=True),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/36989601.html",
        returns="The appointment (entity) with its statuses and requests",
    ),
    Method(
        name="GetCourierInvitationsDescription",
        summary="Gets the layout for creating a courier invitation in CreateCourierInvitation",
        group=DELIVERY,
        function=get_courier_invitations_description,
        params=(CLEAR, REQUIRED_ONLY),
        docs_url="https://api-docs.cdek.ru/33828859.html",
        returns="The invitation's fields, with descriptions (or empty) as values" + NO_REQUEST,
    ),
    Method(
        name="GetAppointmentDescription",
        summary="Gets the layout for RegisterDeliveryAppointment",
        group=DELIVERY,
        function=get_appointment_description,
        params=(CLEAR, REQUIRED_ONLY),
        docs_url="https://api-docs.cdek.ru/36989576.html",
        returns="The appointment's fields, with descriptions (or empty) as values" + NO_REQUEST,
    ),
    Method(
        name="GetOrderCourierInvitations",
        summary="Gets the courier invitations of an order",
        group=DELIVERY,
        function=get_order_courier_invitations,
        params=(TOKEN, ORDER_UUID, TEST_API),
        docs_url="https://api-docs.cdek.ru/33828865.html",
        returns="The order's invitations",
    ),
    Method(
        name="GetEstimatedDeliveryIntervals",
        summary="Gets delivery intervals before the order exists",
        group=DELIVERY,
        function=get_estimated_delivery_intervals,
        params=(
            TOKEN,
            Param(
                "Shipment",
                "--shipment",
                Kind.OBJECT,
                "The future order: date_time, tariff_code and to_location (required),"
                " from_location, shipment_point, additional_order_types",
                required=True,
                example="{'date_time': '2026-03-07T10:00:00+0300', 'tariff_code': 136,"
                " 'to_location': {'code': 270, 'address': 'ул. Кутателадзе, 4'}}",
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/154160502.html",
        returns="date_intervals: dates with their time intervals",
    ),
    Method(
        name="GetCourierAvailableDays",
        summary="Gets the dates a courier can come to an address",
        group=DELIVERY,
        function=get_courier_available_days,
        params=(
            TOKEN,
            Param(
                "Location",
                "--location",
                Kind.OBJECT,
                "The pickup address: code, postal_code, address, …",
                required=True,
                example="{'code': 270, 'address': 'ул. Кутателадзе, 4'}",
            ),
            Param("Date", "--date", Kind.DATE, "First date to consider"),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828859.html",
        returns="date: the available days",
    ),
    Method(
        name="UpdateCourierInvitationStatus",
        summary="Changes the status of a courier invitation",
        group=DELIVERY,
        function=update_courier_invitation_status,
        params=(
            TOKEN,
            INTAKE_UUID,
            Param(
                "AddStatus",
                "--addstatus",
                Kind.CHOICE,
                "Why the invitation needs processing",
                required=True,
                choices=INTAKE_ADD_STATUSES,
            ),
            Param(
                "Status",
                "--status",
                Kind.CHOICE,
                "The status to set",
                default="PROCESSING_REQUIRED",
                choices=INTAKE_STATUS_CODES,
            ),
            TEST_API,
        ),
        docs_url="https://api-docs.cdek.ru/33828859.html",
        returns=ENVELOPE,
    ),
)
