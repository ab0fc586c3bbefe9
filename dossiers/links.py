from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode


def lookup_url(dossier) -> str:
    """The public lookup page with the dossier's code filled in: for mail, SMS and the receipt's QR."""
    return (
        settings.PORTAL_URL.rstrip("/")
        + _lookup_path(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        + "?"
        + urlencode({"code": dossier.code})
    )


@lru_cache(maxsize=8)
def _lookup_path(prefix: str, urlconf) -> str:
    """The lookup page's path, worked out once per prefix and URL configuration (every message and
    receipt carries it)."""
    return reverse("dossiers:lookup", urlconf=urlconf)
