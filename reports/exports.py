"""The 06a report as files a leader can hand to the province: CSV and XLSX with the official header
(reporting unit, period, unit of measure), values only, no formulas."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .selectors import Report

TITLE = "Biểu II.06a"


def _header_lines(report: Report) -> list[tuple[str, str]]:
    return [
        (_("Report"), _("Situation and results of handling administrative procedures")),
        (_("Reporting unit"), report.agency.name),
        (_("Receiving units"), _("the one-stop desks and communes under it")),
        (_("Period"), report.period.label),
        (_("Unit of measure"), _("dossiers")),
        (_("Made on"), timezone.localtime().strftime("%H:%M %d/%m/%Y")),
    ]


def _table(report: Report) -> tuple[list[str], list[list]]:
    heading = [_("No."), str(_("Unit") if report.grouping == "unit" else _("Group"))]
    heading += [str(label) for _key, label in report.columns]
    rows = [[n, row.label, *row.values] for n, row in enumerate(report.rows, start=1)]
    rows.append(["", str(_("Total")), *report.total.values])
    return heading, rows


def report_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([TITLE])
    for label, value in _header_lines(report):
        writer.writerow([label, value])
    writer.writerow([])
    heading, rows = _table(report)
    writer.writerow(heading)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so spreadsheet programs read UTF-8


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "06a"
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in _header_lines(report):
        sheet.append([label, value])
    sheet.append([])
    heading, rows = _table(report)
    sheet.append(heading)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 36
    for index in range(3, len(heading) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
