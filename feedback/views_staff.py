"""The staff's side: the feedback their unit holds, answered or passed on from its page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from onestop.form_errors import form_add_service_errors

from .forms_staff import SUBJECT_FOR_STAFF, FeedbackAnswerForm, FeedbackInboxFilterForm, FeedbackMoveForm
from .models import Feedback
from .permissions import can_answer, can_handle, feedback_units_handled, move_targets
from .selectors_staff import (
    DUE_OVERDUE,
    DUE_TODAY,
    feedback_dossier_openable,
    feedback_events,
    feedback_get_for_staff,
    feedback_inbox,
    feedback_inbox_counts,
    feedback_list_passed_down,
)
from .services import feedback_answer, feedback_move

PAGE_SIZE = 25


class FeedbackHandlerRequiredMixin(LoginRequiredMixin):
    """Logged in (else the login page), and handling some unit's feedback (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not feedback_units_handled(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FeedbackInboxView(FeedbackHandlerRequiredMixin, View):
    """The feedback the user's units hold, with its counters and filters, and what they passed down."""

    def get(self, request):
        now = timezone.now()
        form = FeedbackInboxFilterForm(request.GET or None)
        filters = form.filters()
        feedback = feedback_inbox(
            user=request.user,
            status=filters.get("status"),
            due=filters.get("due"),
            subject=filters.get("subject"),
            query=filters.get("q", ""),
            now=now,
        )
        page = Paginator(feedback, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        for item in page.object_list:
            item.subject_label = SUBJECT_FOR_STAFF.get(item.subject, item.subject)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "feedback/staff/inbox.html",
            {
                "form": form,
                "page": page,
                "filters_query": query.urlencode(),
                "counts": feedback_inbox_counts(user=request.user, now=now),
                "passed_down": list(feedback_list_passed_down(user=request.user, now=now)[:PAGE_SIZE]),
                "due_today": DUE_TODAY,
                "due_overdue": DUE_OVERDUE,
                "filtered": bool(filters),
            },
        )


def _feedback_or_404(request, reference) -> Feedback:
    feedback = feedback_get_for_staff(user=request.user, reference=reference)
    if feedback is None:
        raise Http404
    return feedback


def render_feedback_page(request, feedback: Feedback, *, answer_form=None, move_form=None, status=200):
    """The feedback's page, with the forms the user may use (bound ones keep what was typed)."""
    user = request.user
    handling = can_handle(user=user, feedback=feedback)
    targets = move_targets(user=user, feedback=feedback)
    answering = can_answer(user=user, feedback=feedback)
    if answer_form is None and answering:
        answer_form = FeedbackAnswerForm(feedback=feedback)
    if move_form is None and targets:
        move_form = FeedbackMoveForm(targets=targets)
    context = {
        "feedback": feedback,
        "subject_label": SUBJECT_FOR_STAFF.get(feedback.subject, feedback.subject),
        "events": list(feedback_events(feedback=feedback)),
        "attachments": list(feedback.attachments.all()),
        "attachments_downloadable": handling,
        "answer_form": answer_form,
        "answering": answering,
        "move_form": move_form if targets or (move_form is not None and move_form.is_bound) else None,
        "taking_back": bool(targets) and not handling,
        "dossier_openable": feedback_dossier_openable(user=user, feedback=feedback),
    }
    return render(request, "feedback/staff/detail.html", context, status=status)


class FeedbackStaffDetailView(LoginRequiredMixin, View):
    """One feedback's page, for the staff of the unit holding it and for the unit above that may take it
    back (``feedback_get_for_staff``, which its forms post through too); 404 for anyone else logged in:
    nobody learns whether a feedback exists."""

    def get(self, request, reference):
        return render_feedback_page(request, _feedback_or_404(request, reference))


class FeedbackAnswerView(LoginRequiredMixin, View):
    def post(self, request, reference):
        feedback = _feedback_or_404(request, reference)
        if not can_handle(user=request.user, feedback=feedback):
            raise PermissionDenied  # the unit above may read it and take it back, not answer for it
        form = FeedbackAnswerForm(request.POST, feedback=feedback)
        if form.is_valid():
            try:
                feedback_answer(
                    feedback=feedback,
                    by=request.user,
                    answer=form.cleaned_data["answer"],
                    public_summary=form.cleaned_data.get("public_summary", ""),
                    public_answer=form.cleaned_data.get("public_answer", ""),
                )
            except ValidationError as error:  # answered meanwhile (a second click, a colleague)
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("The answer is recorded and sent to the sender."))
                return redirect("feedback:staff_detail", reference=feedback.reference)
            feedback = _feedback_or_404(request, reference)
        return render_feedback_page(request, feedback, answer_form=form, status=400)


class FeedbackMoveView(LoginRequiredMixin, View):
    def post(self, request, reference):
        feedback = _feedback_or_404(request, reference)
        if feedback.answered_at is not None:  # answered meanwhile: nothing left to pass on
            messages.error(request, _("This feedback has been answered; it stays with the unit that answered it."))
            return redirect("feedback:staff_detail", reference=feedback.reference)
        form = FeedbackMoveForm(request.POST, targets=move_targets(user=request.user, feedback=feedback))
        if form.is_valid():
            target = form.cleaned_data["to_agency"]
            try:
                feedback_move(feedback=feedback, by=request.user, to_agency=target, note=form.cleaned_data["note"])
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("The feedback is passed to %(unit)s.") % {"unit": target.name})
                if feedback_get_for_staff(user=request.user, reference=reference) is None:
                    return redirect("feedback:staff_inbox")  # passed up: no longer this unit's to see
                return redirect("feedback:staff_detail", reference=feedback.reference)
            feedback = _feedback_or_404(request, reference)
        return render_feedback_page(request, feedback, move_form=form, status=400)
