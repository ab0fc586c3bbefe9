"""The report data as JSON, for leaders (the same rules and the same choice of unit and period as the
pages): the 06a report, and the online-service counts with the indicators."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..forms import ReportForm, report_agencies
from ..indicators import indicator_table
from ..selectors import COLUMN_KEYS, report_06a

PERIOD_PARAMETERS = [
    OpenApiParameter("agency", str, required=True, description="The unit's code, e.g. 000.00.22.H56"),
    OpenApiParameter("kind", str, required=True, enum=["month", "quarter", "half", "nine_months", "year", "range"]),
    OpenApiParameter("year", int, required=True, description="2015 or later"),
    OpenApiParameter("number", int, description="The month (1-12) or the quarter (1-4)"),
    OpenApiParameter("first_day", str, description="For a range: YYYY-MM-DD"),
    OpenApiParameter("last_day", str, description="For a range: YYYY-MM-DD"),
    OpenApiParameter("cutoff", bool, description="The official cut-off (15th to 14th)"),
]

Report06aCountsSerializer = type(
    "Report06aCountsSerializer", (serializers.Serializer,), {key: serializers.IntegerField() for key in COLUMN_KEYS}
)


class Report06aRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="The unit, field or procedure id; null for the total")
    label = serializers.CharField()
    counts = Report06aCountsSerializer()


class ReportPeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    label = serializers.CharField()
    cutoff = serializers.BooleanField()


class Report06aSerializer(serializers.Serializer):
    agency = serializers.CharField()
    period = ReportPeriodSerializer()
    grouping = serializers.CharField()
    rows = Report06aRowSerializer(many=True)
    total = Report06aRowSerializer()


class IndicatorRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="The unit id; null for the total")
    label = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rates = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="online_share, on_time_rate, digitisation_rate in percent; null when nothing to divide by",
    )
    oldest_waiting_for_reception_days = serializers.FloatField(
        allow_null=True,
        help_text="The longest wait, in working days, of the dossiers counted in counts.waiting_reception "
        "(submitted online, not yet received at the end of the period or now); null when none waits",
    )


class IndicatorsSerializer(serializers.Serializer):
    agency = serializers.CharField()
    period = ReportPeriodSerializer()
    rows = IndicatorRowSerializer(many=True)
    total = IndicatorRowSerializer()


def _report_form(request) -> ReportForm:
    agencies = report_agencies(user=request.user)
    if not agencies:
        raise PermissionDenied
    form = ReportForm(request.query_params, agencies=agencies)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form


def _period(period) -> dict:
    return {"first_day": period.first_day, "last_day": period.last_day, "label": period.label, "cutoff": period.cutoff}


class Report06aApiView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The 06a report of a unit for a period",
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("grouping", str, enum=["unit", "field", "procedure"])],
        responses=Report06aSerializer,
    )
    def get(self, request):
        form = _report_form(request)
        report = report_06a(
            agency=form.cleaned_data["agency"],
            period=form.cleaned_data["period"],
            grouping=form.cleaned_data["grouping"],
        )

        def row(r):
            return {"key": r.key, "label": r.label, "counts": dict(r.cells)}

        return Response(
            {
                "agency": report.agency.code,
                "period": _period(report.period),
                "grouping": report.grouping,
                "rows": [row(r) for r in report.rows],
                "total": row(report.total),
            }
        )


class IndicatorsApiView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Online-service counts and indicators of a unit for a period",
        parameters=PERIOD_PARAMETERS,
        responses=IndicatorsSerializer,
    )
    def get(self, request):
        form = _report_form(request)
        table = indicator_table(agency=form.cleaned_data["agency"], period=form.cleaned_data["period"])

        def row(r):
            queue = table.queue(r)
            oldest = queue.oldest_days if queue else None
            return {
                "key": r.key,
                "label": r.label,
                "counts": r.counts,
                "rates": table.rates(r),
                "oldest_waiting_for_reception_days": None if oldest is None else float(oldest),
            }

        report = table.report
        return Response(
            {
                "agency": report.agency.code,
                "period": _period(report.period),
                "rows": [row(r) for r in report.rows],
                "total": row(report.total),
            }
        )
