"""Reports as files a leader can hand to the province: CSV, XLSX and PDF, each with the official header
(the form, the reporting unit, the receiving units, the period, the unit of measure), values only, no
formulas. Every report is first turned into a ``Sheet``; the three writers only lay it out."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from onestop.spreadsheet import spreadsheet_text, xlsx_keep_text

from .indicators import COUNTS, RATES, IndicatorTable
from .reception import OLDEST_LABEL, RECEPTION_COLUMNS
from .selectors import Report


@dataclass
class Sheet:
    form: str
    title: str
    agency_name: str
    period_label: str
    unit_of_measure: str
    headings: list[str]
    rows: list[list]
    total: list
    file_stem: str
    units_line: tuple[str, str] | None = None  # who the rows are, when not the desks and communes
    more_lines: tuple[tuple[str, str], ...] = ()  # further header lines, above "Made on"

    @property
    def header_lines(self) -> list[tuple[str, str]]:
        return [
            (_("Report"), self.title),
            (_("Reporting unit"), self.agency_name),
            self.units_line or (_("Receiving units"), _("the one-stop desks and communes under it")),
            (_("Period"), self.period_label),
            (_("Unit of measure"), self.unit_of_measure),
            *self.more_lines,
            (_("Made on"), timezone.localtime().strftime("%H:%M %d/%m/%Y")),
        ]

    def table(self) -> list[list]:
        numbered = [[n, *row] for n, row in enumerate(self.rows, start=1)]
        return [["", *self.total]] if not numbered else [*numbered, ["", *self.total]]


def _stem(kind: str, report: Report) -> str:
    return f"{kind}-{report.agency.code}-{report.period.first_day:%Y%m%d}-{report.period.last_day:%Y%m%d}"


def sheet_06a(report: Report) -> Sheet:
    unit_heading = _("Unit") if report.grouping == "unit" else _("Group")
    return Sheet(
        form="Biểu II.06a",
        title=_("Situation and results of handling administrative procedures"),
        agency_name=report.agency.name,
        period_label=report.period.label,
        unit_of_measure=_("dossiers"),
        headings=[_("No."), str(unit_heading), *[str(label) for _key, label in report.columns]],
        rows=[[row.label, *row.values] for row in report.rows],
        total=[str(_("Total")), *report.total.values],
        file_stem=_stem("06a", report),
    )


def _percent(value: Decimal | None):
    return "" if value is None else value


def sheet_online(table: IndicatorTable) -> Sheet:
    report = table.report
    count_keys = [key for key, _label in COUNTS]
    waiting = dict(RECEPTION_COLUMNS)
    headings = [_("No."), _("Unit"), _("Received online this period"), _("Received at the desk or by post this period")]
    # The dossiers submitted online and not yet received at the end of the period (not in the 06a).
    headings += [waiting["waiting_reception"], OLDEST_LABEL, waiting["waiting_reception_late"]]
    headings += [waiting["waiting_completion"]]
    headings += [str(label) for _key, label in COUNTS] + [f"{label} (%)" for label, *_rest in RATES.values()]

    def line(row):
        queue = table.queue(row)
        return [
            row.label,
            row.counts.get("online", 0),
            row.counts.get("direct", 0),
            row.counts.get("waiting_reception", 0),
            _percent(queue.oldest_days if queue else None),
            row.counts.get("waiting_reception_late", 0),
            row.counts.get("waiting_completion", 0),
            *[row.counts.get(k, 0) for k in count_keys],
            *map(_percent, table.rates(row).values()),
        ]

    return Sheet(
        form=_("Online public services"),
        title=_("Dossiers received and resolved online, levels 3 and 4"),
        agency_name=report.agency.name,
        period_label=report.period.label,
        unit_of_measure=_("dossiers; rates in %"),
        headings=[str(h) for h in headings],
        rows=[line(row) for row in report.rows],
        total=[str(_("Total")), *line(report.total)[1:]],
        file_stem=_stem("truc-tuyen", report),
    )


def _texts(values) -> list:
    """A line of the file: text a spreadsheet would read as a formula (a unit's name, a target's
    source) is written as text (``onestop.spreadsheet``); numbers stay numbers."""
    return [spreadsheet_text(v) for v in values]


def sheet_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_texts([sheet.form]))
    for label, value in sheet.header_lines:
        writer.writerow(_texts([label, value]))
    writer.writerow([])
    writer.writerow(_texts(sheet.headings))
    writer.writerows([_texts(row) for row in sheet.table()])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so spreadsheet programs read UTF-8


def sheet_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    worksheet = book.active
    worksheet.title = sheet.file_stem.split("-")[0][:31]
    worksheet.append(_texts([sheet.form]))
    worksheet["A1"].font = Font(bold=True, size=13)
    for label, value in sheet.header_lines:
        worksheet.append(_texts([label, value]))
    worksheet.append([])
    worksheet.append(_texts(sheet.headings))
    header_row = worksheet.max_row
    for cell in worksheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.table():
        worksheet.append(_texts(float(v) if isinstance(v, Decimal) else v for v in row))
    for cell in worksheet[worksheet.max_row]:
        cell.font = Font(bold=True)
    worksheet.column_dimensions["A"].width = 16
    worksheet.column_dimensions["B"].width = 36
    for index in range(3, len(sheet.headings) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 14
    xlsx_keep_text(worksheet)
    worksheet.freeze_panes = worksheet.cell(row=header_row + 1, column=3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_pdf(sheet: Sheet) -> bytes:
    """A landscape A4 page with the fonts shipped with the portal (no font from the web)."""
    from weasyprint import HTML  # needs Pango, present where slips are printed

    from dossiers.slips import FONTS

    html = render_to_string(
        "reports/sheet_pdf.html", {"sheet": sheet, "table": sheet.table(), "font_dir": FONTS.as_uri()}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


WRITERS = {
    "csv": (sheet_csv, "text/csv; charset=utf-8"),
    "xlsx": (sheet_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (sheet_pdf, "application/pdf"),
}


# The dashboard against the targets: a row per receiving unit and one for the unit itself (last, as a
# total), and for each indicator its value, its target, the state, the projection while the period
# runs, and the document the target comes from.


@dataclass
class DashboardSheet(Sheet):
    indicators: tuple = ()  # the indicators' names, in the order of their columns
    parts: tuple = ()  # the columns of each indicator: value, target, state(, projection), source
    sources: tuple = ()  # the targets' documents, numbered in the PDF

    rates: tuple = ()  # whether each indicator is a rate (whose projection is the rate itself)

    def pdf_groups(self) -> list[tuple[str, list[str]]]:
        """Each indicator's name and its columns in the PDF: the source's number goes with the target,
        and a rate's projection (the rate as it stands) is not repeated."""
        groups = []
        for name, is_rate in zip(self.indicators, self.rates, strict=True):
            parts = list(self.parts[:-1])
            groups.append((name, parts[:3] if is_rate else parts))
        return groups

    def pdf_table(self) -> list[list[tuple[str, str]]]:
        """The table for the PDF as (text, CSS class) cells: each target followed by the number of its
        source in the list under the table, "—" for the state where there is no target."""
        number = {source: n for n, source in enumerate(self.sources, start=1)}
        width = len(self.parts)
        table = []
        for row in self.table():
            line = [(_cell(row[0]), ""), (_cell(row[1]), "")]
            for index, start in enumerate(range(2, len(row), width)):
                value, target, state, *rest = row[start : start + width]
                *projection, source = rest
                target = f"{_cell(target)} [{number[source]}]" if source in number else _cell(target)
                line += [(_cell(value), "n"), (target, "n"), (state if target else "—", "s")]
                if not self.rates[index]:
                    line += [(_cell(value), "n") for value in projection]
            table.append(line)
        return table


