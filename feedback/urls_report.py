from django.urls import path

from . import views_report

urlpatterns = [
    path("bao-cao/phan-anh/", views_report.FeedbackReportView.as_view(), name="report"),
    path("bao-cao/phan-anh/muc/", views_report.FeedbackReportCellView.as_view(), name="report_cell"),
    path("bao-cao/phan-anh.csv", views_report.FeedbackReportExportView.as_view(), {"fmt": "csv"}, name="report_csv"),
    path("bao-cao/phan-anh.xlsx", views_report.FeedbackReportExportView.as_view(), {"fmt": "xlsx"}, name="report_xlsx"),
    path("bao-cao/phan-anh.pdf", views_report.FeedbackReportExportView.as_view(), {"fmt": "pdf"}, name="report_pdf"),
]
