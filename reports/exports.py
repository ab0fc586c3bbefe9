"""Reports as files a leader can hand to the province: CSV, XLSX and PDF, each with the official header
(the form, the reporting unit, the receiving units, the period, the unit of measure), values only, no
formulas. Every report is first turned into a ``Sheet``; the three writers only lay it out."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .indicators import COUNTS, RATES, IndicatorTable
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

    @property
    def header_lines(self) -> list[tuple[str, str]]:
        return [
            (_("Report"), self.title),
            (_("Reporting unit"), self.agency_name),
            (_("Receiving units"), _("the one-stop desks and communes under it")),
            (_("Period"), self.period_label),
            (_("Unit of measure"), self.unit_of_measure),
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
    count_keys = ["online", "direct", *[key for key, _label in COUNTS]]
    headings = [_("No."), _("Unit"), _("Received online this period"), _("Received at the desk or by post this period")]
    headings += [str(label) for _key, label in COUNTS] + [f"{label} (%)" for label, *_rest in RATES.values()]

    def line(row):
        return [row.label, *[row.counts.get(k, 0) for k in count_keys], *map(_percent, table.rates(row).values())]

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


FORMULA_STARTS = ("=", "+", "-", "@")


def _text(value):
    """A name that a spreadsheet would read as a formula is written as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([sheet.form])
    for label, value in sheet.header_lines:
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(sheet.headings)
    writer.writerows([[_text(v) for v in row] for row in sheet.table()])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so spreadsheet programs read UTF-8


def sheet_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    worksheet = book.active
    worksheet.title = sheet.file_stem.split("-")[0][:31]
    worksheet.append([sheet.form])
    worksheet["A1"].font = Font(bold=True, size=13)
    for label, value in sheet.header_lines:
        worksheet.append([label, value])
    worksheet.append([])
    worksheet.append(sheet.headings)
    header_row = worksheet.max_row
    for cell in worksheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.table():
        worksheet.append([float(v) if isinstance(v, Decimal) else _text(v) for v in row])
    for cell in worksheet[worksheet.max_row]:
        cell.font = Font(bold=True)
    worksheet.column_dimensions["A"].width = 16
    worksheet.column_dimensions["B"].width = 36
    for index in range(3, len(sheet.headings) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 14
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
