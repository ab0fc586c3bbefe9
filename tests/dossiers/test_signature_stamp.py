"""The visible stamp on a signed result, as a reader sees it: poppler renders the signed page to a PNG
(kept for a person to look at) and reads its text back, and the text must say who signed and when,
in whole words, inside the signature box."""

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from dossiers.signing import demo_pki_create, sign_pdf
from tests.conftest import artifacts_dir
from tests.dossiers.conftest import real_pdf
from tests.factories import AgencyFactory

POPPLER = all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext"))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not POPPLER and os.environ.get("CI", "").lower() != "true",
        reason="needs poppler's pdftoppm and pdftotext (apt-get install poppler-utils)",
    ),
]

LONG_NAME = "Phòng Lao động - Thương binh và Xã hội huyện Như Thanh"
STAMP_TIME = re.compile(r"Thời gian: (\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2})")


def poppler(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.fixture
def signed(settings, tmp_path) -> Path:
    """A one-page A4 PDF signed by an agency with a long Vietnamese name, on disk."""
    agency = AgencyFactory(code="000.05.22.H56", name=LONG_NAME)
    settings.SIGNING_DIR = tmp_path / "signing"
    demo_pki_create(agencies=[agency])
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(
        sign_pdf(real_pdf(), agency=agency, url="https://motcua.example.vn/xac-thuc/ABCD-EFGH-JKLM/", reason="Kết quả")
    )
    return path


def signature_box(path: Path) -> tuple[float, float, float, float]:
    """The signature widget's rectangle on the last page, in points from the bottom left."""
    page = PdfReader(path).pages[-1]
    widget = next(a.get_object() for a in page["/Annots"] if a.get_object().get("/Subtype") == "/Widget")
    left, bottom, right, top = (float(value) for value in widget["/Rect"])
    return left, bottom, right, top


def test_the_stamp_reads_who_signed_in_whole_words_and_when_in_the_portals_time(signed):
    png = artifacts_dir() / "signature-stamp"
    poppler("pdftoppm", "-png", "-r", "100", "-singlefile", str(signed), str(png))
    left, bottom, right, top = signature_box(signed)
    with Image.open(png.with_suffix(".png")) as image:  # the whole page, for a person to look at
        dots = image.width / 595  # per point
        stamp = image.convert("L").crop(
            (round(left * dots), round((842 - top) * dots), round(right * dots), round((842 - bottom) * dots))
        )
        assert stamp.getextrema()[0] < 100  # something dark is drawn in the box

    text = " ".join(poppler("pdftotext", "-raw", str(signed), "-").split())
    assert f"Ký bởi: {LONG_NAME}" in text  # the full name from our record, each word's letters together
    assert "Xác thực: quét mã QR" in text
    shown = STAMP_TIME.search(text)
    assert shown, text
    when = datetime.strptime(shown.group(1), "%d/%m/%Y %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert abs(datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - when) < timedelta(minutes=5)  # not UTC


def test_the_stamps_text_stays_inside_the_signature_box_at_a_readable_size(signed):
    left, bottom, right, top = signature_box(signed)
    assert 0 <= left < right <= 595 and 0 <= bottom < top <= 842  # on the A4 page, bottom right
    assert right > 595 / 2 and top < 842 / 4

    # poppler's own answer about the file this test just made: not untrusted input
    layout = ET.fromstring(poppler("pdftotext", "-bbox-layout", str(signed), "-"))  # noqa: S314
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    height = float(layout.find(".//x:page", namespace).get("height"))
    lines = layout.findall(".//x:line", namespace)
    assert len(lines) >= 4  # the name on two lines, the time, the QR line
    for line in lines:
        words = " ".join(word.text for word in line.findall("x:word", namespace))
        x_min, x_max = float(line.get("xMin")), float(line.get("xMax"))
        y_min, y_max = height - float(line.get("yMax")), height - float(line.get("yMin"))  # PDF's y goes up
        assert left <= x_min and x_max <= right, f"{words!r} runs out of the box sideways"
        assert bottom <= y_min and y_max <= top, f"{words!r} runs out of the box"
        assert y_max - y_min >= 7, f"{words!r} is set smaller than 7 pt"
