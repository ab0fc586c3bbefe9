from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackRateForm(forms.Form):
    """The sender's word on the answer: did it resolve the matter? (One of two buttons.)"""

    resolved = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": _("Say whether the answer resolved it."),
            "invalid_choice": _("Say whether the answer resolved it."),
        },
    )


class PublishedFilterForm(forms.Form):
    """The public list's filters, a plain GET form: only procedures and units that have published
    answers are offered; any other value (an old bookmark, junk) is dropped and the list is unfiltered."""

    procedure = forms.TypedChoiceField(label=_("Procedure"), coerce=int, empty_value=None, required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, procedures: list[tuple[int, str]], units: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("All procedures")), *procedures]
        self.fields["unit"].choices = [("", _("All units")), *units]

    def filters(self) -> dict[str, int | None]:
        """The filters that passed (each field on its own)."""
        if not self.is_bound:
            return {"procedure": None, "unit": None}
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in ("procedure", "unit")}
