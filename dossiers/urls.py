from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.DossierStartView.as_view(), name="start"),
]
