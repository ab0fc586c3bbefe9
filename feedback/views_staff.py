"""The staff's side: the feedback their unit holds."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.views import View

from .models import Feedback
from .permissions import can_handle


class FeedbackStaffDetailView(LoginRequiredMixin, View):
    """One feedback, for the staff of the unit holding it."""

    def get(self, request, reference):
        feedback = Feedback.objects.select_related("agency", "sender").filter(reference=reference).first()
        if feedback is None or not can_handle(user=request.user, feedback=feedback):
            raise Http404
        return render(request, "feedback/staff/detail.html", {"feedback": feedback})
