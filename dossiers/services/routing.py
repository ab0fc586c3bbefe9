"""The route of a dossier: its steps, each with the unit and person holding it and its share of time.

A hand-off is matched to the procedure's route: the next planned step (after the last one matched)
whose unit is the receiving unit (a step without a unit of its own is the receiving unit's) and, when
the receiver is known, whose role that person holds there. A hand-off outside the route (a detour, a
step sent back) is recorded as such, with no share of its own: it is due when the dossier is.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from accounts.models import Agency, User
from procedures.calendar import WorkingCalendar

from ..models import Dossier, DossierStep


def route_steps(dossier: Dossier) -> list:
    """The procedure version's planned steps, read once per version object (a version's route never
    changes once published): the actions of one request, or of the demo history, share it."""
    version = dossier.procedure_version
    cached = version.__dict__.get("_route_steps")
    if cached is None:
        cached = version.__dict__["_route_steps"] = list(version.steps.select_related("agency").order_by("order", "pk"))
    return list(cached)


def step_unit_id(route_step, dossier: Dossier) -> int:
    """The unit that acts at ``route_step`` for ``dossier`` (the receiving unit when the step has none)."""
    return route_step.agency_id or dossier.agency_id


def dossier_steps(dossier: Dossier) -> list[DossierStep]:
    """The steps the dossier went through, in order: read once per copy of the dossier and kept on it
    (the route's progress, the open step and the next number all come from it); ``open_step`` adds
    the step it opens, the next action takes them over while nobody acted between (``rows``)."""
    if "_steps" not in dossier.__dict__:
        dossier.__dict__["_steps"] = list(dossier.steps.order_by("order"))
    return dossier.__dict__["_steps"]


def _remaining(dossier: Dossier) -> list:
    """The planned steps after the last one a hand-off matched (all of them before any match)."""
    planned = route_steps(dossier)
    done = [s.route_step_id for s in dossier_steps(dossier) if s.route_step_id is not None]
    start = 0
    if done:
        positions = [i for i, step in enumerate(planned) if step.pk == done[-1]]
        start = positions[-1] + 1 if positions else 0
    return planned[start:]


def _holds_role(user: User, agency_id: int, role: str) -> bool:
    return user.memberships.filter(agency_id=agency_id, role=role, is_active=True).exists()


def next_route_step(*, dossier: Dossier, agency: Agency | None = None, assignee: User | None = None):
    """The planned step a hand-off to ``agency`` (and ``assignee``) fulfils next, or None. Without an
    agency: simply the next planned step (what the page proposes first). A hand-off may skip ahead to a
    later step of the work, never onto the desk's return of the result while work steps remain (a
    detour to the desk is not the return)."""
    remaining = _remaining(dossier)
    if agency is None:
        return remaining[0] if remaining else None
    for route_step in _without_return(remaining, dossier) or remaining:
        if step_unit_id(route_step, dossier) != agency.pk:
            continue
        if assignee is not None and not _holds_role(assignee, agency.pk, route_step.role):
            continue
        return route_step
    return None


def _without_return(steps: list, dossier: Dossier) -> list:
    """``steps`` without their trailing clerk steps at the receiving unit (the return of the result)."""
    from accounts.constants import Role

    steps = list(steps)
    while steps and steps[-1].role == Role.CLERK and step_unit_id(steps[-1], dossier) == dossier.agency_id:
        steps.pop()
    return steps


def route_ahead(*, dossier: Dossier) -> list:
    """The planned steps still to come before the desk gives the result back: what is left of the route
    without its trailing clerk steps at the receiving unit (the return)."""
    return _without_return(_remaining(dossier), dossier)


def only_return_left(*, dossier: Dossier) -> bool:
    """What is left of the route is the desk giving the result back, or nothing: the next thing to do
    is to record the result."""
    return not route_ahead(dossier=dossier)


def fits_route(*, dossier: Dossier, agency: Agency, assignee: User | None) -> bool:
    """A hand-off to ``agency`` (and ``assignee``) is the route's next step: the step's unit and, when a
    person is named, one who holds the step's role there. A procedure without a route fits anything;
    once its steps are all done, a further hand-off leaves it."""
    upcoming = next_route_step(dossier=dossier)
    if upcoming is None:
        return not route_steps(dossier)
    if step_unit_id(upcoming, dossier) != agency.pk:
        return False
    return assignee is None or _holds_role(assignee, agency.pk, upcoming.role)


def step_due(*, start: datetime, share) -> datetime:
    """When a step with ``share`` working days, begun at ``start``, is due: a step with no share of its
    own (0 days: done on the spot, such as the reception) is due by the end of that working day."""
    calendar = WorkingCalendar.current()
    return calendar.add_working_days(start, share) if share > 0 else calendar.end_of_working_day(start)


_UNKNOWN = object()


def open_step(
    *,
    dossier: Dossier,
    agency: Agency,
    assignee: User | None,
    by: User,
    start: datetime,
    steps: list | None = None,
    route_step=_UNKNOWN,
) -> DossierStep:
    """Close the current step and open the one that the hand-off to ``agency`` starts (its share of the
    time counts from ``start``). ``steps``: the dossier's steps when known without reading them (a new
    dossier has none); ``route_step``: the planned step the hand-off fulfils, when already found."""
    if steps is not None:
        dossier.__dict__["_steps"] = steps
    steps = dossier_steps(dossier)
    current = next((step for step in reversed(steps) if step.finished_at is None), None)
    if current is not None:
        current.finished_at = start
        current.save(update_fields=["finished_at"])
    order = max((step.order for step in steps), default=0) + 1
    if route_step is _UNKNOWN:
        route_step = next_route_step(dossier=dossier, agency=agency, assignee=assignee)
    due = step_due(start=start, share=route_step.days) if route_step is not None else dossier.due_at or start
    opened = DossierStep.objects.create(
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
    steps.append(opened)  # what the next action on this copy reads
    return opened
