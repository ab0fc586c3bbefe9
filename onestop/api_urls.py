from django.urls import include, path

from accounts.api.views import AgencyListApi
from dossiers.api.staff import DossierActionApi, DossierActionsListApi, QueueApi
from dossiers.api.views import (
    AttachmentFileApi,
    AttachmentUploadApi,
    DossierDetailApi,
    DossierListApi,
    DossierSubmitApi,
    ResultReceiveApi,
)
from procedures.api.views import FieldListApi, ProcedureDetailApi, ProcedureListApi
from reports.api.views import IndicatorsApiView, Report06aApiView

urlpatterns = [
    path("procedures/", ProcedureListApi.as_view(), name="procedure-list"),
    path("reports/06a/", Report06aApiView.as_view(), name="report-06a"),
    path("reports/indicators/", IndicatorsApiView.as_view(), name="report-indicators"),
    path("procedures/<str:code>/", ProcedureDetailApi.as_view(), name="procedure-detail"),
    path("fields/", FieldListApi.as_view(), name="field-list"),
    path("agencies/", AgencyListApi.as_view(), name="agency-list"),
    path("dossiers/", DossierListApi.as_view(), name="dossier-list"),
    path("dossiers/<uuid:reference>/", DossierDetailApi.as_view(), name="dossier-detail"),
    path("dossiers/<uuid:reference>/attachments/", AttachmentUploadApi.as_view(), name="dossier-attachments"),
    path("dossiers/<uuid:reference>/submit/", DossierSubmitApi.as_view(), name="dossier-submit"),
    path("attachments/<int:pk>/file/", AttachmentFileApi.as_view(), name="attachment-file"),
    path("attachments/<int:pk>/receive/", ResultReceiveApi.as_view(), name="result-receive"),
    path("staff/queue/", QueueApi.as_view(), name="staff-queue"),
    path("dossiers/<uuid:reference>/actions/", DossierActionsListApi.as_view(), name="dossier-actions"),
    path("dossiers/<uuid:reference>/actions/<slug:action>/", DossierActionApi.as_view(), name="dossier-action"),
    path("feedback/", include("feedback.api.urls")),
]
