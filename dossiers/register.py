"""The dossier register of a one-stop desk (sổ theo dõi hồ sơ: form 06 of Circular 01/2018/TT-VPCP,
form 07 of Circular 03/2025/TT-VPCP): one row per dossier the desk received in a range of days, each
column filled from what was recorded (the reception and later events, the route's steps, the receipt as
issued), never guessed. Read by ``register_rows``; laid out as XLSX and PDF by ``register_xlsx`` and
``register_pdf``.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext, pgettext_lazy

from accounts.constants import Role
from accounts.models import Agency, User
from accounts.selectors import membership_list_active
from onestop.spreadsheet import spreadsheet_text, xlsx_keep_text

from .constants import Channel, EventKind, SlipKind, Status
from .models import Dossier, DossierEvent, DossierStep, Slip
from .official_forms import REGISTER, OfficialForm, official_form
from .selectors import clerk_agencies
from .services.slips import snapshot_time

MAX_DAYS = 366  # both days included

# The headings of the official form, in its order; the five dates are grouped under one heading.
HEADINGS = [
    pgettext_lazy("dossier register", "No."),
    pgettext_lazy("dossier register", "Dossier code"),
    pgettext_lazy("dossier register", "Administrative procedure"),
    pgettext_lazy("dossier register", "Number of dossiers (sets)"),
    pgettext_lazy("dossier register", "Individual or organisation"),
    pgettext_lazy("dossier register", "Address, phone number"),
    pgettext_lazy("dossier register", "Agency in charge of processing"),
    pgettext_lazy("dossier register", "Dossier received"),
    pgettext_lazy("dossier register", "Appointment for the result"),
    pgettext_lazy("dossier register", "Dossier sent to the processing agency"),
    pgettext_lazy("dossier register", "Result received from the processing agency"),
    pgettext_lazy("dossier register", "Result returned to the individual or organisation"),
    pgettext_lazy("dossier register", "Signature"),
    pgettext_lazy("dossier register", "Notes"),
]
DATES_HEADING = pgettext_lazy("dossier register", "Day, month, year")
COLUMN_NUMBERS = [f"({n})" for n in range(1, len(HEADINGS) + 1)]  # the numbering row under the headings
DATE_COLUMNS = range(7, 12)  # zero-based: the columns under DATES_HEADING
WHEN = "%H:%M %d/%m/%Y"
DAY = "%d/%m/%Y"


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register: what the desk received, and what became of it."""

    number: int
    reference: UUID
    code: str
    procedure: str
    copies: int
    applicant: str
    address_phone: str
    processing_units: str
    received_at: datetime
    appointment_at: datetime | None
    handed_over_at: datetime | None
    result_received_at: datetime | None
    returned_at: datetime | None
    notes: str
    signature: str = ""  # signed on paper by the person who takes the result

    def cells(self) -> list:
        """The 14 columns as the form prints them (times as ``HH:MM dd/mm/yyyy``)."""
        return [
            self.number,
            self.code,
            self.procedure,
            self.copies,
            self.applicant,
            self.address_phone,
            self.processing_units,
            *(_when(moment) for moment in self.dates),
            self.signature,
            self.notes,
        ]

    @property
    def dates(self) -> list[datetime | None]:
        return [self.received_at, self.appointment_at, self.handed_over_at, self.result_received_at, self.returned_at]


@dataclass(frozen=True)
class RegisterSheet:
    """The register of ``agency`` for ``first_day``..``last_day`` with its official header."""

    agency: Agency
    parent_name: str
    first_day: date
    last_day: date
    form: OfficialForm
    rows: list[RegisterRow]

    @property
    def period_label(self) -> str:
        with translation.override("vi"):
            return pgettext("dossier register", "From %(first)s to %(last)s") % {
                "first": f"{self.first_day:{DAY}}",
                "last": f"{self.last_day:{DAY}}",
            }

    def file_name(self, extension: str) -> str:
        return f"so-theo-doi-{self.agency.code}-{self.first_day:%Y%m%d}-{self.last_day:%Y%m%d}.{extension}"


# ---- who may open which register -------------------------------------------------------------------


