"""The feedback report as CSV, XLSX and PDF: the 06a files' writers (``reports.exports``: the header,
values only, formula-like text kept as text, the PDF on A4 landscape with the portal's fonts), with the
rows' units and the rate's definition in the header."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.exports import Sheet

from .report import RATE_HOW, RATE_LABEL, FeedbackReport


@dataclass
class FeedbackSheet(Sheet):
    @property
    def header_lines(self) -> list[tuple[str, str]]:
        lines = []
        for label, value in super().header_lines:
            if label == _("Receiving units"):  # the 06a's rows are desks and communes; these are units
                label, value = _("Units"), _("the unit and the administrative units under it")
            lines.append((label, value))
        lines.insert(-1, (str(RATE_LABEL), str(RATE_HOW)))
        return lines


def sheet_feedback(report: FeedbackReport) -> FeedbackSheet:
    period = report.period
    return FeedbackSheet(
        form=_("Feedback and petitions"),
        title=_("Receiving and handling feedback and petitions"),
        agency_name=report.agency.name,
        period_label=period.label,
        unit_of_measure=_("feedback; the rate in %"),
        headings=[_("No."), _("Unit"), *[str(label) for _key, label in report.columns], str(RATE_LABEL)],
        rows=[[row.label, *row.values, _rate(row)] for row in report.rows],
        total=[str(_("Total")), *report.total.values, _rate(report.total)],
        file_stem=f"phananh-{report.agency.code}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}",
    )


def _rate(row):
    return "" if row.rate is None else row.rate
