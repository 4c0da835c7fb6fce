"""Every CDEK method, by module: OPI's three regions, then the rest of API v2.

The index is what oint reads at start-up; a call imports only the module of the method it
runs. oint checks each module's ``METHODS`` against its line here when it loads it, so the
two cannot drift apart unnoticed (``oint plugins`` loads them all).
"""

from __future__ import annotations

INDEX: dict[str, tuple[str, ...]] = {
    "oint_cdek.methods.common": (
        "GetToken",
        "GetCashboxChecksByDate",
        "GetDeliveryCashRegistry",
        "GetDeliveryCashTransfers",
        "GetOfficeList",
        "GetRegionsList",
        "GetOfficeFilterDescription",
    ),
    "oint_cdek.methods.orders": (
        "CreateOrder",
        "UpdateOrder",
        "DeleteOrder",
        "GetOrder",
        "GetOrderByNumber",
        "CreateCustomerRefund",
        "CreateRefusal",
        "CreateReceipt",
        "GetReceipt",
        "CreateBarcode",
        "GetBarcode",
        "CreatePrealert",
        "GetPrealert",
        "GetPassportDataStatus",
        "GetCashboxCheck",
        "GetOrderDescription",
        "CheckReverseAvailability",
    ),
    "oint_cdek.methods.delivery": (
        "GetAvailableDeliveryIntervals",
        "CreateCourierInvitation",
        "GetCourierInvitation",
        "DeleteCourierInvitation",
        "RegisterDeliveryAppointment",
        "GetDeliveryAppointment",
        "GetCourierInvitationsDescription",
        "GetAppointmentDescription",
        "GetOrderCourierInvitations",
        "GetEstimatedDeliveryIntervals",
        "GetCourierAvailableDays",
        "UpdateCourierInvitationStatus",
    ),
    "oint_cdek.methods.locations": (
        "SuggestCities",
        "GetCitiesList",
        "GetPostalCodes",
        "GetLocationByCoordinates",
    ),
    "oint_cdek.methods.calculator": (
        "CalculateTariff",
        "CalculateTariffList",
        "CalculateTariffsAndServices",
        "GetAvailableTariffs",
        "GetInternationalRestrictions",
    ),
    "oint_cdek.methods.documents": (
        "PrintReceipt",
        "PrintBarcode",
        "GetOrdersWithPhotos",
        "GetPhotoArchive",
    ),
    "oint_cdek.methods.webhooks": (
        "CreateWebhook",
        "GetWebhookList",
        "GetWebhook",
        "DeleteWebhook",
    ),
}
