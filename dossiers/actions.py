"""The staff actions on a dossier: which exist, which the table and the person's role allow now, the
form each needs, and the service each calls. Pages and the API share this one list."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, StaffMembership, User
from accounts.selectors import agency_subtree
from onestop.widgets import MOMENT_FORMATS, MomentInput

from . import permissions
from .constants import OPEN_STATUSES, RETURNED_BY, TRANSITIONS, ResultDelivery, Status
from .models import Dossier
from .services import workflow


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CompletionForm(ReasonForm):
    missing = forms.CharField(
        label=_("Missing documents or information, one per line"), widget=forms.Textarea(attrs={"rows": 3})
    )


class HandOverForm(forms.Form):
    target = forms.ChoiceField(label=_("Hand to"))
    reason = forms.CharField(
        label=_("Reason for leaving the route"),
        required=False,
        help_text=_("Only when the dossier goes elsewhere than the route's next step."),
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        choices, default, hint = handover_plan(dossier=dossier)
        self.fields["target"].choices = choices
        self.fields["target"].initial = default
        self.fields["target"].help_text = hint


class PaymentRequestForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1, max_value=10**12)
    note = forms.CharField(label=_("Note"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


class CompleteForm(forms.Form):
    result = forms.FileField(
        label=_("Result document"),
        required=False,
        help_text=_("A PDF is signed by the unit when it is recorded; a result delivered online must be one."),
    )
    on_paper = forms.BooleanField(label=_("The result is issued on paper"), required=False)
    paper_reason = forms.CharField(label=_("Why the result is issued on paper"), required=False)
    note = forms.CharField(label=_("Note"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("result") and not cleaned.get("on_paper") and "result" not in self.errors:
            self.add_error("result", _("Attach the result document, or record that it is issued on paper."))
        if cleaned.get("on_paper") and not (cleaned.get("paper_reason") or "").strip():
            self.add_error("paper_reason", _("Give the reason the result is issued on paper."))
        return cleaned


class ReturnForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Returned"), choices=list(RETURNED_BY.items()), widget=forms.RadioSelect)
    record = forms.CharField(label=_("Delivery record (postal parcel number, receiver)"), required=False)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].initial = dossier.result_delivery or ResultDelivery.DESK


class ApologyForm(ReasonForm):
    new_appointment = forms.DateTimeField(
        label=_("New appointment"), input_formats=MOMENT_FORMATS, widget=MomentInput()
    )


class ResubmitForm(forms.Form):
    file = forms.FileField(label=_("Added document"), required=False)
    note = forms.CharField(label=_("Note"), required=False)


def handover_plan(*, dossier: Dossier) -> tuple[list, str, str]:
    """The hand-over choices, the one selected by default and what the route expects (the field's hint).
    First the route's next step: the people holding its role at its unit (the first selected), then
    that unit's own queue; then every other unit of the dossier's administrative tree, each with its
    queue and its staff. Values are ``a<unit id>`` (the unit's queue) or ``a<unit id>u<user id>``."""
    from .services.routing import next_route_step, route_steps, step_unit_id

    upcoming = next_route_step(dossier=dossier)
    root = dossier.agency
    while root.parent_id is not None:
        root = root.parent
    agencies = list(agency_subtree(agency=root).filter(is_active=True).order_by("path"))
    staff = (
        StaffMembership.objects.filter(agency__in=agencies, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "role")
    )
    by_agency: dict[int, list[StaffMembership]] = {}
    for membership in staff:
        by_agency.setdefault(membership.agency_id, []).append(membership)

    def person(agency, membership) -> tuple[str, str]:
        return f"a{agency.pk}u{membership.user_id}", f"{membership.user.full_name} ({membership.get_role_display()})"

    choices, default, hint = [], "", ""
    if upcoming is None and route_steps(dossier):
        hint = _("The procedure's route has no step left before the result.")
    step_unit = None
    if upcoming is not None:
        step_unit_pk = step_unit_id(upcoming, dossier)
        step_unit = next((agency for agency in agencies if agency.pk == step_unit_pk), None)
    if step_unit is not None:
        holders = [m for m in by_agency.get(step_unit.pk, []) if m.role == upcoming.role]
        group = [person(step_unit, m) for m in holders]
        group.append((f"a{step_unit.pk}", _("%(unit)s (its queue)") % {"unit": step_unit.name}))
        label = _("Next step of the route: %(step)s — %(unit)s") % {"step": upcoming.name, "unit": step_unit.name}
        choices.append((label, group))
        default = group[0][0]
        hint = _("The route's next step: %(step)s, at %(unit)s (%(role)s).") % {
            "step": upcoming.name,
            "unit": step_unit.name,
            "role": upcoming.get_role_display(),
        }
    for agency in agencies:
        group = [(f"a{agency.pk}", _("%(unit)s (its queue)") % {"unit": agency.name})]
        group += [
            person(agency, m)
            for m in by_agency.get(agency.pk, [])
            if step_unit is None or agency.pk != step_unit.pk or m.role != upcoming.role
        ]
        if agency == step_unit:
            group = group[1:]  # its queue is offered with the route's step above
            if not group:
                continue
        choices.append((agency.name, group))
    return choices, default, hint


def _parse_target(value: str) -> tuple[Agency, User | None]:
    agency_part, _sep, user_part = value[1:].partition("u")
    agency = Agency.objects.get(pk=int(agency_part))
    user = User.objects.get(pk=int(user_part)) if user_part else None
    return agency, user


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    to: str | None  # the status it leads to (None: no status change)
    allowed: Callable
    form: type[forms.Form] | None
    run: Callable  # (dossier, user, cleaned, expected_status) -> Outcome
    danger: bool = False


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


ACTIONS = [
    Action(
        "receive",
        _("Receive"),
        Status.RECEIVED,
        permissions.can_receive,
        None,
        lambda d, u, c, e: workflow.dossier_receive(dossier=d, by=u, **e),
    ),
    Action(
        "request_completion",
        _("Ask for completion or a supplement"),
        Status.SUPPLEMENT_REQUESTED,
        lambda *, user, dossier: (
            permissions.can_receive if dossier.status == Status.SUBMITTED else permissions.can_route
        )(user=user, dossier=dossier),
        CompletionForm,
        lambda d, u, c, e: workflow.dossier_request_completion(
            dossier=d, by=u, missing=_lines(c["missing"]), reason=c["reason"], **e
        ),
    ),
    Action(
        "refuse",
        _("Refuse to receive"),
        Status.REFUSED,
        permissions.can_receive,
        ReasonForm,
        lambda d, u, c, e: workflow.dossier_refuse(dossier=d, by=u, reason=c["reason"], **e),
        danger=True,
    ),
    Action(
        "hand_over",
        _("Hand over"),
        Status.PROCESSING,
        permissions.can_route,
        HandOverForm,
        lambda d, u, c, e: workflow.dossier_hand_over(
            dossier=d,
            by=u,
            to_agency=_parse_target(c["target"])[0],
            to_user=_parse_target(c["target"])[1],
            note=c["note"],
            reason=c["reason"],
            **e,
        ),
    ),
    Action(
        "request_payment",
        _("Ask for the fee"),
        Status.AWAITING_PAYMENT,
        permissions.can_route,
        PaymentRequestForm,
        lambda d, u, c, e: workflow.dossier_request_payment(dossier=d, by=u, amount=c["amount"], note=c["note"], **e),
    ),
    Action(
        "record_payment",
        _("Record the payment"),
        Status.PROCESSING,
        permissions.can_route,
        NoteForm,
        lambda d, u, c, e: workflow.dossier_record_payment(dossier=d, by=u, note=c["note"], **e),
    ),
    Action(
        "fee_paid_at_desk",
        _("Record the fee paid at the desk"),
        None,
        permissions.can_return,
        NoteForm,
        lambda d, u, c, e: workflow.dossier_fee_paid_at_desk(dossier=d, by=u, note=c["note"], **e),
    ),
    Action(
        "resubmit",
        _("Record the complete dossier"),
        None,
        permissions.can_resubmit,
        ResubmitForm,
        lambda d, u, c, e: workflow.dossier_resubmit(
            dossier=d, by=u, uploads=[(None, c["file"])] if c.get("file") else [], note=c["note"], **e
        ),
    ),
    Action(
        "complete",
        _("Record the result"),
        Status.DONE,
        permissions.can_complete,
        CompleteForm,
        lambda d, u, c, e: workflow.dossier_complete(
            dossier=d,
            by=u,
            results=[c["result"]] if c.get("result") else [],
            note=c["note"],
            on_paper=c["on_paper"],
            paper_reason=c["paper_reason"],
            **e,
        ),
    ),
    Action(
        "return_result",
        _("Return the result"),
        Status.RETURNED,
        permissions.can_return,
        ReturnForm,
        lambda d, u, c, e: workflow.dossier_return(dossier=d, by=u, delivery=c["delivery"], record=c["record"], **e),
    ),
    Action(
        "apologise",
        _("Apologise and set a new appointment"),
        None,
        permissions.can_apologise,
        ApologyForm,
        lambda d, u, c, e: workflow.dossier_apologise(
            dossier=d, by=u, reason=c["reason"], new_appointment=c["new_appointment"], **e
        ),
    ),
    Action(
        "stop",
        _("Stop processing"),
        Status.STOPPED,
        permissions.can_stop,
        ReasonForm,
        lambda d, u, c, e: workflow.dossier_stop(dossier=d, by=u, reason=c["reason"], **e),
        danger=True,
    ),
    Action(
        "withdraw",
        _("Withdraw at the applicant's request"),
        Status.WITHDRAWN,
        permissions.can_withdraw,
        ReasonForm,
        lambda d, u, c, e: workflow.dossier_withdraw(dossier=d, by=u, reason=c["reason"], **e),
        danger=True,
    ),
]
ACTIONS_BY_NAME = {action.name: action for action in ACTIONS}


def _possible(action: Action, dossier: Dossier) -> bool:
    if action.name == "hand_over":
        return dossier.status in (Status.RECEIVED, Status.PROCESSING)
    if action.name == "resubmit":
        return dossier.status == Status.SUPPLEMENT_REQUESTED
    if action.name == "apologise":
        return dossier.status in OPEN_STATUSES and dossier.received_at is not None
    if action.name == "record_payment":
        return dossier.status == Status.AWAITING_PAYMENT
    if action.name == "fee_paid_at_desk":
        paid_or_free = dossier.fee_paid_at is not None or dossier.fee_amount <= 0
        return not paid_or_free and dossier.status in (Status.RECEIVED, Status.PROCESSING, Status.DONE)
    return action.to in TRANSITIONS.get(dossier.status, ())


def actions_for(*, user: User, dossier: Dossier) -> list[Action]:
    """The actions ``user`` may take on ``dossier`` now, the one the route expects next first."""
    possible = [a for a in ACTIONS if _possible(a, dossier) and a.allowed(user=user, dossier=dossier)]
    expected = expected_action(dossier=dossier)
    return sorted(possible, key=lambda action: action.name != expected)  # stable: the rest keep their order


def expected_action(*, dossier: Dossier) -> str | None:
    """The action the procedure's route expects next: receive a new dossier, hand it to the route's next
    step, record the result once only the desk's return is left, return a ready result, record the
    complete dossier or the payment the dossier waits for."""
    from .services.routing import only_return_left

    if dossier.status == Status.SUBMITTED:
        return "receive"
    if dossier.status in (Status.RECEIVED, Status.PROCESSING):
        return "complete" if dossier.status == Status.PROCESSING and only_return_left(dossier=dossier) else "hand_over"
    return {
        Status.SUPPLEMENT_REQUESTED: "resubmit",
        Status.AWAITING_PAYMENT: "record_payment",
        Status.DONE: "return_result",
    }.get(dossier.status)


def form_for(action: Action, dossier: Dossier, data=None, files=None):
    if action.form is None:
        return None
    if action.form in (HandOverForm, ReturnForm):
        return action.form(data, files, dossier=dossier, prefix=action.name)
    return action.form(data, files, prefix=action.name)


class StateMissing(ValidationError):
    """An action was sent without the dossier's version the person last saw."""


def expected_state(data) -> dict:
    """What the person last saw of the dossier (its version, and its status when sent), from a page
    form or API body, for the services to check under the row lock. The version is required: without
    it, two people acting at once (or one request sent twice) could both succeed."""
    state = {}
    if data.get("expected_status") in Status.values:
        state["expected_status"] = data["expected_status"]
    version = str(data.get("expected_version", "")).strip()
    if not (version.isascii() and version.isdecimal() and len(version) <= 12):
        raise StateMissing(
            {
                "expected_version": _(
                    "Send the dossier's version as you last read it (“version” of the dossier), so that "
                    "two people acting at once cannot both succeed."
                )
            },
            code="version_missing",
        )
    state["expected_version"] = int(version)
    return state
