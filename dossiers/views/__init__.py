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
    ReceiptView,
    ReviewStepView,
    SlipView,
)
from .desk import DeskCitizenView, DeskIntakeView
from .staff import ControlSheetView, DossierActionView, QueueView

__all__ = [
    "ApplicantStepView",
    "AttachmentDownloadView",
    "ControlSheetView",
    "DeliveryStepView",
    "DeskCitizenView",
    "DeskIntakeView",
    "DocumentsStepView",
    "DossierActionView",
    "DossierDetailView",
    "DossierStartView",
    "DossierSubmittedView",
    "FormStepView",
    "LookupView",
    "MyDossiersView",
    "QueueView",
    "ReceiptView",
    "ReviewStepView",
    "SlipView",
]
