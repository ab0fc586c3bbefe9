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


def test_dossier_statuses_and_report_headings_never_read_as_catalogue_or_mail_terms():
    """One English word, two Vietnamese senses: a withdrawn dossier is not an unpublished procedure, a
    report's last day is not an e-mail's recipient. Each sense has its context, and what a leader or a
    citizen reads of a dossier never takes the catalogue's or the mail's word."""
    from django.utils import translation

    from dossiers.constants import Status
    from procedures.constants import VersionStatus
    from reports.forms import ReportForm
    from reports.selectors import COLUMNS

    with translation.override("vi"):
        catalogue_terms = {str(label) for _value, label in VersionStatus.choices}
        mail_terms = {translation.pgettext("message recipient", "To"), "Gửi đến", "Người gửi", "Tiêu đề"}
        statuses = {value: str(label) for value, label in Status.choices}
        headings = {key: str(label) for key, label in COLUMNS}
        period = ReportForm(agencies=[])
        period_labels = {str(period.fields["first_day"].label), str(period.fields["last_day"].label)}
        for text in [*statuses.values(), *headings.values(), *period_labels]:
            assert text not in catalogue_terms | mail_terms, text
        assert statuses[Status.WITHDRAWN] == "Đã rút hồ sơ"
        assert headings["withdrawn"] == "Rút hồ sơ"
        assert str(VersionStatus.WITHDRAWN.label) == "Ngừng công bố"
        assert period_labels == {"Từ ngày", "Đến ngày"}
        assert len(set(statuses.values())) == len(statuses)  # no two statuses read alike