def register_desks(*, user: User) -> QuerySet[Agency]:
    """The units whose register ``user`` may open: where they are a desk clerk, and every unit under
    (or at) an agency they lead."""
    if not (user and user.is_authenticated and user.is_active):
        return Agency.objects.none()
    reach = Q(pk__in=clerk_agencies(user=user).values("pk"))
    for membership in membership_list_active(user=user, role=Role.LEADER):
        reach |= Q(path__startswith=membership.agency.path)
    return Agency.objects.filter(reach, is_active=True).order_by("path")


# ---- the read --------------------------------------------------------------------------------------


SLIP_KINDS = [SlipKind.RECEIPT, SlipKind.APOLOGY]  # the appointments as issued


def _reception_events() -> QuerySet[DossierEvent]:
    """The reception of a dossier: the status change into "received" (an online dossier at
    ``dossier_receive``, a walk-in at its creation); other events of a received dossier (a payment,
    an apology) keep the status and are not receptions."""
    return DossierEvent.objects.filter(kind=EventKind.STATUS, to_status=Status.RECEIVED).exclude(
        from_status=Status.RECEIVED
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def register_rows(*, agency: Agency, first_day: date, last_day: date) -> list[RegisterRow]:
    """The dossiers ``agency`` received from ``first_day`` to ``last_day`` (both included, local days),
    in the order of their reception, each with what was recorded of it. A constant number of queries."""
    start, end = _day_start(first_day), _day_start(last_day + timedelta(days=1))
    received = _reception_events().filter(created_at__gte=start, created_at__lt=end, dossier__agency=agency)
    first_reception = _reception_events().filter(dossier=OuterRef("pk")).order_by("created_at", "pk")
    dossiers = (
        Dossier.objects.filter(agency=agency, pk__in=received.values("dossier_id"))
        .annotate(reception_at=Subquery(first_reception.values("created_at")[:1]))
        .select_related("procedure_version", "agency")
        .prefetch_related(
            Prefetch("events", queryset=DossierEvent.objects.order_by("created_at", "pk")),
            Prefetch("steps", queryset=DossierStep.objects.select_related("agency").order_by("order")),
            Prefetch("slips", queryset=Slip.objects.filter(kind__in=SLIP_KINDS).order_by("created_at", "pk")),
        )
        .order_by("reception_at", "pk")
    )
    with translation.override("vi"):  # an official record: written in Vietnamese for everyone
        return [_row(number, dossier) for number, dossier in enumerate(dossiers, start=1)]


def _changed_to(event: DossierEvent, status: str) -> bool:
    return event.to_status == status and event.from_status != status


def _is_hand_over(event: DossierEvent) -> bool:
    """The dossier leaves the desk for processing: the first hand-off (received → processing) or any
    later one."""
    from_desk = event.from_status == Status.RECEIVED and event.to_status == Status.PROCESSING
    return from_desk or event.kind == EventKind.HANDOVER


def _first(events, test) -> DossierEvent | None:
    return next((event for event in events if test(event)), None)


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _row(number: int, dossier: Dossier) -> RegisterRow:
    events = list(dossier.events.all())
    steps = list(dossier.steps.all())
    slips = list(dossier.slips.all())
    reception = _first(events, lambda e: e.kind == EventKind.STATUS and _changed_to(e, Status.RECEIVED))
    after = [event for event in events if (event.created_at, event.pk) > (reception.created_at, reception.pk)]
    handed = _first(after, _is_hand_over)
    done = _first(after, lambda e: _changed_to(e, Status.DONE))
    returned = _first(after, lambda e: _changed_to(e, Status.RETURNED))
    receipt = _first(slips, lambda s: s.kind == SlipKind.RECEIPT)
    appointment = snapshot_time((receipt.data or {}).get("due_at")) if receipt else None
    applicant = dossier.applicant_data or {}
    contact = [str(applicant.get(key) or "").strip() for key in ("address", "phone")]
    return RegisterRow(
        number=number,
        reference=dossier.reference,
        code=dossier.code or "",
        procedure=dossier.procedure_version.name,
        copies=1,
        applicant=str(applicant.get("full_name") or ""),
        address_phone=", ".join(part for part in contact if part),
        processing_units=_processing_units(dossier, steps),
        received_at=timezone.localtime(reception.created_at),
        appointment_at=appointment or _local(dossier.due_at),
        handed_over_at=_local(handed.created_at) if handed else None,
        result_received_at=_local(done.created_at) if done else None,
        returned_at=_local(returned.created_at) if returned else None,
        notes="; ".join(_notes(dossier, events, slips)),
    )


def _processing_units(dossier: Dossier, steps: list[DossierStep]) -> str:
    """The units the dossier was handed to after its reception (the route's steps after the first),
    other than the receiving desk; the receiving unit when it never left it."""
    names: list[str] = []
    for step in steps[1:]:
        if step.agency_id != dossier.agency_id and step.agency.name not in names:
            names.append(step.agency.name)
    return "; ".join(names) if names else dossier.agency.name


CHANNELS = {
    Channel.ONLINE: pgettext_lazy("dossier register", "Online"),
    Channel.DIRECT: pgettext_lazy("dossier register", "At the desk"),
    Channel.POSTAL: pgettext_lazy("dossier register", "By post"),
}


RESUBMITTED = (Status.PROCESSING, Status.SUBMITTED)  # where the complete dossier goes after a supplement


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):{DAY}}"


