from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
