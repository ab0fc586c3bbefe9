"""The route of a dossier: its steps, each with the unit and person holding it and its share of time.

A hand-off is matched to the procedure's route: the next planned step (after the last one matched)
whose unit is the receiving unit (a step without a unit of its own is the receiving unit's) and, when
the receiver is known, whose role that person holds there. A hand-off outside the route (a detour, a
step sent back) is recorded as such, with no share of its own: it is due when the dossier is.
"""

from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from procedures.calendar import WorkingCalendar

from ..models import Dossier, DossierStep


def route_steps(dossier: Dossier) -> list:
    return list(dossier.procedure_version.steps.select_related("agency").order_by("order", "pk"))


def _step_unit(route_step, dossier: Dossier) -> int:
    return route_step.agency_id or dossier.agency_id


def next_route_step(*, dossier: Dossier, agency: Agency | None = None, assignee: User | None = None):
    """The planned step a hand-off to ``agency`` (and ``assignee``) fulfils next, or None. Without an
    agency: simply the next planned step (what the page proposes first)."""
    planned = route_steps(dossier)
    done = [s.route_step_id for s in dossier.steps.exclude(route_step=None).order_by("order")]
    start = 0
    if done:
        positions = [i for i, step in enumerate(planned) if step.pk == done[-1]]
        start = positions[-1] + 1 if positions else 0
    for route_step in planned[start:]:
        if agency is None:
            return route_step
        if _step_unit(route_step, dossier) != agency.pk:
            continue
        if (
            assignee is not None
            and not assignee.memberships.filter(agency=agency, role=route_step.role, is_active=True).exists()
        ):
            continue
        return route_step
    return None


def open_step(*, dossier: Dossier, agency: Agency, assignee: User | None, by: User, start: datetime) -> DossierStep:
    """Close the current step and open the one that the hand-off to ``agency`` starts (its share of the
    time counts from ``start``)."""
    current = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
    if current is not None:
        current.finished_at = start
        current.save(update_fields=["finished_at"])
    order = (dossier.steps.aggregate(last=Max("order"))["last"] or 0) + 1
    route_step = next_route_step(dossier=dossier, agency=agency, assignee=assignee)
    if route_step is not None:
        due = WorkingCalendar.current().add_working_days(start, route_step.days)
    else:
        due = dossier.due_at or start
    return DossierStep.objects.create(
        dossier=dossier,
        order=order,
        route_step=route_step,
        name=route_step.name if route_step else _("Outside the planned route"),
        agency=agency,
        assignee=assignee,
        handed_by=by,
        started_at=start,
        due_at=due,
    )
