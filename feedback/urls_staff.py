from django.urls import path

from . import views_staff

urlpatterns = [
    path("mot-cua/phan-anh/<uuid:reference>/", views_staff.FeedbackStaffDetailView.as_view(), name="staff_detail"),
]
