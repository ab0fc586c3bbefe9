"""The sender's pages (their feedback, the receipt and follow page of one, their word on the answer)
and the public list of published answers."""

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from .forms_citizen import FeedbackRateForm, PublishedFilterForm
from .permissions import can_rate
from .selectors_citizen import (
    feedback_get_sent_by,
    feedback_list_published,
    feedback_list_sent_by,
    published_filter_choices,
)
from .services import feedback_rate

PAGE_SIZE = 20


class FeedbackMineView(LoginRequiredMixin, View):
    """The logged-in citizen's own feedback, newest first."""

    def get(self, request):
        page = Paginator(feedback_list_sent_by(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "feedback/mine.html", {"page": page})


def _just_sent(request) -> bool:
    """Whether the sender arrives from sending it: ``?sent=1``, or the send page as the referrer (the
    send view redirects here straight after the feedback is recorded)."""
    if request.GET.get("sent") == "1":
        return True
    referrer = urlsplit(request.headers.get("referer", ""))
    return referrer.netloc == request.get_host() and referrer.path == reverse("feedback:send")


class FeedbackMineDetailView(LoginRequiredMixin, View):
    """The receipt and follow page of one feedback, for its sender only (404 for anyone else)."""

    def get(self, request, reference):
        feedback = feedback_get_sent_by(user=request.user, reference=reference)
        if feedback is None:
            raise Http404
        return render(
            request,
            "feedback/mine_detail.html",
            {
                "feedback": feedback,
                "just_sent": _just_sent(request),
                "may_rate": can_rate(user=request.user, feedback=feedback),
            },
        )


class FeedbackRateView(LoginRequiredMixin, View):
    """The sender says, once, whether the answer resolved the matter; a refusal (already said, not
    answered yet) is shown on the follow page."""

    def post(self, request, reference):
        feedback = feedback_get_sent_by(user=request.user, reference=reference)
        if feedback is None:
            raise Http404
        form = FeedbackRateForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("resolved", []):
                messages.error(request, error)
            return redirect("feedback:mine_detail", reference=feedback.reference)
        try:
            feedback_rate(feedback=feedback, by=request.user, resolved=form.cleaned_data["resolved"])
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you: your word on the answer has been recorded."))
        return redirect("feedback:mine_detail", reference=feedback.reference)


class FeedbackPublishedView(View):
    """The answers their senders allowed to publish, for anyone, filtered by procedure and unit."""

    def get(self, request):
        choices = published_filter_choices()
        form = PublishedFilterForm(request.GET or None, procedures=choices["procedures"], units=choices["units"])
        filters = form.filters()
        answers = feedback_list_published(procedure_id=filters["procedure"], agency_id=filters["unit"])
        page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
        # The next pages carry the filters that apply, nothing else of the query.
        query = urlencode({name: value for name, value in filters.items() if value is not None})
        return render(
            request,
            "feedback/published.html",
            {
                "form": form,
                "page": page,
                "query": query,
                "filtered": any(value is not None for value in filters.values()),
            },
        )
