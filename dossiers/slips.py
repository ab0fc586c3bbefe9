"""Printable slips as PDF, rendered from HTML templates by WeasyPrint with the portal's own fonts
(DejaVu Sans, shipped in static/fonts and embedded in every PDF, so a slip prints the same anywhere).
A slip is rendered from what it recorded when it was issued (``services/slips.py``)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

import qrcode
import qrcode.image.svg

from procedures.money import dong

from .constants import SlipKind
from .links import lookup_url
from .models import Dossier, Slip
from .services.slips import (
    SNAPSHOT_VERSION,
    control_sheet_content,
    receipt_content,
    slip_header,
    snapshot_time,
)

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def render_pdf(template: str, context: dict) -> bytes:
    """``template`` rendered in Vietnamese (an official form) as a PDF with the portal's fonts embedded."""
    from weasyprint import HTML  # imported here: it needs Pango, which only slip rendering uses

    with translation.override("vi"):  # an official form: always in Vietnamese
        html = render_to_string(template, {**context, "font_dir": FONTS.as_uri()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


_render_pdf = render_pdf  # the name the slips use


def _dates(value):
    """The snapshot as the templates read it: every ``..._at`` value a local datetime."""
    if isinstance(value, dict):
        return {
            key: (snapshot_time(item) if key.endswith("_at") and isinstance(item, str) else _dates(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_dates(item) for item in value]
    return value


def slip_snapshot(slip: Slip) -> dict:
    """What ``slip`` printed when it was issued. Slips issued before the portal recorded everything
    (snapshot version 1) are completed from the dossier as it is now, the best that is known."""
    data = dict(slip.data or {})
    if data.get("v") == SNAPSHOT_VERSION:
        return data
    dossier = slip.dossier
    legacy = slip_header(dossier=dossier, kind=slip.kind, at=slip.created_at, by=slip.issued_by)
    if slip.kind == SlipKind.RECEIPT:
        legacy |= receipt_content(dossier=dossier, by=slip.issued_by)
    elif slip.kind == SlipKind.CONTROL_SHEET:
        legacy |= control_sheet_content(dossier=dossier)
    if "new_appointment" in data:
        data["new_appointment_at"] = data.pop("new_appointment")
    return legacy | data


SLIP_TEMPLATES = {
    SlipKind.RECEIPT: "dossiers/slips/receipt.html",
    SlipKind.SUPPLEMENT: "dossiers/slips/supplement.html",
    SlipKind.REFUSAL: "dossiers/slips/refusal.html",
    SlipKind.APOLOGY: "dossiers/slips/apology.html",
    SlipKind.STOP: "dossiers/slips/stop.html",
    SlipKind.CONTROL_SHEET: "dossiers/slips/control_sheet.html",
}


def slip_pdf(slip: Slip) -> bytes:
    """Any slip (01 receipt to 06 control sheet) as issued: rendered from the slip's own record, so a
    reprint says exactly what the first print said."""
    snapshot = _dates(slip_snapshot(slip))
    context = {"s": snapshot, "slip": slip}
    if slip.kind == SlipKind.RECEIPT and snapshot.get("lookup_url"):
        context["qr"] = qr_svg(snapshot["lookup_url"])
    return _render_pdf(SLIP_TEMPLATES[slip.kind], context)


def submission_acknowledgement_pdf(dossier: Dossier) -> bytes:
    """For an online dossier the desk has not received yet: the acknowledgement that it was submitted,
    with the provisional appointment. Not a slip (the receipt comes at reception)."""
    snapshot = slip_header(dossier=dossier, kind=SlipKind.RECEIPT, at=timezone.now(), by=None)
    snapshot |= receipt_content(dossier=dossier, by=None)
    url = snapshot["lookup_url"]
    return _render_pdf("dossiers/slips/submitted.html", {"s": _dates(snapshot), "qr": qr_svg(url)})


def fee_receipt_pdf(payment) -> bytes:
    """The fee receipt of an online payment (issued once the gateway confirmed it)."""
    dossier = payment.dossier
    context = {
        "payment": payment,
        "dossier": dossier,
        "agency": dossier.agency,
        "s": {
            "agency": {
                "name": dossier.agency.name,
                "parent": dossier.agency.parent.name if dossier.agency.parent_id else "",
            },
            "issued_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
        },
        "amount": dong(payment.amount),
        "lookup_url": lookup_url(dossier),
    }
    return _render_pdf("dossiers/slips/fee_receipt.html", context)
