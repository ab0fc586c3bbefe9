from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("thu-tuc/", views.CatalogueView.as_view(), name="catalogue"),
    path("thu-tuc/<str:code>/", views.ProcedureDetailView.as_view(), name="detail"),
    path("thu-tuc/<str:code>/mau/<int:pk>/", views.DocumentTemplateView.as_view(), name="document_template"),
]
