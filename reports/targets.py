"""The province's targets: which ones a leader reads, and the one service that sets, changes and deletes
them, keeping every change (who, when, the value and the source before and after) in the same
transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Prefetch, Q, QuerySet, When
from django.utils.translation import gettext as _

from accounts.constants import AgencyKind, Role
from accounts.models import Agency, User
from accounts.selectors import membership_list_active

from .models import Indicator, Target, TargetChange, TargetPeriod
from .permissions import can_change_target, provinces_led_by

# The units a target can name one by one (departments do not receive dossiers of their own).
TARGET_UNIT_KINDS = (AgencyKind.PROVINCE, AgencyKind.DISTRICT, AgencyKind.COMMUNE, AgencyKind.DESK)


def target_units_for(*, user: User) -> QuerySet[Agency]:
    """The units ``user`` may set a target for: every unit under the provinces they lead."""
    units = Agency.objects.filter(kind__in=TARGET_UNIT_KINDS, is_active=True)
    if user.is_superuser:
        return units.order_by("path")
    provinces = provinces_led_by(user=user)
    if not provinces:
        return units.none()
    under = Q()
    for province in provinces:
        under |= Q(path__startswith=province.path)
    return units.filter(under).order_by("path")


def target_list_visible_to(
    *, user: User, year: int | None = None, indicator: str = "", period_kind: str = ""
) -> QuerySet[Target]:
    """The targets ``user`` reads: those of every level, and those of the units they lead and below
    (all of them for a superuser), with their history, newest change first."""
    targets = Target.objects.select_related("agency").prefetch_related(
        Prefetch("changes", queryset=TargetChange.objects.select_related("actor"))
    )
    if not user.is_superuser:
        leads = membership_list_active(user=user, role=Role.LEADER).exists()
        targets = targets.filter(_visible_units(user=user, field="agency")) if leads else targets.none()
    if year:
        targets = targets.filter(year=year)
    if indicator:
        targets = targets.filter(indicator=indicator)
    if period_kind:
        targets = targets.filter(period_kind=period_kind)
    # In the order people read them: the indicators and periods as listed in their choices.
    indicator_order = Case(*(When(indicator=key, then=n) for n, key in enumerate(Indicator.values)))
    period_order = Case(*(When(period_kind=key, then=n) for n, key in enumerate(TargetPeriod.values)))
    return targets.order_by(indicator_order, period_order, "number", "agency_kind", "agency__path")


def target_change_list(
    *, user: User, targets: QuerySet[Target], year: int | None = None, limit: int = 20
) -> list[TargetChange]:
    """The latest changes of ``targets`` and of the targets deleted in ``year`` that ``user`` reads (a
    level's, or a unit's they lead or one below it)."""
    deleted = TargetChange.objects.filter(target__isnull=True, **({"year": year} if year else {}))
    if not user.is_superuser:
        deleted = deleted.filter(_visible_units(user=user, field="agency"))
    changes = TargetChange.objects.select_related("actor").filter(
        Q(target__in=targets) | Q(pk__in=deleted.values("pk"))
    )
    return list(changes[:limit])


def _visible_units(*, user: User, field: str) -> Q:
    """The targets (or their changes) ``user`` reads: every level's, and those of the units they lead
    and below."""
    visible = Q(**{f"{field}__isnull": True})
    for membership in membership_list_active(user=user, role=Role.LEADER):
        visible |= Q(**{f"{field}__path__startswith": membership.agency.path})
    return visible


def _unit_label(target: Target) -> tuple[str, str]:
    return (target.agency.name if target.agency_id else ""), target.agency_kind


def _duplicate(target: Target) -> Target | None:
    """Another target for the same indicator, period and unit (or level). Checked here because the
    database takes two empty month numbers (a half, a year) for different ones."""
    same = Target.objects.filter(
        indicator=target.indicator, period_kind=target.period_kind, year=target.year, number=target.number
    )
    if target.agency_id:
        same = same.filter(agency_id=target.agency_id)
    else:
        same = same.filter(agency__isnull=True, agency_kind=target.agency_kind)
    return same.exclude(pk=target.pk).first()


def _state(target: Target) -> tuple:
    where = (target.indicator, target.period_kind, target.year, target.number, target.agency_id, target.agency_kind)
    return (*where, Decimal(target.value), target.note)


def _record(*, target: Target, action: str, by: User | None, old: tuple | None, new: tuple | None) -> TargetChange:
    unit_name, agency_kind = _unit_label(target)
    return TargetChange.objects.create(
        target=None if action == TargetChange.Action.DELETED else target,
        action=action,
        indicator=target.indicator,
        period_kind=target.period_kind,
        year=target.year,
        number=target.number,
        unit_name=unit_name,
        agency_id=target.agency_id,
        agency_kind=agency_kind,
        old_value=old[0] if old else None,
        old_note=old[1] if old else "",
        new_value=new[0] if new else None,
        new_note=new[1] if new else "",
        actor=by,
        actor_name=by.get_full_name() if by else "",
    )


@transaction.atomic
def target_save(
    *,
    target: Target | None = None,
    by: User | None,
    indicator: str,
    period_kind: str,
    year: int,
    number: int | None,
    agency: Agency | None,
    agency_kind: str,
    value: Decimal,
    note: str,
) -> Target:
    """Set a new target (``target`` None) or change ``target``; record the change. Raises
    ValidationError when the target is not valid or one exists already for the same indicator, period
    and unit, and PermissionError when ``by`` may not set it (``by`` None: the demo data)."""
    if target is not None:
        target = Target.objects.select_for_update(of=("self",)).select_related("agency").get(pk=target.pk)
        old, before = (target.value, target.note), _state(target)
        if by is not None and not can_change_target(user=by, target=target):
            raise PermissionError("not allowed to change this target")
        if before[:6] != (indicator, period_kind, year, number, getattr(agency, "pk", None), agency_kind or ""):
            raise ValidationError(
                _("A target's indicator, period and unit stay as set: delete it and set a new one to change them.")
            )
    else:
        target, old, before = Target(), None, None
    target.indicator, target.period_kind, target.year, target.number = indicator, period_kind, year, number
    target.agency, target.agency_kind = agency, agency_kind or ""
    target.value, target.note = value, (note or "").strip()
    if by is not None and not can_change_target(user=by, target=target):
        raise PermissionError("not allowed to set this target")
    if not target.note:
        raise ValidationError({"note": _("Give the document the target comes from.")})
    target.full_clean()
    if _duplicate(target):
        raise ValidationError(_("A target for this indicator, period and unit exists already: change that one."))
    if before == _state(target):
        return target  # nothing changed: nothing to record
    target.save()
    action = TargetChange.Action.CREATED if old is None else TargetChange.Action.CHANGED
    _record(target=target, action=action, by=by, old=old, new=(target.value, target.note))
    return target


@transaction.atomic
def target_delete(*, target: Target, by: User) -> None:
    """Delete ``target``; its history stays, with what it was for."""
    target = Target.objects.select_for_update(of=("self",)).select_related("agency").get(pk=target.pk)
    if not can_change_target(user=by, target=target):
        raise PermissionError("not allowed to delete this target")
    _record(target=target, action=TargetChange.Action.DELETED, by=by, old=(target.value, target.note), new=None)
    target.delete()
