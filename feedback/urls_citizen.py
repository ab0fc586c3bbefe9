from django.urls import path

from . import views_citizen

urlpatterns = [
    path("phan-anh/cua-toi/", views_citizen.FeedbackMineView.as_view(), name="mine"),
    path("phan-anh/da-tra-loi/", views_citizen.FeedbackPublishedView.as_view(), name="published"),
    path("phan-anh/<uuid:reference>/", views_citizen.FeedbackMineDetailView.as_view(), name="mine_detail"),
    path("phan-anh/<uuid:reference>/danh-gia/", views_citizen.FeedbackRateView.as_view(), name="rate"),
]
