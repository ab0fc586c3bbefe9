"""The Decision 766 indicator "feedback and petitions handled on time" (tỷ lệ phản ánh, kiến nghị được
xử lý đúng hạn) on the leaders' dashboard, named in ``settings.DASHBOARD_EXTRA_INDICATORS`` (the
reports app does not import this one). Its value is the report's rate (``feedback.report``), its
targets are the province's ``Target`` rows of ``Indicator.FEEDBACK_ON_TIME_RATE``, and each value
opens to the feedback it judges (the report's cell view)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Agency
from reports.dashboard import ExtraIndicator
from reports.models import Indicator
from reports.periods import Period

from .report import JUDGED, RATE_HOW, feedback_report


def feedback_handled_on_time(*, agency: Agency, period: Period, units: list[Agency], now=None) -> ExtraIndicator:
    """The rate for ``agency`` (itself and every unit below it) and for each of the dashboard's
    ``units`` (its row of the report: the feedback that unit held), in the report's one query."""
    report = feedback_report(agency=agency, period=period, now=now)
    rows = {row.key: row for row in report.rows}
    cell = f"{reverse('feedback:report_cell')}?col={JUDGED}"
    by_unit = {unit.pk: rows[unit.pk].rate if unit.pk in rows else None for unit in units}
    return ExtraIndicator(
        indicator=Indicator.FEEDBACK_ON_TIME_RATE,
        how=str(RATE_HOW),
        total=report.total.rate,
        by_unit=by_unit,
        total_link=cell if report.total.rate is not None else "",
        unit_links={pk: f"{cell}&unit={pk}" for pk, value in by_unit.items() if value is not None},
        report=(_("Feedback and petitions"), reverse("feedback:report")),
    )
