from django.urls import path

from . import views

urlpatterns = [
    path("phan-anh/<uuid:reference>/", views.FeedbackSentView.as_view(), name="mine_detail"),
]
