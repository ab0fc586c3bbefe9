from django.urls import path

from . import target_views, views

app_name = "reports"

urlpatterns = [
    path("bao-cao/", views.DashboardView.as_view(), name="dashboard"),
    path("bao-cao/qua-han/<int:unit>/", views.OverdueHeldView.as_view(), name="overdue_held"),
    path("bao-cao/06a/", views.Report06aView.as_view(), name="report_06a"),
    path("bao-cao/06a/ho-so/", views.Report06aCellView.as_view(), name="report_06a_cell"),
    path("bao-cao/06a.csv", views.Report06aExportView.as_view(), {"fmt": "csv"}, name="report_06a_csv"),
    path("bao-cao/06a.xlsx", views.Report06aExportView.as_view(), {"fmt": "xlsx"}, name="report_06a_xlsx"),
    path("bao-cao/06a.pdf", views.Report06aExportView.as_view(), {"fmt": "pdf"}, name="report_06a_pdf"),
    path("bao-cao/truc-tuyen/", views.OnlineServicesView.as_view(), name="online"),
    path("bao-cao/chi-so.xlsx", target_views.DashboardExportView.as_view(), {"fmt": "xlsx"}, name="dashboard_xlsx"),
    path("bao-cao/chi-so.pdf", target_views.DashboardExportView.as_view(), {"fmt": "pdf"}, name="dashboard_pdf"),
    path("bao-cao/chi-tieu/", target_views.TargetListView.as_view(), name="targets"),
    path("bao-cao/chi-tieu/them/", target_views.TargetCreateView.as_view(), name="target_create"),
    path("bao-cao/chi-tieu/<int:pk>/", target_views.TargetDetailView.as_view(), name="target_detail"),
    path("bao-cao/chi-tieu/<int:pk>/sua/", target_views.TargetEditView.as_view(), name="target_edit"),
    path("bao-cao/chi-tieu/<int:pk>/xoa/", target_views.TargetDeleteView.as_view(), name="target_delete"),
]