def _notes(dossier: Dossier, events: list[DossierEvent], slips: list[Slip]) -> list[str]:
    """What a clerk notes in the last column, from the recorded events: the channel, supplements asked
    and received, apologies with the new appointment, withdrawal, stop, a result issued on paper and
    how the result was returned. Caller activates Vietnamese."""
    notes = [str(CHANNELS[dossier.channel])] if dossier.channel in CHANNELS else []
    slip_of = {slip.event_id: slip for slip in slips if slip.event_id}
    with translation.override(settings.LANGUAGE_CODE):  # how the services worded the event notes
        paper = gettext("Result issued on paper: %(reason)s").split("%(reason)s")[0]
    for event in events:
        day = _day(event.created_at)
        if _changed_to(event, Status.SUPPLEMENT_REQUESTED):
            notes.append(pgettext("dossier register", "Supplement requested %(day)s") % {"day": day})
        elif event.from_status == Status.SUPPLEMENT_REQUESTED and event.to_status in RESUBMITTED:
            notes.append(_resubmission(day, slip_of.get(event.pk)))
        if event.kind == EventKind.APOLOGY:
            slip = slip_of.get(event.pk)
            data = (slip.data or {}) if slip else {}
            new = snapshot_time(
                data.get("new_appointment_at") or data.get("new_appointment")
            )  # older slips: the latter
            if new:
                notes.append(pgettext("dossier register", "Apology, new appointment %(day)s") % {"day": f"{new:{DAY}}"})
            else:
                notes.append(pgettext("dossier register", "Apology %(day)s") % {"day": day})
        elif _changed_to(event, Status.WITHDRAWN):
            notes.append(pgettext("dossier register", "Withdrawn %(day)s") % {"day": day})
        elif _changed_to(event, Status.STOPPED):
            stopped = pgettext("dossier register", "Processing stopped %(day)s: %(reason)s")
            notes.append(stopped % {"day": day, "reason": event.note.strip()})
        elif _changed_to(event, Status.DONE) and paper and event.note.startswith(paper):
            notes.append(event.note.strip())  # the result issued on paper, and why
        elif _changed_to(event, Status.RETURNED) and event.note.strip():
            notes.append(event.note.strip())  # how it was returned (at the desk, by post with the parcel...)
    return notes


def _resubmission(day: str, slip: Slip | None) -> str:
    """The complete dossier after a supplement request; once received, with the new appointment of the
    receipt issued for it."""
    new = snapshot_time((slip.data or {}).get("due_at")) if slip and slip.kind == SlipKind.RECEIPT else None
    if new:
        return pgettext("dossier register", "Supplement received %(day)s, new appointment %(when)s") % {
            "day": day,
            "when": f"{new:{WHEN}}",
        }
    return pgettext("dossier register", "Supplement received %(day)s") % {"day": day}


def register_sheet(*, agency: Agency, first_day: date, last_day: date) -> RegisterSheet:
    """The register with its header: the form of the circular in force on the range's last day."""
    return RegisterSheet(
        agency=agency,
        parent_name=agency.parent.name if agency.parent_id else "",
        first_day=first_day,
        last_day=last_day,
        form=official_form(REGISTER, last_day),
        rows=register_rows(agency=agency, first_day=first_day, last_day=last_day),
    )


