from pathlib import Path

from django.conf import settings
from django.urls import reverse

import polib
import pytest

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_the_portal_speaks_vietnamese_by_default(client):
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="vi">' in page
    assert "Dịch vụ công trực tuyến, tại một nơi" in page
    assert "Bỏ qua, đến nội dung chính" in page


def test_a_visitor_switches_to_english_and_the_choice_sticks(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert "Public services, online, in one place" in page

    client.post(reverse("set_language"), {"language": "vi", "next": reverse("home")})
    assert "Dịch vụ công trực tuyến" in client.get(reverse("home")).content.decode()


def test_the_admin_site_speaks_vietnamese_to_staff(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert "Quản trị Cổng dịch vụ một cửa" in page
    assert "Đăng nhập" in page


def test_every_string_has_a_vietnamese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue.translated_entries()) > 50


def test_a_browser_set_to_english_still_gets_vietnamese_until_the_person_chooses(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page
