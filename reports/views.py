"""Leaders' report pages: the 06a table for a unit and a period, the dossiers behind any number, and
its CSV and XLSX files. Thin: the form says which report, the selectors compute it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views import View

from .exports import report_csv, report_xlsx
from .forms import CellForm, ReportForm, report_agencies
from .selectors import COLUMNS, GROUPINGS, cell_dossiers, report_06a


class LeaderRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agencies = report_agencies(user=request.user)
        if not self.agencies:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def report_form(self, request) -> ReportForm:
        data = request.GET if "agency" in request.GET else ReportForm.initial_for(self.agencies)
        return ReportForm(data, agencies=self.agencies)


class Report06aView(LeaderRequiredMixin, View):
    def get(self, request):
        form = self.report_form(request)
        report = None
        if form.is_valid():
            report = report_06a(
                agency=form.cleaned_data["agency"],
                period=form.cleaned_data["period"],
                grouping=form.cleaned_data["grouping"],
            )
        status = 200 if form.is_valid() else 400
        query = request.GET.urlencode() if "agency" in request.GET else _query(form)
        return render(
            request, "reports/report_06a.html", {"form": form, "report": report, "query": query}, status=status
        )


def _query(form) -> str:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in form.data.items():
        query[name] = value
    return query.urlencode()


class Report06aExportView(LeaderRequiredMixin, View):
    def get(self, request, fmt):
        form = self.report_form(request)
        if not form.is_valid():
            return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
        report = report_06a(
            agency=form.cleaned_data["agency"],
            period=form.cleaned_data["period"],
            grouping=form.cleaned_data["grouping"],
        )
        name = f"06a-{report.agency.code}-{report.period.first_day:%Y%m%d}-{report.period.last_day:%Y%m%d}"
        if fmt == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response


class Report06aCellView(LeaderRequiredMixin, View):
    """The dossiers behind one number of the report: exactly as many rows as the number."""

    def get(self, request):
        form = self.report_form(request)
        cell = CellForm(request.GET)
        if not (form.is_valid() and cell.is_valid()):
            return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
        agency, grouping = form.cleaned_data["agency"], form.cleaned_data["grouping"]
        unit = None
        if grouping == "unit" and cell.cleaned_data.get("unit"):
            unit = next((u for u in _units(agency) if u.pk == cell.cleaned_data["unit"]), None)
            if unit is None:
                raise PermissionDenied
        dossiers = cell_dossiers(
            agency=agency,
            period=form.cleaned_data["period"],
            column=cell.cleaned_data["column"],
            unit=unit,
            grouping=grouping,
            key=cell.cleaned_data.get("key"),
        )
        page = Paginator(dossiers, 100).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "unit": unit,
            "column_label": dict(COLUMNS)[cell.cleaned_data["column"]],
            "grouping_label": GROUPINGS[grouping][1],
            "query": query.urlencode(),
            "period": form.cleaned_data["period"],
            "agency": agency,
        }
        return render(request, "reports/cell.html", context)


def _units(agency):
    from .selectors import receiving_units

    return receiving_units(agency=agency)
