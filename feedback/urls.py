from django.urls import include, path

from . import views

app_name = "feedback"

# Each part of the app keeps its own routes: sending (here), the sender's and the public pages
# (``urls_citizen``), the staff's inbox (``urls_staff``), the reports (``urls_report``).
urlpatterns = [
    path("phan-anh/gui/", views.FeedbackSendView.as_view(), name="send"),
    path("phan-anh/gui/xac-nhan/", views.FeedbackConfirmPhoneView.as_view(), name="confirm_phone"),
    path("phan-anh/gui/da-gui/<uuid:reference>/", views.FeedbackSentAnonymousView.as_view(), name="sent_anonymous"),
    path("phan-anh/tep/<int:pk>/", views.FeedbackAttachmentDownloadView.as_view(), name="attachment"),
    path("", include("feedback.urls_citizen")),
    path("", include("feedback.urls_staff")),
    path("", include("feedback.urls_report")),
]
