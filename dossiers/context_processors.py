from functools import cache

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .selectors import notification_unread_count


def notifications(request):
    """The unread count for the header, counted only when a template shows it."""
    return {"unread_notifications": lambda: notification_unread_count(user=getattr(request, "user", None))}


def site_script(request):
    """What ``static/js/site.js`` reads from the page (the ``upload-max-bytes`` meta tag): the upload
    limit per file and its texts in the page's language. ``too_large`` is the server's own message with
    ``{name}`` and ``{size}`` left for the script, so the browser and the server say the same thing."""

    def texts():
        limit = settings.DOSSIER_MAX_FILE_BYTES
        return {
            "max_bytes": limit,
            "too_large": _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {"name": "{name}", "size": "{size}", "limit": filesizeformat(limit)},
            "sending": _("Sending…"),
            "uploading": _("Uploading…"),
        }

    return {"site_script": cache(texts)}  # worked out once, and only on a page that shows it
