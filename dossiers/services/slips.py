"""Slips as issued. When the desk issues a slip (receipt, supplement request, refusal, apology, stop
notice, control sheet), the slip's row records everything it prints: the form of the day and its legal
basis, the unit, the applicant, the procedure, the times, the documents, the reason. A reprint renders
that record, never the dossier as it is now, so it says what the first print said; a later appointment
(the complete dossier after a supplement) is a receipt of its own.
"""

from collections import Counter
from datetime import datetime

from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from accounts.models import User
from procedures.constants import CopyType

from ..constants import Channel, ResultDelivery, SlipKind
from ..links import lookup_url
from ..models import Dossier, DossierEvent, Slip
from ..official_forms import official_form
from ..selectors import step_timeliness

SNAPSHOT_VERSION = 2
# Item 6 of the receipt, "Đăng ký nhận kết quả tại: …", as the form reads (an official text, in Vietnamese).
RECEIPT_DELIVERY = {
    ResultDelivery.DESK: "Bộ phận Một cửa",
    ResultDelivery.POST: "Dịch vụ bưu chính công ích, theo địa chỉ",
    ResultDelivery.ONLINE: "Trực tuyến, bản điện tử trên Cổng dịch vụ công",
}


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def snapshot_time(value) -> datetime | None:
    """A time a slip recorded (ISO text, as ``_when`` writes it; a slip recorded before that may hold a
    naive one) as a local datetime; None when there is none."""
    if isinstance(value, datetime):
        return timezone.localtime(value)
    moment = parse_datetime(value) if isinstance(value, str) and value else None
    if moment is None:
        return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)


def slip_header(*, dossier: Dossier, kind: str, at: datetime, by: User | None) -> dict:
    """What every slip prints: its form, the unit that issues it, the dossier and the applicant."""
    agency = dossier.agency
    applicant = dossier.applicant_data or {}
    return {
        "v": SNAPSHOT_VERSION,
        "form": official_form(kind, timezone.localdate(at)).as_data(),
        "agency": {
            "name": agency.name,
            "parent": agency.parent.name if agency.parent_id else "",
            "phone": agency.phone,
            "address": agency.address,
        },
        "code": dossier.code or "",
        "procedure": dossier.procedure_version.name,
        "applicant": {key: applicant.get(key, "") for key in ("full_name", "citizen_id", "phone", "email", "address")},
        "issued_at": _when(at),
        "issued_by": by.full_name if by else "",
    }


def receipt_content(*, dossier: Dossier, by: User | None, resubmission: bool = False) -> dict:
    """Slip 01: the documents handed in, when the dossier was received, the appointment, where the
    result is returned, the lookup link."""
    counts = Counter(a.required_document_id for a in dossier.attachments.all() if not a.is_result)
    with translation.override("vi"):
        documents = [
            {"name": document.name, "copy_type": str(CopyType(document.copy_type).label), "copies": document.copies}
            for document in dossier.procedure_version.documents.all()
            if counts.get(document.pk)
        ]
    delivery = RECEIPT_DELIVERY.get(dossier.result_delivery, "")
    received_at = timezone.now() if resubmission else (dossier.received_at or dossier.submitted_at)
    staff_receiver = by is not None and by.pk != dossier.applicant_id
    return {
        "documents": documents,
        "received_at": _when(received_at),
        "due_at": _when(dossier.due_at),
        "processing_days": f"{dossier.procedure_version.processing_days.normalize():f}",
        "delivery": delivery,
        "delivery_address": dossier.delivery_address,
        "lookup_url": lookup_url(dossier),
        "online": dossier.channel == Channel.ONLINE,
        "receiver": by.full_name if staff_receiver else "",
        "resubmission": resubmission,
    }


def control_sheet_rows(*, dossier: Dossier, now: datetime | None = None) -> list[dict]:
    """Slip 05/06: one row per stretch of the route, with who gave and who took the dossier, when,
    against which time, and early / on time / late."""
    from ..constants import Timeliness

    steps = list(dossier.steps.select_related("agency", "assignee", "handed_by").order_by("order"))
    rows, previous = [], None
    with translation.override("vi"):
        for step in steps:
            rows.append(
                {
                    "order": step.order,
                    "step": step.name,
                    "from_agency": previous.agency.name if previous else "",
                    "agency": step.agency.name,
                    "handed_by": step.handed_by.full_name if step.handed_by else "",
                    "receiver": step.assignee.full_name if step.assignee else step.agency.name,
                    "started_at": _when(step.started_at),
                    "due_at": _when(step.due_at),
                    "finished_at": _when(step.finished_at),
                    "judged": str(Timeliness(step_timeliness(step=step, now=now)).label),
                }
            )
            previous = step
    return rows


def control_sheet_content(*, dossier: Dossier) -> dict:
    return {
        "rows": control_sheet_rows(dossier=dossier),
        "received_at": _when(dossier.received_at),
        "due_at": _when(dossier.due_at),
        "new_appointment_at": _when(dossier.new_appointment_at),
    }


def slip_issue(*, dossier: Dossier, kind: str, by: User | None, event: DossierEvent | None = None, **content) -> Slip:
    """Record slip ``kind`` as it is issued now: the header, the kind's own content (receipt and control
    sheet are read from the dossier now), and ``content`` (reason, missing documents, appointment)."""
    now = timezone.now()
    data = slip_header(dossier=dossier, kind=kind, at=now, by=by)
    if kind == SlipKind.RECEIPT:
        data |= receipt_content(dossier=dossier, by=by, resubmission=content.pop("resubmission", False))
    elif kind == SlipKind.CONTROL_SHEET:
        data |= control_sheet_content(dossier=dossier)
    data |= content
    return Slip.objects.create(dossier=dossier, kind=kind, event=event, issued_by=by, data=data)


def control_sheet_issue(*, dossier: Dossier, by: User) -> Slip:
    """The control sheet as the route stands now: the last one issued when nothing has changed since
    (printing twice does not make two sheets), a new one otherwise."""
    content = control_sheet_content(dossier=dossier)
    last = dossier.slips.filter(kind=SlipKind.CONTROL_SHEET).order_by("-created_at", "-pk").first()
    if last is not None and all(last.data.get(key) == value for key, value in content.items()):
        return last
    return slip_issue(dossier=dossier, kind=SlipKind.CONTROL_SHEET, by=by)
