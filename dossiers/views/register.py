"""The dossier register of a desk (sổ theo dõi hồ sơ): the page, and the same choice as XLSX or PDF."""

from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from accounts.models import Agency
from onestop.widgets import DAY_FORMATS, DayInput

from ..register import COLUMN_NUMBERS, MAX_DAYS, register_desks, register_pdf, register_sheet, register_xlsx
from .staff import StaffRequiredMixin

MIN_YEAR, MAX_YEAR = 2015, 2100
FILES = {
    "xlsx": (register_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (register_pdf, "application/pdf"),
}


class RegisterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Receiving unit"), queryset=Agency.objects.none(), to_field_name="code", empty_label=None
    )
    first_day = forms.DateField(
        label=pgettext_lazy("dossier register", "From"), input_formats=DAY_FORMATS, widget=DayInput()
    )
    last_day = forms.DateField(
        label=pgettext_lazy("dossier register", "To"), input_formats=DAY_FORMATS, widget=DayInput()
    )

    def __init__(self, *args, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = desks
        for name in ("first_day", "last_day"):
            self.fields[name].error_messages["invalid"] = _("Enter a day as dd/mm/yyyy.")

    @staticmethod
    def default_data(desk: Agency, today: date | None = None) -> dict:
        """The current month up to today, at the user's first desk."""
        today = today or timezone.localdate()
        return {"agency": desk.code, "first_day": today.replace(day=1).isoformat(), "last_day": today.isoformat()}

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if not first or not last:
            return cleaned
        if not (MIN_YEAR <= first.year <= MAX_YEAR and MIN_YEAR <= last.year <= MAX_YEAR):
            raise forms.ValidationError(
                _("Choose days between %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}
            )
        if last < first:
            raise forms.ValidationError(_("The last day comes before the first day."))
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("A register covers at most %(days)s days.") % {"days": MAX_DAYS})
        return cleaned

    def query(self) -> str:
        """The valid choice as a query string, for the links to the files."""
        query = QueryDict(mutable=True)
        query["agency"] = self.cleaned_data["agency"].code
        query["first_day"] = self.cleaned_data["first_day"].isoformat()
        query["last_day"] = self.cleaned_data["last_day"].isoformat()
        return query.urlencode()


class RegisterView(StaffRequiredMixin, View):
    """The register of one of the user's desks for a range of days; with ``fmt``, the same as a file."""

    def get(self, request, fmt=None):
        if fmt is not None and fmt not in FILES:
            raise Http404
        desks = register_desks(user=request.user)
        first_desk = desks.first()
        if first_desk is None:
            raise PermissionDenied
        chosen = any(name in request.GET for name in RegisterForm.base_fields)
        data = request.GET if chosen else RegisterForm.default_data(first_desk)
        form = RegisterForm(data, desks=desks)
        if not form.is_valid():
            return render(request, "dossiers/staff/register.html", {"form": form, "sheet": None}, status=400)
        sheet = register_sheet(
            agency=form.cleaned_data["agency"],
            first_day=form.cleaned_data["first_day"],
            last_day=form.cleaned_data["last_day"],
        )
        if fmt is not None:
            write, content_type = FILES[fmt]
            response = HttpResponse(write(sheet), content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{sheet.file_name(fmt)}"'
            return response
        context = {"form": form, "sheet": sheet, "query": form.query(), "numbers": COLUMN_NUMBERS}
        return render(request, "dossiers/staff/register.html", context)
