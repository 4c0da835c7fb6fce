"""OPI region "Delivery management": delivery intervals, courier invitations, appointments.

Each method is its function and, right below it, its record; ``METHODS`` lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from oint_core import Kind, Method, Param, UsageError

from .. import waiting
from ..api import call, order_ref
from ..params import (
    CDEK_NUMBER,
    CLEAR,
    DELIVERY,
    ENVELOPE,
    LAYOUT,
    ORDER_UUID,
    ORDER_UUID_OR_NUMBER,
    REQUIRED_ONLY,
    with_auth,
)

if TYPE_CHECKING:
    from oint_core import CallContext

INTAKE_UUID = Param("UUID", "--uuid", Kind.UUID, "UUID of the invitation", required=True)
DELIVERY_INTERVALS = "date_intervals: dates with their time intervals"


def get_available_delivery_intervals(
    ctx: CallContext, uuid: str | None, cdek_number: str | None
) -> Any:
    return call(ctx, "GET", "/delivery/intervals", params=order_ref(ctx, uuid, cdek_number))


GET_AVAILABLE_DELIVERY_INTERVALS = Method(
    name="GetAvailableDeliveryIntervals",
    summary="Gets available delivery intervals for order",
    group=DELIVERY,
    effect="read",
    function=get_available_delivery_intervals,
    params=with_auth(ORDER_UUID_OR_NUMBER, CDEK_NUMBER),
    docs_url="https://api-docs.cdek.ru/154160502.html",
    returns=DELIVERY_INTERVALS,
)


def create_courier_invitation(ctx: CallContext, invitation_description: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/intakes", json_body=invitation_description)


CREATE_COURIER_INVITATION = Method(
    name="CreateCourierInvitation",
    summary="Creates a new request to call a courier to pick up a shipment",
    group=DELIVERY,
    effect="write",
    function=create_courier_invitation,
    params=with_auth(
        Param(
            "InvitationDescription",
            "--intake",
            Kind.OBJECT,
            "Invitation description. See GetCourierInvitationsDescription",
            required=True,
        )
    ),
    docs_url="https://api-docs.cdek.ru/33828859.html",
    returns=ENVELOPE + "; entity.uuid is the invitation's UUID",
    waits=waiting.INTAKE_CREATE,
)


def get_courier_invitation(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "GET", f"/intakes/{uuid}")


GET_COURIER_INVITATION = Method(
    name="GetCourierInvitation",
    summary="Gets courier invitation by UUID",
    group=DELIVERY,
    effect="read",
    function=get_courier_invitation,
    params=with_auth(INTAKE_UUID),
    docs_url="https://api-docs.cdek.ru/33828865.html",
    returns="The invitation (entity) with its statuses and requests",
)


def delete_courier_invitation(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "DELETE", f"/intakes/{uuid}")


DELETE_COURIER_INVITATION = Method(
    name="DeleteCourierInvitation",
    summary="Deletes courier invitation by UUID",
    group=DELIVERY,
    effect="delete",
    function=delete_courier_invitation,
    params=with_auth(INTAKE_UUID.replace(description="UUID of the invitation for deletion")),
    docs_url="https://api-docs.cdek.ru/33828880.html",
    returns=ENVELOPE,
    waits=waiting.INTAKE_DELETE,
)


def register_delivery_appointment(ctx: CallContext, appointment: dict[str, Any]) -> Any:
    return call(ctx, "POST", "/delivery", json_body=appointment)


REGISTER_DELIVERY_APPOINTMENT = Method(
    name="RegisterDeliveryAppointment",
    summary="Fixes the delivery date, time and address agreed with the customer",
    group=DELIVERY,
    effect="write",
    function=register_delivery_appointment,
    params=with_auth(
        Param(
            "Appointment",
            "--appt",
            Kind.OBJECT,
            "Appointment description. See GetAppointmentDescription",
            required=True,
        )
    ),
    docs_url="https://api-docs.cdek.ru/36989576.html",
    returns=ENVELOPE + "; entity.uuid is the appointment's UUID",
    waits=waiting.APPOINTMENT,
)


def get_delivery_appointment(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "GET", f"/delivery/{uuid}")


GET_DELIVERY_APPOINTMENT = Method(
    name="GetDeliveryAppointment",
    summary="Receives information about the delivery date, time and address agreed with the"
    " customer",
    group=DELIVERY,
    effect="read",
    function=get_delivery_appointment,
    params=with_auth(Param("UUID", "--uuid", Kind.UUID, "Appointment UUID", required=True)),
    docs_url="https://api-docs.cdek.ru/36989601.html",
    returns="The appointment (entity) with its statuses and requests",
)


def get_courier_invitations_description(
    ctx: CallContext, clear: bool, required_only: bool
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts: list[dict[str, Any]] = [templates.INTAKE_REQUIRED]
    if not required_only:
        parts.append(templates.INTAKE_FULL)
    return templates.layout(*parts, empty=clear)


GET_COURIER_INVITATIONS_DESCRIPTION = Method(
    name="GetCourierInvitationsDescription",
    summary="Gets the layout for creating a courier invitation in CreateCourierInvitation",
    group=DELIVERY,
    effect="local",
    function=get_courier_invitations_description,
    params=(CLEAR, REQUIRED_ONLY),
    docs_url="https://api-docs.cdek.ru/33828859.html",
    returns=f"The invitation's fields, with descriptions (or empty) as values; {LAYOUT}",
)


def get_appointment_description(
    ctx: CallContext, clear: bool, required_only: bool
) -> dict[str, Any]:
    from .. import templates  # the layouts load only for these methods

    parts: list[dict[str, Any]] = [templates.APPOINTMENT_REQUIRED]
    if not required_only:
        parts.append(templates.APPOINTMENT_FULL)
    return templates.layout(*parts, empty=clear)


GET_APPOINTMENT_DESCRIPTION = Method(
    name="GetAppointmentDescription",
    summary="Gets the layout for RegisterDeliveryAppointment",
    group=DELIVERY,
    effect="local",
    function=get_appointment_description,
    params=(CLEAR, REQUIRED_ONLY),
    docs_url="https://api-docs.cdek.ru/36989576.html",
    returns=f"The appointment's fields, with descriptions (or empty) as values; {LAYOUT}",
)


def get_order_courier_invitations(ctx: CallContext, uuid: str) -> Any:
    return call(ctx, "GET", f"/orders/{uuid}/intakes")


GET_ORDER_COURIER_INVITATIONS = Method(
    name="GetOrderCourierInvitations",
    summary="Gets the courier invitations of an order",
    group=DELIVERY,
    effect="read",
    function=get_order_courier_invitations,
    params=with_auth(ORDER_UUID),
    docs_url="https://api-docs.cdek.ru/33828865.html",
    returns="The order's invitations",
)

# What CDEK's specification requires of an estimated-intervals request.
ESTIMATE_REQUIRES = ("date_time", "tariff_code", "to_location")


def get_estimated_delivery_intervals(ctx: CallContext, shipment: dict[str, Any]) -> Any:
    missing = [key for key in ESTIMATE_REQUIRES if shipment.get(key) in (None, "", {})]
    if missing:
        label = "--shipment" if ctx.style == "cli" else "shipment"
        raise UsageError(f"{label}: CDEK requires {', '.join(missing)}", option="--shipment")
    return call(ctx, "POST", "/delivery/estimatedIntervals", json_body=shipment)


GET_ESTIMATED_DELIVERY_INTERVALS = Method(
    name="GetEstimatedDeliveryIntervals",
    summary="Gets delivery intervals before the order exists",
    group=DELIVERY,
    effect="read",
    function=get_estimated_delivery_intervals,
    params=with_auth(
        Param(
            "Shipment",
            "--shipment",
            Kind.OBJECT,
            "The future order: date_time, tariff_code and to_location (required),"
            " from_location, shipment_point, additional_order_types",
            required=True,
            example="{'date_time': '2026-03-07T10:00:00+0300', 'tariff_code': 136,"
            " 'to_location': {'code': 270, 'address': 'ул. Кутателадзе, 4'}}",
        )
    ),
    docs_url="https://api-docs.cdek.ru/154160502.html",
    returns=DELIVERY_INTERVALS,
)


def get_courier_available_days(
    ctx: CallContext, location: dict[str, Any], date: dt.date | None
) -> Any:
    body: dict[str, Any] = {"from_location": location}
    if date is not None:
        body["date"] = date.isoformat()
    return call(ctx, "POST", "/intakes/availableDays", json_body=body)


GET_COURIER_AVAILABLE_DAYS = Method(
    name="GetCourierAvailableDays",
    summary="Gets the dates a courier can come to an address",
    group=DELIVERY,
    effect="read",
    function=get_courier_available_days,
    params=with_auth(
        Param(
            "Location",
            "--location",
            Kind.OBJECT,
            "The pickup address: code, postal_code, address, …",
            required=True,
            example="{'code': 270, 'address': 'ул. Кутателадзе, 4'}",
        ),
        Param("Date", "--date", Kind.DATE, "First date to consider"),
    ),
    docs_url="https://api-docs.cdek.ru/33828859.html",
    returns="date: the available days",
)

# The status a client may set on an invitation, and why (IntakeStatusPatchDto).
INTAKE_STATUS_CODES = ("PROCESSING_REQUIRED",)
INTAKE_ADD_STATUSES = ("CALL_REQUIRED", "DOC_REQUIRED")


def update_courier_invitation_status(
    ctx: CallContext, uuid: str, add_status: str, status: str
) -> Any:
    body = {"uuid": uuid, "status": {"code": status, "add_status": add_status}}
    return call(ctx, "PATCH", "/intakes", json_body=body)


UPDATE_COURIER_INVITATION_STATUS = Method(
    name="UpdateCourierInvitationStatus",
    summary="Changes the status of a courier invitation",
    group=DELIVERY,
    effect="write",
    function=update_courier_invitation_status,
    params=with_auth(
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
    ),
    docs_url="https://api-docs.cdek.ru/33828859.html",
    returns=ENVELOPE,
    waits=waiting.INTAKE_UPDATE,
)

METHODS = (
    GET_AVAILABLE_DELIVERY_INTERVALS,
    CREATE_COURIER_INVITATION,
    GET_COURIER_INVITATION,
    DELETE_COURIER_INVITATION,
    REGISTER_DELIVERY_APPOINTMENT,
    GET_DELIVERY_APPOINTMENT,
    GET_COURIER_INVITATIONS_DESCRIPTION,
    GET_APPOINTMENT_DESCRIPTION,
    GET_ORDER_COURIER_INVITATIONS,
    GET_ESTIMATED_DELIVERY_INTERVALS,
    GET_COURIER_AVAILABLE_DAYS,
    UPDATE_COURIER_INVITATION_STATUS,
)
