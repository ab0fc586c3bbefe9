from django.urls import include, path

from . import views

app_name = "feedback"

# Each part of the app keeps its own routes: sending (here), the sender's and the public pages
# (``urls_citizen``), the staff's inbox (``urls_staff``), the reports (``urls_report``).
urlpatterns = [
    path("phan-anh/gui/", views.FeedbackSendView.as_view(), name="send"),
    path("", include("feedback.urls_citizen")),
    path("", include("feedback.urls_staff")),
    path("", include("feedback.urls_report")),
]
