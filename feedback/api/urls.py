"""Routes of the feedback API, under /api/v1/feedback/ (names in the ``api`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.FeedbackListApi.as_view(), name="feedback-list"),
    path("published/", views.PublishedAnswerListApi.as_view(), name="feedback-published"),
    path("inbox/", views.FeedbackInboxApi.as_view(), name="feedback-inbox"),
    path("inbox/<uuid:reference>/", views.FeedbackStaffDetailApi.as_view(), name="feedback-staff-detail"),
    path("inbox/<uuid:reference>/answer/", views.FeedbackAnswerApi.as_view(), name="feedback-answer"),
    path("inbox/<uuid:reference>/move/", views.FeedbackMoveApi.as_view(), name="feedback-move"),
    path("<uuid:reference>/", views.FeedbackDetailApi.as_view(), name="feedback-detail"),
    path("<uuid:reference>/rate/", views.FeedbackRateApi.as_view(), name="feedback-rate"),
]
