"""The feedback report as CSV, XLSX and PDF: the 06a files' writers (``reports.exports``: the header,
values only, formula-like text kept as text, the PDF on A4 landscape with the portal's fonts), with the
rows' units and the rate's definition in the header."""

from django.utils.translation import gettext as _

from reports.exports import Sheet, _percent, _stem

from .report import RATE_HOW, RATE_LABEL, FeedbackReport


def sheet_feedback(report: FeedbackReport) -> Sheet:
    return Sheet(
        form=_("Feedback and petitions"),
        title=_("Receiving and handling feedback and petitions"),
        agency_name=report.agency.name,
        period_label=report.period.label,
        unit_of_measure=_("feedback; the rate in %"),
        headings=[_("No."), _("Unit"), *[str(label) for _key, label in report.columns], str(RATE_LABEL)],
        rows=[[row.label, *row.values, _percent(row.rate)] for row in report.rows],
        total=[str(_("Total")), *report.total.values, _percent(report.total.rate)],
        file_stem=_stem("phananh", report),
        # The rows are administrative units (the 06a's are desks and communes).
        units_line=(_("Units"), _("the unit and the administrative units under it")),
        more_lines=((str(RATE_LABEL), str(RATE_HOW)),),
    )
