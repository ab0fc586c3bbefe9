"""Leaders' report of feedback and petitions: the table for a unit and a period, the feedback behind any
number, and the CSV, XLSX and PDF files. The same audience, choice of unit and period as the 06a report
(``reports.views.LeaderRequiredMixin``: the units a leader leads and those below; anyone else 403)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from accounts.selectors import agency_subtree
from reports.exports import sheet_response
from reports.views import LeaderRequiredMixin
from reports.views import _query as report_query

from .exports import sheet_feedback
from .report import CELL_LABELS, RATE_HOW, RATE_LABEL, cell_feedback, feedback_report, item_state

PAGE_SIZE = 100


class FeedbackCellForm(forms.Form):
    """Which number to open: a column (or the rate's denominator), and a unit (none: the total)."""

    col = forms.ChoiceField(choices=[(key, key) for key in CELL_LABELS])
    unit = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def _invalid(request, form):
    return render(request, "feedback/report.html", {"form": form, "report": None}, status=400)


class FeedbackReportView(LeaderRequiredMixin, View):
    def get(self, request):
        form = self.report_form(request)
        report = None
        if form.is_valid():
            report = feedback_report(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"])
        context = {
            "form": form,
            "report": report,
            "query": report_query(form, grouping="unit"),
            "rate_label": RATE_LABEL,
            "rate_how": RATE_HOW,
        }
        return render(request, "feedback/report.html", context, status=200 if form.is_valid() else 400)


class FeedbackReportCellView(LeaderRequiredMixin, View):
    """The feedback behind one number of the report: exactly as many rows as the number."""

    def get(self, request):
        form = self.report_form(request)
        cell = FeedbackCellForm(request.GET)
        if not (form.is_valid() and cell.is_valid()):
            return _invalid(request, form)
        agency, period = form.cleaned_data["agency"], form.cleaned_data["period"]
        unit = None
        if cell.cleaned_data.get("unit") is not None:
            unit = agency_subtree(agency=agency).filter(pk=cell.cleaned_data["unit"]).first()
            if unit is None:  # not a unit under the one chosen: not this leader's to open
                raise PermissionDenied
        column = cell.cleaned_data["col"]
        page = Paginator(cell_feedback(agency=agency, period=period, column=column, unit=unit), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        feedback = list(page.object_list)
        names = dict(
            agency_subtree(agency=agency).filter(pk__in={f.holder for f in feedback}).values_list("pk", "name")
        )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "items": [(f, names.get(f.holder, ""), item_state(f, period=period)) for f in feedback],
            "agency": agency,
            "unit": unit,
            "period": period,
            "column_label": CELL_LABELS[column],
            "query": report_query(form, grouping="unit"),
            "page_query": query.urlencode(),
        }
        return render(request, "feedback/report_cell.html", context)


class FeedbackReportExportView(LeaderRequiredMixin, View):
    """The report as CSV, XLSX or PDF, with the 06a files' header."""

    def get(self, request, fmt):
        form = self.report_form(request)
        if not form.is_valid():
            return _invalid(request, form)
        sheet = sheet_feedback(feedback_report(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"]))
        return sheet_response(sheet, fmt)
