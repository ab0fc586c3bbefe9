from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the portal: the database roles, backups and their restore. No models of its own; it
    reads the other apps only through Django's registry (every model, every file field)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operations")
