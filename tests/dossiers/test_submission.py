import re
import threading
import uuid

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from dossiers.constants import Channel, Status
from dossiers.models import Dossier, DossierEvent
from dossiers.services import dossier_code_next
from tests.dossiers.conftest import pdf_upload, png_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fill_draft(client, birth, commune):
    response = client.post(reverse("dossiers:start", args=[birth.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:step_applicant", args=[dossier.reference])
    client.post(
        reverse("dossiers:step_applicant", args=[dossier.reference]),
        {
            "full_name": "Lê Thị Hoa",
            "citizen_id": "038190001234",
            "phone": "0912 345 678",
            "email": "hoa@example.vn",
            "address": "Thôn 1, xã Xuân Du",
        },
    )
    client.post(reverse("dossiers:step_form", args=[dossier.reference]), {"ho_ten": "Nguyễn Minh An"})
    document = birth.documents.get()
    client.post(reverse("dossiers:step_documents", args=[dossier.reference]), {f"doc_{document.pk}": pdf_upload()})
    client.post(reverse("dossiers:step_delivery", args=[dossier.reference]), {"result_delivery": "online"})
    return dossier


def test_a_citizen_submits_a_level_4_dossier_and_gets_a_code_an_event_and_a_mail(
    client, citizen, birth, commune, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    review = client.get(reverse("dossiers:step_review", args=[dossier.reference])).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:step_review", args=[dossier.reference]), {"submission_key": key})

    dossier.refresh_from_db()
    today = timezone.localdate()
    assert dossier.code == f"000.12.22.H56-{today:%y%m%d}-0001"
    assert (dossier.status, dossier.national_status_code, dossier.channel) == (Status.SUBMITTED, 1, Channel.ONLINE)
    assert dossier.service_level == 4
    assert dossier.procedure_version == birth
    assert dossier.applicant_data["phone"] == "0912345678"
    assert dossier.form_data == {"ho_ten": "Nguyễn Minh An"}
    [event] = dossier.events.all()
    assert (event.from_status, event.to_status, event.actor) == (Status.DRAFT, Status.SUBMITTED, citizen)
    confirmation = client.get(response.url).content.decode()
    assert dossier.code in confirmation
    [message] = mail.outbox
    assert message.to == ["hoa@example.vn"]
    assert dossier.code in message.subject
    assert "Thủ tục đăng ký khai sinh" in message.body


def test_a_double_click_on_submit_makes_one_dossier(client, citizen, birth, commune):
    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    key = str(uuid.uuid4())
    first = client.post(reverse("dossiers:step_review", args=[dossier.reference]), {"submission_key": key})
    second = client.post(reverse("dossiers:step_review", args=[dossier.reference]), {"submission_key": key})
    assert first.status_code == second.status_code == 302
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.count() == 1


def test_a_draft_is_resumed_from_my_dossiers_with_what_was_entered(client, citizen, birth, commune):
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[birth.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    client.post(
        reverse("dossiers:step_applicant", args=[dossier.reference]),
        {"full_name": "Lê Thị Hoa", "phone": "0912345678", "address": "Thôn 1"},
    )
    client.logout()
    client.force_login(citizen)

    mine = client.get(reverse("dossiers:mine")).content.decode()
    assert "Tiếp tục hồ sơ đang soạn" in mine
    # "Continue" resumes at the first step with something missing: the form, not the review.
    assert f'href="{reverse("dossiers:step_form", args=[dossier.reference])}"' in mine
    assert reverse("dossiers:step_review", args=[dossier.reference]) not in mine
    page = client.get(reverse("dossiers:step_applicant", args=[dossier.reference])).content.decode()
    assert 'value="0912345678"' in page
    review = client.get(reverse("dossiers:step_review", args=[dossier.reference])).content.decode()
    assert "Thiếu giấy tờ: Tờ khai đăng ký khai sinh" in review
    assert 'name="submission_key"' not in review


def test_the_applicant_step_is_prefilled_from_the_profile(client, citizen, birth, commune):
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[birth.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    page = client.get(reverse("dossiers:step_applicant", args=[dossier.reference])).content.decode()
    assert 'value="Lê Thị Hoa"' in page
    assert 'value="038190001234"' in page


def test_a_refused_field_keeps_everything_else_that_was_typed(client, citizen, birth, commune):
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[birth.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    response = client.post(
        reverse("dossiers:step_applicant", args=[dossier.reference]),
        {"full_name": "Lê Thị Hoa", "citizen_id": "12345", "phone": "0912345678", "address": "Thôn 1, xã Xuân Du"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in page
    assert 'value="Lê Thị Hoa"' in page
    assert "Thôn 1, xã Xuân Du" in page


def test_a_file_that_is_not_what_its_name_says_is_refused_and_the_good_one_kept(client, citizen, commune):
    from procedures.constants import CopyType
    from procedures.services import DocumentData
    from tests.factories import published_procedure

    version = published_procedure(
        code="1.004873",
        agencies=[commune],
        documents=[
            DocumentData(name="Tờ khai", copy_type=CopyType.ORIGINAL),
            DocumentData(name="Ảnh căn cước", copy_type=CopyType.PHOTOCOPY),
        ],
    )
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[version.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    form_doc, photo_doc = version.documents.all()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh-can-cuoc.png", b"MZ\x90\x00 this is a program", content_type="image/png")
    response = client.post(
        reverse("dossiers:step_documents", args=[dossier.reference]),
        {f"doc_{form_doc.pk}": pdf_upload("to-khai.pdf"), f"doc_{photo_doc.pk}": fake},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“anh-can-cuoc.png” không phải tệp PDF, JPEG, PNG" in page
    assert "Đã tải lên: to-khai.pdf" in page
    assert [a.original_name for a in dossier.attachments.all()] == ["to-khai.pdf"]

    client.post(
        reverse("dossiers:step_documents", args=[dossier.reference]),
        {f"doc_{photo_doc.pk}": SimpleUploadedFile("anh.png", png_bytes())},
    )
    assert sorted(a.original_name for a in dossier.attachments.all()) == ["anh.png", "to-khai.pdf"]


def test_a_file_over_the_limit_is_refused_with_the_limit_named(client, citizen, birth, commune, settings):
    settings.DOSSIER_MAX_FILE_BYTES = 1024
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[birth.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    document = birth.documents.get()
    response = client.post(
        reverse("dossiers:step_documents", args=[dossier.reference]), {f"doc_{document.pk}": pdf_upload(size=4096)}
    )
    assert "mỗi tệp tối đa 1,0\xa0KB" in response.content.decode()
    assert not dossier.attachments.exists()


def test_uploads_keep_their_hash_and_a_random_name_on_disk(client, citizen, birth, commune):
    import hashlib

    from tests.dossiers.conftest import PDF

    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    attachment = dossier.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.content_type == "application/pdf"
    assert "giay-chung-sinh" not in attachment.file.name
    response = client.get(reverse("dossiers:attachment", args=[attachment.pk]))
    assert 'filename="giay-chung-sinh.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_another_citizen_gets_404_for_the_dossier_its_steps_and_its_file(client, citizen, birth, commune):
    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    attachment = dossier.attachments.get()
    client.force_login(UserFactory())
    for url in [
        reverse("dossiers:detail", args=[dossier.reference]),
        reverse("dossiers:step_review", args=[dossier.reference]),
        reverse("dossiers:step_applicant", args=[dossier.reference]),
        reverse("dossiers:attachment", args=[attachment.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("dossiers:step_review", args=[dossier.reference]), {"submission_key": str(uuid.uuid4())}
        ).status_code
        == 404
    )


def test_my_dossiers_uses_the_same_number_of_queries_for_5_and_50(client, citizen, birth, commune):
    from dossiers.services import dossier_start

    client.force_login(citizen)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dossiers:mine")).status_code == 200
        return len(queries)

    for _ in range(5):
        dossier_start(applicant=citizen, version=birth, agency=commune)
    with_5 = count()
    for _ in range(45):
        dossier_start(applicant=citizen, version=birth, agency=commune)
    assert count() == with_5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_codes_for_one_agency_and_day_never_repeat(commune):
    from django.db import close_old_connections, transaction

    day = timezone.localdate()
    codes, errors = [], []

    def take():
        try:
            for _ in range(5):
                with transaction.atomic():
                    codes.append(dossier_code_next(agency=commune, day=day))
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"000.12.22.H56-{day:%y%m%d}-{n:04d}" for n in range(1, 21)]


def test_too_many_files_or_too_much_in_total_is_refused_with_the_limit_named(citizen, birth, commune, settings):
    from django.core.exceptions import ValidationError

    from dossiers.services import attachment_add, dossier_start

    dossier = dossier_start(applicant=citizen, version=birth, agency=commune)
    settings.DOSSIER_MAX_FILES = 1
    attachment_add(dossier=dossier, required_document=None, upload=pdf_upload("mot.pdf"), by=citizen, replace=False)
    with pytest.raises(ValidationError) as error:
        attachment_add(dossier=dossier, required_document=None, upload=pdf_upload("hai.pdf"), by=citizen, replace=False)
    assert "tối đa 1 tệp" in " ".join(error.value.messages)

    settings.DOSSIER_MAX_FILES = 10
    settings.DOSSIER_MAX_TOTAL_BYTES = 3000
    with pytest.raises(ValidationError) as error:
        attachment_add(
            dossier=dossier, required_document=None, upload=pdf_upload("lon.pdf", size=2990), by=citizen, replace=False
        )
    assert "“lon.pdf”" in " ".join(error.value.messages)
    assert [a.original_name for a in dossier.attachments.all()] == ["mot.pdf"]


def test_a_yes_no_answer_survives_the_round_trip_and_the_dossier_can_be_submitted(client, citizen, commune):
    from dossiers.services import dossier_problems
    from tests.factories import published_procedure

    version = published_procedure(
        code="1.000894",
        agencies=[commune],
        documents=[],
        form_schema=[{"name": "da_ket_hon", "label": "Đã từng kết hôn", "type": "yesno", "required": True}],
    )
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[version.procedure.code]), {"agency": commune.pk})
    dossier = Dossier.objects.get()
    client.post(reverse("dossiers:step_form", args=[dossier.reference]), {"da_ket_hon": "no"})
    dossier.refresh_from_db()
    assert dossier.form_data == {"da_ket_hon": "no"}
    page = client.get(reverse("dossiers:step_form", args=[dossier.reference])).content.decode()
    assert re.search(r'value="no"[^>]*checked', page)
    client.post(reverse("dossiers:step_delivery", args=[dossier.reference]), {"result_delivery": "desk"})
    assert dossier_problems(dossier=Dossier.objects.get()) == []


def test_the_same_submission_key_twice_returns_the_same_dossier(citizen, birth, commune):
    from dossiers.services import (
        attachment_add,
        dossier_save_applicant,
        dossier_save_delivery,
        dossier_save_form,
        dossier_start,
        dossier_submit,
    )

    dossier = dossier_start(applicant=citizen, version=birth, agency=commune)
    dossier_save_applicant(dossier=dossier, data={"full_name": "Lê Thị Hoa", "phone": "0912345678"})
    dossier_save_form(dossier=dossier, data={"ho_ten": "An"})
    attachment_add(dossier=dossier, required_document=birth.documents.get(), upload=pdf_upload(), by=citizen)
    dossier_save_delivery(dossier=dossier, delivery="desk")
    key = uuid.uuid4()
    first = dossier_submit(dossier=dossier, by=citizen, submission_key=key)
    again = dossier_submit(dossier=dossier, by=citizen, submission_key=key)
    assert first.pk == again.pk and first.code == again.code
    assert DossierEvent.objects.filter(dossier=first).count() == 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())
    with pytest.raises(ValidationError):  # files of a submitted dossier do not change
        attachment_add(dossier=dossier, required_document=birth.documents.get(), upload=pdf_upload(), by=citizen)


def test_staff_of_another_agency_get_404_for_the_dossier_its_file_and_its_receipt(client, citizen, birth, commune):
    from accounts.constants import Role
    from tests.factories import AgencyFactory, StaffMembershipFactory

    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    client.post(reverse("dossiers:step_review", args=[dossier.reference]), {"submission_key": str(uuid.uuid4())})
    attachment = dossier.attachments.get()
    own_clerk = StaffMembershipFactory(agency=commune, role=Role.CLERK).user
    other_clerk = StaffMembershipFactory(agency=AgencyFactory(code="000.13.22.H56"), role=Role.CLERK).user
    urls = [
        reverse("dossiers:detail", args=[dossier.reference]),
        reverse("dossiers:attachment", args=[attachment.pk]),
        reverse("dossiers:receipt", args=[dossier.reference]),
    ]
    client.force_login(other_clerk)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(own_clerk)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_a_request_body_larger_than_a_dossier_may_hold_is_refused_before_it_is_read(client, settings):
    settings.DOSSIER_MAX_TOTAL_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(reverse("dossiers:lookup"), {"code": "x" * 5000, "secret": "1234"})
    assert response.status_code == 413
    assert "tối đa" in response.content.decode()


def test_behind_nginx_the_file_is_sent_by_nginx_only_after_the_permission_check(
    client, settings, citizen, birth, commune
):
    """With MEDIA_ACCEL_PREFIX the portal answers with the headers and an internal redirect to the stored
    name (nginx sends the bytes); a stranger still gets 404 and no redirect."""
    settings.MEDIA_ACCEL_PREFIX = "/_protected/"
    client.force_login(citizen)
    dossier = _fill_draft(client, birth, commune)
    attachment = dossier.attachments.get()
    for url in (reverse("dossiers:attachment", args=[attachment.pk]), f"/api/v1/attachments/{attachment.pk}/file/"):
        response = client.get(url)
        assert response.status_code == 200 and response.content == b""
        assert response["X-Accel-Redirect"] == f"/_protected/{attachment.file.name}"
        assert 'filename="giay-chung-sinh.pdf"' in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "private, no-store"
    client.force_login(UserFactory())
    response = client.get(reverse("dossiers:attachment", args=[attachment.pk]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
