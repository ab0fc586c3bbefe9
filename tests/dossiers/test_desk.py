import re
import uuid

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.constants import Role
from accounts.models import User
from dossiers.constants import Channel, Status
from dossiers.models import Dossier
from tests.dossiers.conftest import pdf_upload
from tests.factories import AgencyFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, commune):
    user = StaffMembershipFactory(agency=commune, role=Role.CLERK, user__full_name="Trần Thị Bình").user
    client.force_login(user)
    return user


def _intake(client, citizen, birth, commune, key=None, upload=None):
    document = birth.documents.get()
    return client.post(
        reverse("dossiers:desk_intake", args=[citizen.pk]),
        {
            "thu_tuc": birth.procedure.code,
            "co_quan": commune.pk,
            "tk-ho_ten": "Nguyễn Minh An",
            f"doc_{document.pk}": upload or pdf_upload("ban-scan.pdf"),
            "result_delivery": "desk",
            "submission_key": str(key or uuid.uuid4()),
        },
    )


def test_a_clerk_finds_a_citizen_by_id_and_registers_a_received_dossier(client, clerk, citizen, birth, commune):
    page = client.get(reverse("dossiers:desk_citizen"), {"query": "038190001234"}).content.decode()
    assert "Lê Thị Hoa" in page
    assert reverse("dossiers:desk_intake", args=[citizen.pk]) in page

    response = _intake(client, citizen, birth, commune)

    dossier = Dossier.objects.get()
    assert response.url == dossier.get_absolute_url()
    assert (dossier.status, dossier.national_status_code, dossier.channel) == (Status.RECEIVED, 2, Channel.DIRECT)
    assert dossier.received_at is not None and dossier.due_at > dossier.received_at
    assert dossier.created_by == clerk and dossier.applicant == citizen
    assert dossier.code.startswith("000.12.22.H56-")
    assert dossier.attachments.get().original_name == "ban-scan.pdf"
    assert dossier.events.get().to_status == Status.RECEIVED


def test_a_clerk_opens_an_account_for_a_walk_in_citizen_who_gets_a_set_password_link(
    client, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dossiers:desk_citizen"),
            {"full_name": "Phạm Văn Tư", "citizen_id": "038080004321", "phone": "0977000111", "email": "tu@example.vn"},
        )
    citizen = User.objects.get(citizen_id="038080004321")
    assert response.url == reverse("dossiers:desk_intake", args=[citizen.pk])
    assert not citizen.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["tu@example.vn"]
    assert re.search(r"/dat-mat-khau/\S+/\S+/", message.body)


def test_a_replayed_intake_form_makes_one_dossier(client, clerk, citizen, birth, commune):
    key = uuid.uuid4()
    _intake(client, citizen, birth, commune, key=key)
    _intake(client, citizen, birth, commune, key=key)
    assert Dossier.objects.count() == 1


def test_a_bad_scan_is_refused_and_no_dossier_is_made(client, clerk, citizen, birth, commune):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _intake(client, citizen, birth, commune, upload=SimpleUploadedFile("scan.pdf", b"not a pdf at all"))
    assert response.status_code == 400
    assert "“scan.pdf” không phải tệp PDF, JPEG, PNG" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_clerk_of_another_commune_cannot_take_dossiers_for_this_one(client, citizen, birth, commune):
    other = AgencyFactory(code="000.13.22.H56")
    client.force_login(StaffMembershipFactory(agency=other, role=Role.CLERK).user)
    page = client.get(reverse("dossiers:desk_intake", args=[citizen.pk]), {"thu_tuc": birth.procedure.code})
    assert "Thủ tục đăng ký khai sinh" not in page.content.decode()  # not offered at this unit
    response = _intake(client, citizen, birth, commune)  # naming the other commune does not help
    assert response.status_code == 404
    assert not Dossier.objects.exists()


def test_a_citizen_cannot_open_the_desk(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("dossiers:desk_citizen")).status_code == 403


def test_the_receipt_pdf_carries_the_form_fields_and_embeds_its_fonts(client, clerk, citizen, birth, commune):
    from io import BytesIO

    from pypdf import PdfReader

    _intake(client, citizen, birth, commune)
    dossier = Dossier.objects.get()
    response = client.get(reverse("dossiers:receipt", args=[dossier.reference]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        dossier.code,
        "Lê Thị Hoa",
        "0912345678",
        "Thủ tục đăng ký khai sinh",
        "Tờ khai đăng ký khai sinh",
        "3 ngày làm việc",
        f"ngày {timezone.localtime(dossier.received_at):%d/%m/%Y}",
        "Đăng ký nhận kết quả tại: Bộ phận Một cửa",
        "UBND XÃ XUÂN DU",
        "Mẫu số 01",  # the form of the day, with its circular
        "Thông tư số 03/2025/TT-VPCP",
    ]:
        assert expected in text, expected
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert all(
        "/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts
    )


def test_the_desk_does_not_open_staff_accounts_or_another_units_desk(client, clerk, citizen, birth, commune):
    colleague = StaffMembershipFactory(agency=commune, role=Role.SPECIALIST).user
    assert client.get(reverse("dossiers:desk_intake", args=[colleague.pk])).status_code == 404
    page = client.get(reverse("dossiers:desk_citizen"), {"query": colleague.email}).content.decode()
    assert 'data-testid="found-citizen"' not in page
    other = AgencyFactory(code="000.14.22.H56")
    response = client.get(reverse("dossiers:desk_intake", args=[citizen.pk]), {"co_quan": other.pk})
    assert response.status_code == 404


def test_a_walk_in_dossier_starts_its_route_at_the_desk_and_can_be_handed_on(client, clerk, citizen, birth, commune):
    from dossiers.services import dossier_hand_over

    _intake(client, citizen, birth, commune)
    dossier = Dossier.objects.get()
    assert (dossier.current_agency, dossier.current_assignee) == (commune, clerk)
    [step] = dossier.steps.all()
    assert (step.agency, step.assignee, step.finished_at) == (commune, clerk, None)
    dossier = dossier_hand_over(dossier=dossier, by=clerk, to_agency=commune, reason="Tự xử lý").dossier
    assert dossier.status == Status.PROCESSING and dossier.steps.count() == 2
