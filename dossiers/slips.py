"""Printable slips as PDF, rendered from HTML templates by WeasyPrint with the portal's own fonts
(DejaVu Sans, shipped in static/fonts and embedded in every PDF, so a slip prints the same anywhere)."""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

import qrcode
import qrcode.image.svg

from procedures.money import dong

from .constants import SlipKind, Status, Timeliness
from .links import lookup_url
from .models import Dossier, Slip
from .selectors import step_timeliness

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: it needs Pango, which only slip rendering uses

    with translation.override("vi"):  # an official form: always in Vietnamese
        html = render_to_string(template, {**context, "font_dir": FONTS.as_uri()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def receipt_context(dossier: Dossier) -> dict:
    counts = Counter(a.required_document_id for a in dossier.attachments.all())
    documents = [
        {"name": document.name, "copy_type": document.get_copy_type_display(), "copies": document.copies}
        for document in dossier.procedure_version.documents.all()
        if counts.get(document.pk)
    ]
    url = lookup_url(dossier)
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "agency": dossier.agency,
        "applicant": dossier.applicant_data or {},
        "documents": documents,
        "received_at": dossier.received_at or dossier.submitted_at,
        "provisional": dossier.status == Status.SUBMITTED,
        "lookup_url": url,
        "qr": qr_svg(url),
    }


def receipt_pdf(dossier: Dossier) -> bytes:
    """Slip 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    return _render_pdf("dossiers/slips/receipt.html", receipt_context(dossier))


SLIP_TEMPLATES = {
    SlipKind.SUPPLEMENT: "dossiers/slips/supplement.html",
    SlipKind.REFUSAL: "dossiers/slips/refusal.html",
    SlipKind.APOLOGY: "dossiers/slips/apology.html",
    SlipKind.STOP: "dossiers/slips/stop.html",
}


def slip_pdf(slip: Slip) -> bytes:
    """Slips 02 (supplement), 03 (refusal), 04 (apology), 05 (stop) as issued: from the slip's own
    record, so a reprint says exactly what the first print said."""
    if slip.kind == SlipKind.RECEIPT:
        return receipt_pdf(slip.dossier)
    data = slip.data or {}
    context = {
        "slip": slip,
        "dossier": slip.dossier,
        "agency": slip.dossier.agency,
        "issued_at": slip.created_at,
        "due_at": parse_datetime(data["due_at"]) if data.get("due_at") else None,
        "new_appointment": parse_datetime(data["new_appointment"]) if data.get("new_appointment") else None,
    }
    return _render_pdf(SLIP_TEMPLATES[slip.kind], context)


def control_sheet_pdf(dossier: Dossier) -> bytes:
    """Slip 06 (2018 numbering 05): one row per hand-off with its times and early/on time/late."""
    steps = list(dossier.steps.select_related("agency", "assignee", "handed_by").order_by("order"))
    rows = []
    previous = None
    with translation.override("vi"):
        for step in steps:
            judged = Timeliness(step_timeliness(step=step)).label
            rows.append({"step": step, "judged": str(judged), "from_agency": previous.agency.name if previous else ""})
            previous = step
    context = {"dossier": dossier, "agency": dossier.agency, "rows": rows, "issued_at": timezone.now()}
    return _render_pdf("dossiers/slips/control_sheet.html", context)


def fee_receipt_pdf(payment) -> bytes:
    """The fee receipt of an online payment (issued once the gateway confirmed it)."""
    dossier = payment.dossier
    context = {
        "payment": payment,
        "dossier": dossier,
        "agency": dossier.agency,
        "issued_at": payment.paid_at,
        "amount": dong(payment.amount),
        "lookup_url": lookup_url(dossier),
    }
    return _render_pdf("dossiers/slips/fee_receipt.html", context)
