"""The staff actions on a dossier: which exist, which the table and the person's role allow now, the
form each needs, and the service each calls. Pages and the API share this one list."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, StaffMembership, User
from accounts.selectors import agency_subtree

from . import permissions
from .constants import OPEN_STATUSES, TRANSITIONS, ResultDelivery, Status
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
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = handover_targets(dossier=dossier)


class PaymentRequestForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


class CompleteForm(forms.Form):
    result = forms.FileField(label=_("Result document (PDF or image)"))
    note = forms.CharField(label=_("Note"), required=False)


class ReturnForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Returned"), choices=ResultDelivery.choices, widget=forms.RadioSelect)
    record = forms.CharField(label=_("Delivery record (postal parcel number, receiver)"), required=False)


class ApologyForm(ReasonForm):
    new_appointment = forms.DateTimeField(
        label=_("New appointment"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ResubmitForm(forms.Form):
    file = forms.FileField(label=_("Added document"), required=False)
    note = forms.CharField(label=_("Note"), required=False)


def handover_targets(*, dossier: Dossier) -> list[tuple[str, str]]:
    """Units of the dossier's administrative tree, each alone (its queue) or with one of its staff; the
    units of the route's next step come first."""
    from .services.routing import next_route_step

    upcoming = next_route_step(dossier=dossier)
    first_unit = (upcoming.agency_id or dossier.agency_id) if upcoming else None
    root = dossier.agency
    while root.parent_id is not None:
        root = root.parent
    agencies = list(agency_subtree(agency=root).filter(is_active=True))
    staff = (
        StaffMembership.objects.filter(agency__in=agencies, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("agency__path", "user__full_name")
    )
    by_agency = {}
    for membership in staff:
        by_agency.setdefault(membership.agency_id, []).append(membership)
    choices = []
    agencies.sort(key=lambda agency: agency.pk != first_unit)  # stable: the next step's unit first
    for agency in agencies:
        choices.append((f"a{agency.pk}", agency.name))
        for membership in by_agency.get(agency.pk, []):
            label = f"{agency.name} — {membership.user.full_name} ({membership.get_role_display()})"
            choices.append((f"a{agency.pk}u{membership.user_id}", label))
    return choices


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
        lambda d, u, c, e: workflow.dossier_complete(dossier=d, by=u, results=[c["result"]], note=c["note"], **e),
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
    """The actions ``user`` may take on ``dossier`` now."""
    return [a for a in ACTIONS if _possible(a, dossier) and a.allowed(user=user, dossier=dossier)]


def form_for(action: Action, dossier: Dossier, data=None, files=None):
    if action.form is None:
        return None
    if action.form is HandOverForm:
        return HandOverForm(data, files, dossier=dossier, prefix=action.name)
    return action.form(data, files, prefix=action.name)


def expected_state(data) -> dict:
    """What the person last saw of the dossier (status and version), from a page form or API body, for
    the services to check under the row lock."""
    state = {}
    if data.get("expected_status") in Status.values:
        state["expected_status"] = data["expected_status"]
    version = str(data.get("expected_version", "")).strip()
    if version.isdigit():
        state["expected_version"] = int(version)
    return state
