"""Leaders' report pages: the dashboard, the 06a table and the online-service table for a unit and a
period, the dossiers behind any number, and the CSV, XLSX and PDF files. Thin: the form says which
report, the selectors compute it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from .dashboard import dashboard, overdue_held_by
from .exports import sheet_06a, sheet_online, sheet_response
from .forms import CellForm, ReportForm, report_agencies
from .indicators import NOT_AVAILABLE, RATES, indicator_table
from .reception import RECEPTION_COLUMNS, RECEPTION_KEYS, reception_dossiers, with_wait
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
        """The choice of unit and period from the query string; without one, the last valid choice of
        this session (so the header's "Reports" keeps it), else the current quarter of the first unit."""
        if "agency" in request.GET:
            form = ReportForm(request.GET, agencies=self.agencies)
            if form.is_valid():
                request.session[CHOICE_KEY] = _query(form)
            return form
        remembered = request.session.get(CHOICE_KEY)
        if remembered:
            form = ReportForm(QueryDict(remembered), agencies=self.agencies)
            if form.is_valid():
                return form
        return ReportForm(ReportForm.initial_for(self.agencies), agencies=self.agencies)


CHOICE_KEY = "reports_choice"  # the last valid choice of unit and period, as a query string


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
        query = _query(form)
        return render(
            request, "reports/report_06a.html", {"form": form, "report": report, "query": query}, status=status
        )


def _query(form, **overrides) -> str:
    """The report's choice (unit, period, grouping) as a query string, and nothing else: links built
    on it never carry a drill-down's unit, column or page."""
    query = QueryDict(mutable=True)
    for name in form.fields:
        value = form.data.get(name)
        if value not in (None, ""):
            query[name] = value
    for name, value in overrides.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


class Report06aExportView(LeaderRequiredMixin, View):
    """The 06a report (or, with ``table=online``, the online-service table) as CSV, XLSX or PDF."""

    def get(self, request, fmt):
        form = self.report_form(request)
        if not form.is_valid():
            return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
        agency, period = form.cleaned_data["agency"], form.cleaned_data["period"]
        if request.GET.get("table") == "online":
            sheet = sheet_online(indicator_table(agency=agency, period=period))
        else:
            sheet = sheet_06a(report_06a(agency=agency, period=period, grouping=form.cleaned_data["grouping"]))
        return sheet_response(sheet, fmt)


class OnlineServicesView(LeaderRequiredMixin, View):
    """The online-service table the province asks for, with the indicators per unit."""

    def get(self, request):
        form = self.report_form(request)
        context = {"form": form, "query": _query(form, grouping="unit")}
        if form.is_valid():
            table = indicator_table(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"])
            context["sheet"] = sheet_online(table)
            context["report"] = table.report
            context["rows"] = _linked_rows(context["sheet"], table.report, context["query"])
            context["rates_how"] = [(label, how) for label, _num, _den, how in RATES.values()]
            context["not_available"] = list(NOT_AVAILABLE.values())
        return render(request, "reports/online.html", context, status=200 if form.is_valid() else 400)


# The columns of the online-service table (by their place in a row) that open to their dossiers.
ONLINE_LINKS = {2: "online", 3: "direct", 4: "waiting_reception", 6: "waiting_reception_late", 7: "waiting_completion"}


def _linked_rows(sheet, report, query: str) -> list[list[tuple]]:
    """The table's rows as (value, link or None) cells: each counted number of ``ONLINE_LINKS`` opens
    to the list of its dossiers."""
    cell = reverse("reports:report_06a_cell")
    rows = []
    for row, values in zip([*report.rows, report.total], sheet.table(), strict=True):
        unit = f"&unit={row.key}" if row.key is not None else ""
        rows.append(
            [
                (
                    value,
                    f"{cell}?{query}{unit}&column={ONLINE_LINKS[index]}" if index in ONLINE_LINKS and value else None,
                )
                for index, value in enumerate(values)
            ]
        )
    return rows


class Report06aCellView(LeaderRequiredMixin, View):
    """The dossiers behind one number of the report: exactly as many rows as the number."""

    def get(self, request):
        form = self.report_form(request)
        cell = CellForm(request.GET)
        if not (form.is_valid() and cell.is_valid()):
            return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
        agency, grouping = form.cleaned_data["agency"], form.cleaned_data["grouping"]
        if (grouping == "unit" and cell.cleaned_data.get("key")) or (
            grouping != "unit" and cell.cleaned_data.get("unit")
        ):
            return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
        unit = None
        if cell.cleaned_data.get("unit"):
            unit = next((u for u in _units(agency) if u.pk == cell.cleaned_data["unit"]), None)
            if unit is None:
                raise PermissionDenied
        column, period = cell.cleaned_data["column"], form.cleaned_data["period"]
        if column in RECEPTION_KEYS:  # not received: outside the 06a, listed with their wait
            if grouping != "unit":
                return render(request, "reports/report_06a.html", {"form": form, "report": None}, status=400)
            units = [unit] if unit else _units(agency)
            dossiers = reception_dossiers(units=units, period=period, column=column)
        else:
            dossiers = cell_dossiers(
                agency=agency,
                period=period,
                column=column,
                unit=unit,
                grouping=grouping,
                key=cell.cleaned_data.get("key"),
            )
        page = Paginator(dossiers, 100).get_page(request.GET.get("page"))
        if column in RECEPTION_KEYS:
            page.object_list = with_wait(list(page.object_list), period=period)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "unit": unit,
            "queue": column in RECEPTION_KEYS,
            "column_label": {**dict(COLUMNS), **dict(RECEPTION_COLUMNS)}[column],
            "grouping_label": GROUPINGS[grouping][1],
            "query": _query(form),
            "page_query": query.urlencode(),
            "period": form.cleaned_data["period"],
            "agency": agency,
            "back": "reports:report_06a",
        }
        return render(request, "reports/cell.html", context)


def _units(agency):
    from .selectors import receiving_units

    return receiving_units(agency=agency)


class DashboardView(LeaderRequiredMixin, View):
    """The leaders' dashboard: indicators against targets, units ranked, trend by month, overdue now."""

    def get(self, request):
        form = self.report_form(request)
        # The dashboard's rows are units, whatever grouping the 06a page was showing.
        context = {
            "form": form,
            "query": _query(form, grouping="unit"),
            "query_without_agency": _query(form, grouping="unit", agency=None),
        }
        if form.is_valid():
            context.update(dashboard(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"]))
            context["rates_how"] = [(label, how) for label, _num, _den, how in RATES.values()]
            context["not_available"] = list(NOT_AVAILABLE.values())
        return render(request, "reports/dashboard.html", context, status=200 if form.is_valid() else 400)


class OverdueHeldView(LeaderRequiredMixin, View):
    """The dossiers overdue now under a unit, held by one unit (a number of the dashboard)."""

    def get(self, request, unit):
        form = self.report_form(request)
        if not form.is_valid():
            return render(request, "reports/dashboard.html", {"form": form}, status=400)
        agency = form.cleaned_data["agency"]
        from accounts.selectors import agency_subtree

        holder = agency_subtree(agency=agency).filter(pk=unit).first()
        if holder is None:
            raise PermissionDenied
        page = Paginator(overdue_held_by(agency=agency, unit=holder), 100).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "reports/cell.html",
            {
                "form": form,
                "page": page,
                "unit": holder,
                "column_label": _("Overdue now"),
                "query": _query(form),
                "page_query": query.urlencode(),
                "period": None,
                "agency": agency,
                "back": "reports:dashboard",
            },
        )
