"""The Decision 766 indicator "feedback and petitions handled on time" (tỷ lệ phản ánh, kiến nghị được
xử lý đúng hạn) on the leaders' dashboard, named in ``settings.DASHBOARD_EXTRA_INDICATORS`` (the
reports app does not import this one). Its value is the report's rate (``feedback.report``), its
targets are the province's ``Target`` rows of ``Indicator.FEEDBACK_ON_TIME_RATE``, and each value
opens to the feedback it judges (the report's cell view).

The dashboard's lines are receiving units (one-stop desks and communes), while feedback is held by
administrative units (provinces, districts, communes). A commune's line shows the commune's feedback;
a desk's line shows the feedback its administrative unit holds itself (a district's desk: the
district's own row of the report, not its communes', which have lines of their own). So a unit's own
feedback is on the line of its desk (or its own, a commune's), a feedback is never on the lines of two
different units, and the lines add up to the total when each district has its desk."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import ADMINISTRATIVE_KINDS
from accounts.models import Agency
from reports.dashboard import ExtraIndicator
from reports.models import Indicator
from reports.periods import Period

from .report import JUDGED, RATE_HOW, feedback_report

LINES_HOW = gettext_lazy(
    "on a one-stop desk's line, the feedback its district (or province) holds itself; on a commune's line, "
    "the commune's"
)


def line_units(*, units: list[Agency]) -> dict[int, int]:
    """The administrative unit whose own feedback each of ``units`` (the dashboard's lines) shows: a
    commune itself, a desk the province, district or commune it belongs to (as
    ``accounts.selectors.agency_administrative_unit`` finds it), in one query for all of them."""
    above = {pk for unit in units if unit.kind not in ADMINISTRATIVE_KINDS for pk in unit.ancestor_ids()}
    administrative = set(
        Agency.objects.filter(pk__in=above, kind__in=ADMINISTRATIVE_KINDS).values_list("pk", flat=True)
    )
    found = {}
    for unit in units:
        if unit.kind in ADMINISTRATIVE_KINDS:
            found[unit.pk] = unit.pk
            continue
        # The nearest administrative unit above it (none: a desk outside any unit shows nothing).
        nearest = next((pk for pk in reversed(unit.ancestor_ids()) if pk in administrative), None)
        if nearest is not None:
            found[unit.pk] = nearest
    return found


def feedback_handled_on_time(*, agency: Agency, period: Period, units: list[Agency], now=None) -> ExtraIndicator:
    """The rate for ``agency`` (itself and every unit below it) and, for each of the dashboard's
    ``units``, the rate of its administrative unit's own row of the report (``line_units``), in the
    report's one query."""
    report = feedback_report(agency=agency, period=period, now=now)
    rows = {row.key: row for row in report.rows}
    holders = line_units(units=units)
    cell = f"{reverse('feedback:report_cell')}?col={JUDGED}"
    by_unit, unit_links = {}, {}
    for unit in units:
        row = rows.get(holders.get(unit.pk))
        by_unit[unit.pk] = row.rate if row is not None else None
        if by_unit[unit.pk] is not None:
            unit_links[unit.pk] = f"{cell}&unit={row.key}"  # the list of the unit holding the feedback
    return ExtraIndicator(
        indicator=Indicator.FEEDBACK_ON_TIME_RATE,
        how=f"{RATE_HOW}; {LINES_HOW}",
        total=report.total.rate,
        by_unit=by_unit,
        total_link=cell if report.total.rate is not None else "",
        unit_links=unit_links,
        report=(_("Feedback and petitions"), reverse("feedback:report")),
    )
