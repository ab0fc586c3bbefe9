"""Messages to the applicant. (Delivery with an outbox, retries and SMS comes with the notifications
work; for now a mail through Django's backend, sent after the transaction commits.)"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .links import lookup_url
from .models import Dossier


def dossier_notify_applicant(*, dossier_id: int) -> bool:
    """Mail the applicant that their dossier was registered; False when they gave no email."""
    dossier = Dossier.objects.select_related("procedure_version", "agency").get(pk=dossier_id)
    email = (dossier.applicant_data or {}).get("email") or dossier.applicant.email
    if not email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "dossier": dossier,
            "lookup_url": lookup_url(dossier),
        }
        subject = render_to_string("dossiers/email/registered_subject.txt", context).strip()
        body = render_to_string("dossiers/email/registered.txt", context)
    send_mail(subject, body, None, [email])
    return True
