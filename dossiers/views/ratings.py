"""Satisfaction ratings: by the applicant on their dossier's page, or on the desk's tablet."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from ..models import Rating
from ..selectors import dossier_get_detail_or_404
from ..services import dossier_rate


def _rate(request, dossier, channel):
    try:
        dossier_rate(
            dossier=dossier,
            by=request.user,
            level=request.POST.get("level", ""),
            comment=request.POST.get("comment", ""),
            channel=channel,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return False
    messages.success(request, _("Thank you for your rating."))
    return True


class RateView(LoginRequiredMixin, View):
    def post(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        _rate(request, dossier, Rating.Where.ONLINE)
        return redirect(dossier.get_absolute_url())


class DeskRateView(LoginRequiredMixin, View):
    """A page for the desk's tablet: the clerk opens it, the citizen taps how satisfied they are."""

    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        return render(request, "dossiers/rate_desk.html", {"dossier": dossier, "levels": Rating.Level.choices})

    def post(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        done = _rate(request, dossier, Rating.Where.DESK)
        if done:
            return render(request, "dossiers/rate_desk.html", {"dossier": dossier, "thanked": True})
        return render(
            request, "dossiers/rate_desk.html", {"dossier": dossier, "levels": Rating.Level.choices}, status=400
        )
