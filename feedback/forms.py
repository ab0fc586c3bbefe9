from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.constants import ADMINISTRATIVE_KINDS
from accounts.models import Agency
from dossiers.constants import Status
from procedures.selectors import version_list_current

from .selectors import subject_choices_received


class FeedbackForm(forms.Form):
    """A citizen's feedback: what it is about, the dossier, procedure or unit concerned, the text, and
    whether the answer may be published. Only subjects with an answer time are offered."""

    subject = forms.ChoiceField(label=_("What is it about?"), widget=forms.RadioSelect)
    dossier = forms.ModelChoiceField(
        label=_("Your dossier"), queryset=None, required=False, empty_label=_("— Choose a dossier —")
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=None, required=False, empty_label=_("— Choose a procedure —")
    )
    agency = forms.ModelChoiceField(
        label=_("Unit concerned"),
        queryset=None,
        required=False,
        empty_label=_("— Choose a unit —"),
        help_text=_("For a procedure offered by several units: the one where you met it."),
    )
    text = forms.CharField(
        label=_("What happened, and what you ask for"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    may_publish = forms.BooleanField(
        label=_("The answer may be published (without my name or contact details)"), required=False
    )

    def __init__(self, *args, sender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices_received()
        self.fields["dossier"].queryset = sender.dossiers.exclude(status=Status.DRAFT).order_by("-submitted_at")
        self.fields["dossier"].label_from_instance = lambda dossier: (
            f"{dossier.code} · {dossier.procedure_version.name}"
        )
        self.fields["procedure"].queryset = version_list_current().order_by("name")
        self.fields["procedure"].label_from_instance = lambda version: f"{version.name} ({version.procedure.code})"
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True, kind__in=ADMINISTRATIVE_KINDS).order_by(
            "path"
        )
