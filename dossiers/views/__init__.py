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
)
from .desk import DeskCitizenView, DeskIntakeView

__all__ = [
    "ApplicantStepView",
    "AttachmentDownloadView",
    "DeliveryStepView",
    "DeskCitizenView",
    "DeskIntakeView",
    "DocumentsStepView",
    "DossierDetailView",
    "DossierStartView",
    "DossierSubmittedView",
    "FormStepView",
    "LookupView",
    "MyDossiersView",
    "ReceiptView",
    "ReviewStepView",
]