def _cell(value) -> str:
    return "" if value in ("", None) else formats.localize(value)


def _state(measure, running: bool) -> str:
    if measure.target is None:
        return str(_("no target"))
    if measure.met is None:
        return str(_("no data"))
    if not measure.met:
        return str(_("behind"))
    return str(_("on track")) if running else str(_("met"))


def sheet_dashboard(board: dict) -> DashboardSheet:
    """The dashboard ``board`` (``reports.dashboard.dashboard``) as a sheet."""
    report, running = board["report"], board["running"]
    parts = [_("value"), _("target"), _("state"), *([_("projection")] if running else []), _("source")]

    def cells(measures) -> list:
        found = []
        for m in measures:
            found += [_percent(m.actual), _percent(m.target), _state(m, running)]
            found += [_percent(m.projected)] if running else []
            found.append(m.source)
        return found

    order = {row.key: index for index, row in enumerate(report.rows)}
    lines = sorted(board["lines"], key=lambda line: order.get(line.unit.pk, len(order)))
    headings = [str(_("No.")), str(_("Unit"))]
    headings += [f"{m.label}: {part}" for m in board["totals"] for part in parts]
    return DashboardSheet(
        form=str(_("Indicators against targets")),
        title=_("Indicators of the one-stop service against the province's targets"),
        agency_name=report.agency.name,
        period_label=report.period.label,
        unit_of_measure=_("rates in %; dossiers"),
        headings=headings,
        rows=[[line.unit.name, *cells(line.measures)] for line in lines],
        total=[_("%(unit)s (whole unit)") % {"unit": report.agency.name}, *cells(board["totals"])],
        file_stem=_stem("chiso", report),
        indicators=tuple(str(m.label) for m in board["totals"]),
        rates=tuple(m.is_rate for m in board["totals"]),
        parts=tuple(str(part) for part in parts),
        sources=tuple(board["target_sources"]),
    )


def dashboard_pdf(sheet: DashboardSheet) -> bytes:
    """The dashboard sheet on landscape A4 pages: an indicator's columns under its name, the targets'
    documents listed under the table."""
    from weasyprint import HTML

    from dossiers.slips import FONTS

    html = render_to_string(
        "reports/dashboard_pdf.html",
        {"sheet": sheet, "groups": sheet.pdf_groups(), "table": sheet.pdf_table(), "font_dir": FONTS.as_uri()},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


DASHBOARD_WRITERS = {
    "xlsx": WRITERS["xlsx"],
    "pdf": (dashboard_pdf, "application/pdf"),
}


def sheet_response(sheet: Sheet, fmt: str, *, writers: dict = WRITERS) -> HttpResponse:
    """``sheet`` written as ``fmt`` (a key of ``writers``), as a file to download."""
    write, content_type = writers[fmt]
    response = HttpResponse(write(sheet), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{sheet.file_stem}.{fmt}"'
    return response
