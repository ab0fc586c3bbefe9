from .citizen import (
    ApplicantStepView,
    AttachmentDownloadView,
    DeliveryStepView,
    DocumentsStepView,
    DossierDetailView,
    DossierStartView,
    DossierSubmittedView,
    FormStepView,
    LookupView,
    MyDossiersView,
    NotificationListView,
    ReceiptView,
    ReviewStepView,
    SlipView,
)
from .desk import DeskCitizenView, DeskIntakeView
from .payments import FeeReceiptView, GatewaySimulatorView, PaymentStartView, VnpayIpnView, VnpayReturnView
from .ratings import DeskRateView, RateView
from .register import RegisterView
from .staff import ControlSheetView, DossierActionView, QueueView, UndeliveredNotificationsView
from .verify import VerifyStartView, VerifyView

__all__ = [
    "ApplicantStepView",
    "AttachmentDownloadView",
    "ControlSheetView",
    "DeliveryStepView",
    "DeskCitizenView",
    "DeskIntakeView",
    "DeskRateView",
    "DocumentsStepView",
    "DossierActionView",
    "DossierDetailView",
    "DossierStartView",
    "DossierSubmittedView",
    "FeeReceiptView",
    "FormStepView",
    "GatewaySimulatorView",
    "LookupView",
    "MyDossiersView",
    "NotificationListView",
    "PaymentStartView",
    "QueueView",
    "RateView",
    "ReceiptView",
    "RegisterView",
    "ReviewStepView",
    "SlipView",
    "UndeliveredNotificationsView",
    "VerifyStartView",
    "VerifyView",
    "VnpayIpnView",
    "VnpayReturnView",
]
