from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("phan-anh/gui/", views.FeedbackSendView.as_view(), name="send"),
    path("phan-anh/<uuid:reference>/", views.FeedbackSentView.as_view(), name="sent"),
]
