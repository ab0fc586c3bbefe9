from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.constants import ADMINISTRATIVE_KINDS, Role
from accounts.models import Agency
from accounts.selectors import agency_subtree, membership_list_active
from onestop.choose import choose
from onestop.widgets import DAY_FORMATS, DayInput

from .models import Indicator, Target, TargetPeriod
from .periods import KINDS, MONTH, QUARTER, RANGE, period_current, period_for, period_range
from .reception import RECEPTION_KEYS
from .selectors import COLUMN_KEYS, GROUPINGS


def report_agencies(*, user) -> list[Agency]:
    """The administrative units whose reports ``user`` may read: those they lead and every one below."""
    if user.is_superuser:
        units = Agency.objects.filter(kind__in=ADMINISTRATIVE_KINDS, is_active=True)
        return list(units.order_by("path"))
    found: dict[int, Agency] = {}
    for membership in membership_list_active(user=user, role=Role.LEADER):
        for unit in agency_subtree(agency=membership.agency).filter(kind__in=ADMINISTRATIVE_KINDS, is_active=True):
            found[unit.pk] = unit
    return sorted(found.values(), key=lambda unit: unit.path)


MIN_YEAR, MAX_YEAR = 2015, 2100
MAX_RANGE_DAYS = 3 * 366  # a dashboard counts each month of a range: keep it to a readable chart


class ReportForm(forms.Form):
    """Which report: the unit, the period (kind, year, month or quarter, or a range of days), the
    calendar or the official cut-off, and the grouping of its rows."""

    agency = forms.ModelChoiceField(
        label=_("Unit"), queryset=Agency.objects.none(), to_field_name="code", empty_label=choose(_("Choose a unit"))
    )
    kind = forms.ChoiceField(label=_("Period"), choices=list(KINDS.items()), initial=QUARTER)
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    number = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("For a month: 1 to 12; a quarter: 1 to 4."),
    )
    first_day = forms.DateField(
        label=pgettext_lazy("period", "From"), required=False, input_formats=DAY_FORMATS, widget=DayInput()
    )
    last_day = forms.DateField(
        label=pgettext_lazy("period", "To"), required=False, input_formats=DAY_FORMATS, widget=DayInput()
    )
    cutoff = forms.BooleanField(
        label=_("Official data cut-off (15th of the month before to the 14th)"), required=False, initial=True
    )
    grouping = forms.ChoiceField(
        label=_("Rows"),
        choices=[(key, label) for key, (_column, label) in GROUPINGS.items()],
        initial="unit",
        required=False,
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("path")

    @classmethod
    def initial_for(cls, agencies: list[Agency], today: date | None = None) -> dict:
        today = today or timezone.localdate()
        current = period_current(QUARTER, today=today, cutoff=True)
        return {
            "agency": agencies[0].code if agencies else None,
            "kind": QUARTER,
            "year": current.year,
            "number": current.number,
            "cutoff": "on",
            "grouping": "unit",
        }

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if self.errors:
            return cleaned
        try:
            if kind == RANGE:
                first, last = cleaned.get("first_day"), cleaned.get("last_day")
                if not first or not last:
                    raise forms.ValidationError(_("Give the first and the last day of the range."))
                if first.year < MIN_YEAR or last.year > MAX_YEAR or (last - first).days > MAX_RANGE_DAYS:
                    raise forms.ValidationError(_("A range is at most three years, between 2015 and 2100."))
                cleaned["period"] = period_range(first, last)
            else:
                number = cleaned.get("number")
                if kind in (MONTH, QUARTER) and not number:
                    raise forms.ValidationError(_("Choose the month or the quarter."))
                if kind == QUARTER and number > 4:
                    raise forms.ValidationError(_("A quarter is 1 to 4."))
                cleaned["period"] = period_for(kind, cleaned["year"], number, cutoff=cleaned.get("cutoff", False))
        except ValueError as error:
            raise forms.ValidationError(_("This period does not exist.")) from error
        cleaned["grouping"] = cleaned.get("grouping") or "unit"
        return cleaned


class CellForm(forms.Form):
    """Which number of the report to open: a column, and a unit (or nothing for the total)."""

    column = forms.ChoiceField(choices=[(key, key) for key in [*COLUMN_KEYS, *RECEPTION_KEYS]])
    unit = forms.IntegerField(required=False)
    key = forms.IntegerField(required=False)


class TargetForm(forms.ModelForm):
    """A target of the province: the indicator, the period, one unit or a level of units, the value
    and the document it comes from (the model checks the rest: a rate is 0 to 100, one unit or one
    level, a month or quarter number where one is needed)."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    value = forms.DecimalField(
        label=_("Target"),
        max_digits=12,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("A rate in % (0 to 100), or a number of dossiers."),
    )

    class Meta:
        model = Target
        fields = ["indicator", "period_kind", "year", "number", "agency", "agency_kind", "value", "note"]
        labels = {"note": _("Source document")}
        help_texts = {
            "note": _("The number, date and issuer of the plan or decision, e.g. “Kế hoạch số …/KH-UBND ngày …”."),
            "agency_kind": _("Either one unit above, or every unit of a level here."),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = units
        self.fields["agency"].empty_label = choose(_("Choose a unit"))
        for name, prompt in (
            ("indicator", _("Choose an indicator")),
            ("period_kind", _("Choose a period")),
            ("agency_kind", _("Choose a level")),
        ):
            self.fields[name].choices = [("", choose(prompt)), *self.fields[name].choices[1:]]
        self.fields["note"].required = True
        self.fields["note"].widget = forms.TextInput(attrs={"placeholder": "Kế hoạch số …/KH-UBND ngày …"})
        if self.instance.pk:  # what the target is for stays: its history reads as one target's
            for name in ("indicator", "period_kind", "year", "number", "agency", "agency_kind"):
                self.fields[name].disabled = True


class TargetFilterForm(forms.Form):
    """Which targets the list shows: a year, and optionally one indicator and one kind of period."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    indicator = forms.ChoiceField(
        label=_("Indicator"), required=False, choices=[("", _("All indicators")), *Indicator.choices]
    )
    period_kind = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", _("All periods")), *TargetPeriod.choices]
    )
