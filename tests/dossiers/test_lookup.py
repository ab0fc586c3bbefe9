import uuid

from django.core.cache import cache
from django.urls import reverse

import pytest

from dossiers.services import (
    attachment_add,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_submit,
)
from tests.dossiers.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def submitted(citizen, birth, commune):
    dossier = dossier_start(applicant=citizen, version=birth, agency=commune)
    dossier_save_applicant(
        dossier=dossier,
        data={"full_name": "Lê Thị Hoa", "phone": "0912345678", "citizen_id": "038190001234", "address": "Thôn 1"},
    )
    dossier_save_form(dossier=dossier, data={"ho_ten": "Nguyễn Minh An"})
    attachment_add(dossier=dossier, required_document=birth.documents.get(), upload=pdf_upload(), by=citizen)
    dossier_save_delivery(dossier=dossier, delivery="desk")
    return dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())


@pytest.mark.parametrize("secret", ["5678", "1234"], ids=["phone", "citizen ID"])
def test_anyone_with_the_code_and_4_digits_sees_status_and_timeline_without_personal_data(client, submitted, secret):
    page = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": secret}).content.decode()
    assert submitted.code in page
    assert "Mới đăng ký" in page
    assert "Thủ tục đăng ký khai sinh" in page
    for personal in ["Lê Thị Hoa", "0912345678", "038190001234", "Thôn 1", "Nguyễn Minh An"]:
        assert personal not in page


@pytest.mark.parametrize(("code", "secret"), [("wrong", "5678"), (None, "0000"), (None, "12")])
def test_a_wrong_code_or_wrong_digits_get_the_same_answer(client, submitted, code, secret):
    page = client.post(reverse("dossiers:lookup"), {"code": code or submitted.code, "secret": secret}).content.decode()
    assert 'data-testid="lookup-result"' not in page
    assert "Mới đăng ký" not in page


def test_the_public_timeline_shows_no_note(client, submitted):
    from dossiers.models import DossierEvent

    DossierEvent.objects.create(
        dossier=submitted, to_status=submitted.status, kind="note", note="Bà Lê Thị Hoa, thôn 1, gọi lại sau"
    )
    page = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": "5678"}).content.decode()
    assert 'data-testid="lookup-result"' in page
    assert "gọi lại sau" not in page


def test_guessing_digits_is_rate_limited(client, submitted):
    for secret in range(20):
        client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": f"{secret:04d}"})
    response = client.post(reverse("dossiers:lookup"), {"code": submitted.code, "secret": "5678"})
    assert response.status_code == 429
    assert "Vui lòng chờ một phút" in response.content.decode()


def test_the_citizen_page_shows_the_timeline(client, citizen, submitted):
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[submitted.reference])).content.decode()
    assert submitted.code in page
    assert "Quá trình xử lý" in page
    assert "Mới đăng ký" in page
