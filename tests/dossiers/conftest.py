import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from accounts.constants import Role
from procedures.constants import AgencyLevel, StepRole
from procedures.services import StepData
from tests.factories import AgencyFactory, StaffMembershipFactory, UserFactory, published_procedure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def real_pdf(text="QUYET DINH") -> bytes:
    """A real one-page A4 PDF (one a signature can be added to), made by pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def real_pdf_upload(name="ket-qua.pdf", text="QUYET DINH"):
    return SimpleUploadedFile(name, real_pdf(text), content_type="application/pdf")


@pytest.fixture
def pki(settings, tmp_path, network):
    """Demo signing credentials for the network's commune, department and district."""
    from dossiers.signing import demo_pki_create

    settings.SIGNING_DIR = tmp_path / "signing"
    assert demo_pki_create(agencies=[network["commune"], network["department"], network["district"]]) == 3
    return settings.SIGNING_DIR


def pdf_upload(name="giay-chung-sinh.pdf", size=None):
    content = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def commune():
    return AgencyFactory(code="000.12.22.H56", name="UBND xã Xuân Du")


@pytest.fixture
def birth(commune):
    return published_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", agencies=[commune])


@pytest.fixture
def citizen():
    return UserFactory(full_name="Lê Thị Hoa", email="hoa@example.vn", phone="0912345678", citizen_id="038190001234")


def submit_online(*, citizen, version, agency, when=None, form_data=None):
    """A complete online dossier submitted through the services (at ``when`` if given)."""
    import uuid
    from unittest import mock

    from django.utils import timezone

    from dossiers.services import (
        attachment_add,
        dossier_save_applicant,
        dossier_save_delivery,
        dossier_save_form,
        dossier_start,
        dossier_submit,
    )

    dossier = dossier_start(applicant=citizen, version=version, agency=agency)
    dossier_save_applicant(
        dossier=dossier, data={"full_name": citizen.full_name, "phone": "0912345678", "email": citizen.email or ""}
    )
    dossier_save_form(dossier=dossier, data=form_data or {"ho_ten": "Nguyễn Minh An"})
    for document in version.documents.filter(mandatory=True):
        attachment_add(dossier=dossier, required_document=document, upload=pdf_upload(), by=citizen)
    dossier_save_delivery(dossier=dossier, delivery="desk")
    with mock.patch.object(timezone, "now", return_value=when or timezone.now()):
        return dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())


@pytest.fixture
def district():
    return AgencyFactory(district=True, code="000.00.22.H56", name="UBND huyện Như Thanh")


@pytest.fixture
def network(district):
    commune = AgencyFactory(code="000.12.22.H56", name="UBND xã Xuân Du", parent=district)
    department = AgencyFactory(department=True, code="000.04.22.H56", name="Phòng LĐ-TB&XH", parent=district)
    return {
        "district": district,
        "commune": commune,
        "department": department,
        "clerk": StaffMembershipFactory(agency=commune, role=Role.CLERK, user__full_name="Trần Thị Bình").user,
        "specialist": StaffMembershipFactory(agency=department, role=Role.SPECIALIST).user,
        "leader": StaffMembershipFactory(agency=district, role=Role.LEADER).user,
        "other_clerk": StaffMembershipFactory(
            agency=AgencyFactory(code="000.13.22.H56", parent=district), role=Role.CLERK
        ).user,
    }


@pytest.fixture
def allowance(network):
    """A joint procedure: commune desk → district department → district leader → commune desk."""
    return published_procedure(
        code="1.001776",
        name="Trợ cấp xã hội hằng tháng",
        agency_level=AgencyLevel.DISTRICT,
        agencies=[network["commune"]],
        processing_days=Decimal("10"),
        steps=[
            StepData(name="Tiếp nhận", role=StepRole.CLERK, days=Decimal("0.5")),
            StepData(name="Thẩm định", role=StepRole.SPECIALIST, days=Decimal("6"), agency=network["department"]),
            StepData(name="Phê duyệt", role=StepRole.LEADER, days=Decimal("3"), agency=network["district"]),
            StepData(name="Trả kết quả", role=StepRole.CLERK, days=Decimal("0.5")),
        ],
    )


@pytest.fixture
def fill_queue(citizen, network, allowance):
    """Add ``n`` dossiers to the commune's queue, every other one received (held and assigned), so a
    page shows the related rows a query-count test must cover."""
    from dossiers.services import dossier_receive

    def add(n):
        for i in range(n):
            dossier = submit_online(citizen=citizen, version=allowance, agency=network["commune"])
            if i % 2:
                dossier_receive(dossier=dossier, by=network["clerk"])

    return add


def at_once(action, people) -> list[str]:
    """``action(person)`` for each of ``people`` in threads released together (each with its own
    database connection, closed after): "ok" or "changed" (``DossierChanged``) for each, sorted."""
    import threading

    from django.db import connection

    from dossiers.services import DossierChanged

    results, barrier = [], threading.Barrier(len(people))

    def run(person):
        try:
            barrier.wait()
            action(person)
            results.append("ok")
        except DossierChanged:
            results.append("changed")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)
