from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode


def lookup_url(dossier) -> str:
    """The public lookup page with the dossier's code filled in: for mail, SMS and the receipt's QR."""
    return settings.PORTAL_URL.rstrip("/") + reverse("dossiers:lookup") + "?" + urlencode({"code": dossier.code})
