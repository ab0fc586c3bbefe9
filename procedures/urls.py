from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("thu-tuc/", views.CatalogueView.as_view(), name="catalogue"),
]
