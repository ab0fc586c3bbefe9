import io

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from tests.factories import AgencyFactory, UserFactory, published_procedure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


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
