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
from .staff import DossierActionView, QueueView

__all__ = [
    "ApplicantStepView",
    "AttachmentDownloadView",
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
]
