"""The province's targets in the portal: the list every leader reads, the pages where a province's
leader sets, changes and deletes them (each change kept with who and when), and the dashboard's
indicators against the targets as XLSX and PDF files. Thin: the permissions say who, the service
``reports.targets`` does it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from .dashboard import dashboard
from .exports import DASHBOARD_WRITERS, sheet_dashboard, sheet_response
from .forms import TargetFilterForm, TargetForm
from .permissions import can_change_target, can_set_targets, provinces_led_by
from .targets import target_change_list, target_delete, target_list_visible_to, target_save, target_units_for
from .views import LeaderRequiredMixin


def _list_url(year) -> str:
    return f"{reverse('reports:targets')}?year={year}"


class TargetListView(LeaderRequiredMixin, View):
    """The targets of a year (by indicator and period), with their sources and last change; the
    latest changes under them."""

    def get(self, request):
        data = request.GET if request.GET else {"year": timezone.localdate().year}
        form = TargetFilterForm(data)
        filters = form.cleaned_data if form.is_valid() else {"year": timezone.localdate().year}
        year = filters.get("year") or timezone.localdate().year
        targets = list(
            target_list_visible_to(
                user=request.user,
                year=year,
                indicator=filters.get("indicator", ""),
                period_kind=filters.get("period_kind", ""),
            )
        )
        provinces = provinces_led_by(user=request.user)
        editable = {t.pk for t in targets if can_change_target(user=request.user, target=t, provinces=provinces)}
        context = {
            "form": form,
            "year": year,
            "targets": targets,
            "editable": editable,
            "can_set": can_set_targets(user=request.user),
            "changes": target_change_list(
                user=request.user, targets=target_list_visible_to(user=request.user, year=year), year=year, limit=20
            ),
        }
        return render(request, "reports/targets.html", context, status=200 if form.is_valid() else 400)


class TargetSetterMixin(LeaderRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_set_targets(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def target(self, request, pk):
        """The target of the URL, if this person may change it."""
        target = get_object_or_404(target_list_visible_to(user=request.user), pk=pk)
        if not can_change_target(user=request.user, target=target):
            raise PermissionDenied
        return target


def _save(request, form, target=None):
    """Validate and save through the service; the form with its errors when it fails."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return target_save(
            target=target,
            by=request.user,
            indicator=data["indicator"],
            period_kind=data["period_kind"],
            year=data["year"],
            number=data.get("number"),
            agency=data.get("agency"),
            agency_kind=data.get("agency_kind", ""),
            value=data["value"],
            note=data["note"],
        )
    except ValidationError as error:
        form.add_error(None, error)
    except PermissionError as error:
        raise PermissionDenied from error
    return None


class TargetCreateView(TargetSetterMixin, View):
    def get(self, request):
        initial = {"year": request.GET.get("year") or timezone.localdate().year}
        form = TargetForm(initial=initial, units=target_units_for(user=request.user))
        return render(request, "reports/target_form.html", {"form": form, "target": None})

    def post(self, request):
        form = TargetForm(request.POST, units=target_units_for(user=request.user))
        target = _save(request, form)
        if target is None:
            return render(request, "reports/target_form.html", {"form": form, "target": None}, status=400)
        messages.success(request, _("The target is set."))
        return redirect(_list_url(target.year))


class TargetDetailView(LeaderRequiredMixin, View):
    """A target, its source and its whole history."""

    def get(self, request, pk):
        target = get_object_or_404(target_list_visible_to(user=request.user), pk=pk)
        context = {"target": target, "can_change": can_change_target(user=request.user, target=target)}
        return render(request, "reports/target_detail.html", context)


class TargetEditView(TargetSetterMixin, View):
    def get(self, request, pk):
        target = self.target(request, pk)
        form = TargetForm(instance=target, units=target_units_for(user=request.user))
        return render(request, "reports/target_form.html", {"form": form, "target": target})

    def post(self, request, pk):
        target = self.target(request, pk)
        form = TargetForm(request.POST, instance=target, units=target_units_for(user=request.user))
        saved = _save(request, form, target=target)
        if saved is None:
            return render(request, "reports/target_form.html", {"form": form, "target": target}, status=400)
        messages.success(request, _("The target is changed."))
        return redirect(_list_url(saved.year))


class TargetDeleteView(TargetSetterMixin, View):
    def get(self, request, pk):
        return render(request, "reports/target_delete.html", {"target": self.target(request, pk)})

    def post(self, request, pk):
        target = self.target(request, pk)
        year = target.year
        target_delete(target=target, by=request.user)
        messages.success(request, _("The target is deleted; its history is kept."))
        return redirect(_list_url(year))


class DashboardExportView(LeaderRequiredMixin, View):
    """The dashboard's indicators against the targets for the chosen unit and period, as XLSX or PDF."""

    def get(self, request, fmt):
        form = self.report_form(request)
        if not form.is_valid():
            return render(request, "reports/dashboard.html", {"form": form}, status=400)
        board = dashboard(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"])
        sheet = sheet_dashboard(board)
        return sheet_response(sheet, fmt, writers=DASHBOARD_WRITERS)
