from tests.browser import CHROMIUM_ARGS, PHONE, PHONE_390  # noqa: F401 (used by the tests)

DEMO_UNIT = "000.10.22.H56"  # UBND thị trấn Bến Sung
LEVEL_4 = "1.004873"  # Giấy xác nhận tình trạng hôn nhân: level 4, 15.000 đ


def log_in(page, base: str, identifier: str, password: str | None = None) -> None:
    """Log in as ``identifier`` (email or phone) from the login page, leaving any earlier session."""
    from accounts.demo import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Email hoặc số điện thoại").fill(identifier)
    page.get_by_label("Mật khẩu").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def demo_level4_submitted(*, delivery: str = "online"):
    """The demo citizen's level-4 dossier at Bến Sung, made through the services and submitted online
    (the demo must be loaded)."""
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from dossiers.demo_history import _answers
    from dossiers.services import (
        attachment_add,
        dossier_save_applicant,
        dossier_save_delivery,
        dossier_save_form,
        dossier_start,
        dossier_submit,
    )
    from procedures.selectors import procedure_get_current
    from tests.dossiers.conftest import real_pdf

    citizen = User.objects.get(email="congdan@demo.vn")
    version = procedure_get_current(code=LEVEL_4)
    dossier = dossier_start(applicant=citizen, version=version, agency=version.agencies.get(code=DEMO_UNIT))
    dossier_save_applicant(
        dossier=dossier,
        data={"full_name": citizen.full_name, "phone": citizen.phone, "email": citizen.email, "address": "Khu 3"},
    )
    dossier_save_form(dossier=dossier, data=_answers(version))
    for document in version.documents.filter(mandatory=True):
        upload = SimpleUploadedFile("giay-to.pdf", real_pdf("GIAY TO"), content_type="application/pdf")
        attachment_add(dossier=dossier, required_document=document, upload=upload, by=citizen)
    dossier_save_delivery(dossier=dossier, delivery=delivery)
    return dossier_submit(dossier=dossier, by=citizen, submission_key=uuid.uuid4())
