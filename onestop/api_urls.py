from django.urls import path

from accounts.api.views import AgencyListApi
from procedures.api.views import FieldListApi, ProcedureDetailApi, ProcedureListApi

urlpatterns = [
    path("procedures/", ProcedureListApi.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", ProcedureDetailApi.as_view(), name="procedure-detail"),
    path("fields/", FieldListApi.as_view(), name="field-list"),
    path("agencies/", AgencyListApi.as_view(), name="agency-list"),
]
