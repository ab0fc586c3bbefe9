from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Citizens' feedback and petitions (phản ánh, kiến nghị): sent, routed to the unit responsible,
    answered within its working days. Depends on accounts, procedures and dossiers; nothing depends on it."""

    name = "feedback"
    verbose_name = _("Feedback and petitions")
