from django.urls import path

from . import views_staff

urlpatterns = [
    path("mot-cua/phan-anh/", views_staff.FeedbackInboxView.as_view(), name="staff_inbox"),
    path("mot-cua/phan-anh/<uuid:reference>/", views_staff.FeedbackStaffDetailView.as_view(), name="staff_detail"),
    path("mot-cua/phan-anh/<uuid:reference>/tra-loi/", views_staff.FeedbackAnswerView.as_view(), name="staff_answer"),
    path("mot-cua/phan-anh/<uuid:reference>/chuyen/", views_staff.FeedbackMoveView.as_view(), name="staff_move"),
]
