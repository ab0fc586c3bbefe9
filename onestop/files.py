"""A stored file as the answer to a request that Django has already allowed.

Without ``MEDIA_ACCEL_PREFIX`` the file is streamed by Django (``FileResponse``). With it (nginx in front,
``location <prefix> { internal; alias MEDIA_ROOT/; }``: deploy/nginx/onestop.conf), Django answers with
only the headers and ``X-Accel-Redirect: <prefix><name>``, and nginx sends the file itself from disk:
a worker is not held for the minutes a slow link takes to download a scan. nginx serves that location to
internal redirects only, so a file is never reachable without the permission check before it."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def file_response(stored, *, filename: str, content_type: str | None = None, private: bool = True):
    """``stored`` (a field file of the default storage) as a download named ``filename``."""
    prefix = settings.MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(stored.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
