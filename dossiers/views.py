from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.views import View

from procedures.selectors import procedure_get_current


class DossierStartView(LoginRequiredMixin, View):
    """Where "Submit online" leads: what to prepare for this procedure before filling in the dossier."""

    def get(self, request, code):
        version = procedure_get_current(code=code)
        if version is None or not version.is_online:
            raise Http404
        return render(request, "dossiers/start.html", {"version": version})
