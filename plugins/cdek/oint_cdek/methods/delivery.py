"""OPI region "Delivery management": delivery intervals, courier invitations, appointments."""

from __future__ import annotations

from typing import Any

from oint_core import CallContext, Kind, Method, Param

from .. import templates
from ..api import call, query
from ..params import CLEAR, DELIVERY, ORDER_UUID, REQUIRED_ONLY, TEST_API, TOKEN


def get_available_delivery_intervals(
    ctx: CallContext, token: str | None, uuid: str, test_api: bool = False
) -> Any:
    params = query({"order_uuid": uuid})
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


def get_courier_invitations_description(
    ctx: CallContext, clear: bool = False, required_only: bool = False
) -> dict[str, Any]:
    parts = [templates.INTAKE_REQUIRED]
    if not required_only:
        parts.append(templates.INTAKE_FULL)
    return templates.layout(*parts, empty=clear)


def get_appointment_description(
    ctx: CallContext, clear: bool = False, required_only: bool = False
) -> dict[str, Any]:
    parts = [templates.APPOINTMENT_REQUIRED]
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
        params=(TOKEN, ORDER_UUID, TEST_API),
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
)
