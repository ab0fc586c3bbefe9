"""The route of a dossier: its steps, each with the unit and person holding it and its share of time."""

from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from procedures.calendar import WorkingCalendar

from ..models import Dossier, DossierStep


def route_steps(dossier: Dossier) -> list:
    return list(dossier.procedure_version.steps.select_related("agency").order_by("order", "pk"))


def open_step(*, dossier: Dossier, agency: Agency, assignee: User | None, by: User, start: datetime) -> DossierStep:
    """Close the current step and open the next one of the route (its share of the time counts from
    ``start``). Past the planned steps (a step repeated, a detour) the stretch gets no share of its own
    and is due when the dossier is."""
    calendar = WorkingCalendar.current()
    current = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
    if current is not None:
        current.finished_at = start
        current.save(update_fields=["finished_at"])
    order = (dossier.steps.aggregate(last=Max("order"))["last"] or 0) + 1
    planned = route_steps(dossier)
    route_step = planned[order - 1] if order - 1 < len(planned) else None
    due = calendar.add_working_days(start, route_step.days) if route_step else dossier.due_at or start
    return DossierStep.objects.create(
        dossier=dossier,
        order=order,
        route_step=route_step,
        name=route_step.name if route_step else _("Handling"),
        agency=agency,
        assignee=assignee,
        handed_by=by,
        started_at=start,
        due_at=due,
    )
