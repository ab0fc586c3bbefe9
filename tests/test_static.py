import re

from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

import pytest
from whitenoise.middleware import WhiteNoiseMiddleware

pytestmark = pytest.mark.django_db


def test_pages_load_nothing_from_other_hosts(client):
    """Users on cut-off links: every stylesheet, script, font and image comes from the portal itself."""
    for url in (reverse("home"), reverse("accounts:login"), reverse("procedures:catalogue"), reverse("api-docs")):
        page = client.get(url).content.decode()
        external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", page)
        assert external == [], url


def test_collected_static_files_are_served_compressed(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "vendor" / "bootstrap" / "bootstrap.min.css.gz").exists()

    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)
    request = RequestFactory().get("/static/vendor/bootstrap/bootstrap.min.css", HTTP_ACCEPT_ENCODING="gzip, br")
    response = middleware(request)

    assert response.status_code == 200
    assert response["Content-Encoding"] in ("br", "gzip")
    full_size = (tmp_path / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").stat().st_size
    assert int(response["Content-Length"]) < full_size / 4