# ---- files -----------------------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):{WHEN}}" if moment else ""


NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Widths (in characters) of the 14 columns: a landscape page, fitted to its width.
WIDTHS = [5, 27, 28, 8, 18, 24, 20, 11, 11, 12, 12, 12, 9, 30]


def register_headings() -> tuple[list[str], str]:
    """The column headings and the dates' group heading, in Vietnamese (the official form)."""
    with translation.override("vi"):
        return [str(heading) for heading in HEADINGS], str(DATES_HEADING)


def register_xlsx(sheet: RegisterSheet) -> bytes:
    """The register as an XLSX workbook: the official header, the two heading rows (the dates grouped
    under one merged heading, the other headings merged down), the numbering row (1)..(14), then one
    row per dossier; values only, text wrapped, a landscape page fitted to its width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    headings, dates_heading = register_headings()
    last = get_column_letter(len(headings))
    book = Workbook()
    ws = book.active
    ws.title = "So theo doi"
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    def put(ref: str, value, *, font=None, align=centre, merge: str | None = None):
        if merge:
            ws.merge_cells(f"{ref}:{merge}")
        cell = ws[ref]
        cell.value = spreadsheet_text(value)
        cell.alignment = align
        if font:
            cell.font = font
        return cell

    put("J1", sheet.form.label, font=bold, merge=f"{last}1", align=Alignment(horizontal="right"))
    put("J2", f"({sheet.form.basis})", font=Font(italic=True, size=9), merge=f"{last}2")
    put("A3", sheet.parent_name.upper(), merge="F3")
    put("H3", NATION, font=bold, merge=f"{last}3")
    put("A4", sheet.agency.name.upper(), font=bold, merge="F4")
    put("H4", MOTTO, font=bold, merge=f"{last}4")
    put("A6", sheet.form.title, font=Font(bold=True, size=14), merge=f"{last}6")
    put("A7", sheet.period_label, font=Font(italic=True), merge=f"{last}7")
    ws.row_dimensions[2].height = 28

    top, sub, numbering = 9, 10, 11
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, heading in enumerate(headings):
        column = get_column_letter(index + 1)
        if index in DATE_COLUMNS:
            put(f"{column}{sub}", heading, font=bold)
        else:
            put(f"{column}{top}", heading, font=bold, merge=f"{column}{sub}")
        put(f"{column}{numbering}", f"({index + 1})", font=Font(italic=True, size=9))
    first_date, last_date = (get_column_letter(i + 1) for i in (DATE_COLUMNS[0], DATE_COLUMNS[-1]))
    put(f"{first_date}{top}", dates_heading, font=bold, merge=f"{last_date}{top}")
    ws.row_dimensions[sub].height = 58

    text = Alignment(vertical="top", wrap_text=True)
    middle = Alignment(horizontal="center", vertical="top", wrap_text=True)
    for row in sheet.rows:
        ws.append([spreadsheet_text(value) for value in row.cells()])
        for index, cell in enumerate(ws[ws.max_row]):
            cell.alignment = middle if index in (0, 3, *DATE_COLUMNS) else text
    for row in ws.iter_rows(min_row=top, max_row=ws.max_row, max_col=len(headings)):
        for cell in row:
            cell.border = border
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    xlsx_keep_text(ws)
    ws.freeze_panes = f"A{numbering + 1}"
    ws.print_title_rows = f"{top}:{numbering}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_pdf(sheet: RegisterSheet) -> bytes:
    """The register on landscape A4 pages, the headings repeated on each, with the portal's fonts."""
    from .slips import render_pdf

    headings, dates_heading = register_headings()
    return render_pdf(
        "dossiers/staff/register_pdf.html",
        {
            "sheet": sheet,
            "nation": NATION,
            "motto": MOTTO,
            "before_dates": headings[: DATE_COLUMNS[0]],
            "date_headings": headings[DATE_COLUMNS[0] : DATE_COLUMNS[-1] + 1],
            "after_dates": headings[DATE_COLUMNS[-1] + 1 :],
            "dates_heading": dates_heading,
            "numbers": COLUMN_NUMBERS,
            "rows": [row.cells() for row in sheet.rows],
        },
    )
