from django.contrib import admin
from django.urls import include, path

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api_urls
from .health import healthz
from .views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("procedures.urls")),
    path("", include("dossiers.urls")),
    path("", include("reports.urls")),
    path("", include("feedback.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# The portal's own error pages, and JSON for the same errors under /api/.
handler400 = "onestop.errors.bad_request"
handler403 = "onestop.errors.permission_denied"
handler404 = "onestop.errors.page_not_found"
handler500 = "onestop.errors.server_error"
