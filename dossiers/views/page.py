"""The dossier's page, shared by the page itself and the staff actions posted from it (an action whose
form is refused shows the page again with the form open, as the person filled it, and its errors)."""

from django.shortcuts import render

from accounts.permissions import is_staff_member

from ..actions import actions_for, form_for
from ..constants import DELIVERY_FOR_STAFF, OPEN_STATUSES, Status
from ..models import Payment, Rating
from ..payments.services import payment_due
from ..permissions import can_download_receipt
from ..selectors import (
    dossier_answers,
    dossier_applicant_card,
    dossier_current_since,
    dossier_timeliness,
    result_available,
    slip_list_visible_to,
    step_timeliness,
)


def staff_context(*, user, dossier, bound=None) -> dict:
    """The actions open to ``user`` on ``dossier`` with their forms, the one the route expects next
    first and open (or ``bound``, an (action, form) the person just sent and must correct)."""
    actions = actions_for(user=user, dossier=dossier)
    chosen = bound[0].name if bound else None
    pairs = [(action, bound[1] if action.name == chosen else form_for(action, dossier)) for action in actions]
    opened = chosen or (actions[0].name if actions else None)
    return {"staff_actions": pairs, "open_action": opened}


def render_dossier_page(request, dossier, *, bound=None, status: int = 200, extra: dict | None = None):
    user = request.user
    staff = is_staff_member(user=user)
    context = {
        "dossier": dossier,
        "is_staff_member": staff,
        "timeliness": dossier_timeliness(dossier=dossier),
        "open_statuses": OPEN_STATUSES,
        "current_since": dossier_current_since(dossier=dossier),
        "form_fields": dossier_answers(dossier=dossier),
        "receipt_available": can_download_receipt(user=user, dossier=dossier),
        "payment_due": payment_due(dossier) if dossier.applicant_id == user.pk else 0,
        "paid_payments": dossier.payments.filter(status=Payment.Status.PAID),
        "is_applicant": dossier.applicant_id == user.pk,
        # The applicant's result is ready: a banner at the top says so, with the fee to pay or the file.
        "result_banner": dossier.applicant_id == user.pk and dossier.status in (Status.DONE, Status.RETURNED),
        "result_available": result_available(dossier),
        "dossier_rating": Rating.objects.filter(dossier=dossier).first(),
        "slips": slip_list_visible_to(user=user, dossier=dossier),
        "rating_levels": Rating.Level.choices,
    }
    # The actions this person may take now: a clerk's desk work, or a citizen's withdrawal and
    # resubmission after a supplement request.
    context |= staff_context(user=user, dossier=dossier, bound=bound)
    context["page_has_errors"] = bound is not None  # an action's form came back to be corrected
    # The applicant reads their own choice ("to my address"); staff read it about the applicant.
    if dossier.result_delivery:
        own = dossier.applicant_id == user.pk
        context["delivery_label"] = (
            dossier.get_result_delivery_display() if own else DELIVERY_FOR_STAFF[dossier.result_delivery]
        )
    if staff:
        context["applicant_card"] = dossier_applicant_card(dossier=dossier)
        context["steps"] = [
            (step, step_timeliness(step=step))
            for step in dossier.steps.select_related("agency", "assignee", "handed_by")
        ]
    return render(request, "dossiers/detail.html", context | (extra or {}), status=status)
