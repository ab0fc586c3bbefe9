from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import AgencyLevel, ServiceLevel
from .models import Field


class CatalogueFilterForm(forms.Form):
    """Search and filters of the public catalogue; a plain GET form that needs no JavaScript."""

    q = forms.CharField(
        label=_("Search procedures"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. đăng ký khai sinh, chung thuc, 1.001193")}
        ),
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Field.objects.all(),
        required=False,
        empty_label=_("All fields"),
        to_field_name="code",
    )
    level = forms.ChoiceField(
        label=_("Handled at"), choices=[("", _("All levels")), *AgencyLevel.choices], required=False
    )
    service_level = forms.TypedChoiceField(
        label=_("Online service"),
        choices=[("", _("All")), *ServiceLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
