import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.constants import ADMINISTRATIVE_KINDS
from accounts.models import Agency
from accounts.validators import normalize_phone, validate_phone
from dossiers.constants import Status
from dossiers.uploads import CheckedFile, allowed_types_label
from procedures.selectors import version_list_current

from .constants import Subject
from .selectors import subject_choices_received
from .uploads import MAX_FILES, feedback_files_check_each


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads if upload]


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
    files = MultipleFileField(label=_("Files (photos, scans)"), required=False)
    may_publish = forms.BooleanField(
        label=_("The answer may be published (without my name or contact details)"), required=False
    )
    # Made when the form is first shown and kept while it is refused and sent again: the same form sent
    # twice (a double click, a retried request) is one feedback (``feedback_send``).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sender=None, kept_files=(), **kwargs):
        """``sender``: the logged-in citizen (None for a visitor, who has no dossiers to name);
        ``kept_files``: the names of files already kept for this feedback (a visitor's, while the SMS
        code waits), kept unless other files are chosen."""
        super().__init__(*args, **kwargs)
        self._key_ensure()
        # The files of this POST that passed their checks: sent as they are (not checked again) if the
        # form is valid, only named if it is refused (they are not kept).
        self.checked_files: list[CheckedFile] = []
        self.kept_files = list(kept_files)
        choices = subject_choices_received()
        if sender is None:
            del self.fields["dossier"]
            choices = [(value, label) for value, label in choices if value != Subject.DOSSIER]
        else:
            self.fields["dossier"].queryset = sender.dossiers.exclude(status=Status.DRAFT).order_by("-submitted_at")
            self.fields["dossier"].label_from_instance = lambda dossier: (
                f"{dossier.code} · {dossier.procedure_version.name}"
            )
        self.fields["subject"].choices = choices
        limits = _(
            "Optional. At most %(count)s files: %(types)s, up to %(size)s each; a clear phone photo is fine."
        ) % {
            "count": MAX_FILES,
            "types": allowed_types_label(),
            "size": filesizeformat(settings.DOSSIER_MAX_FILE_BYTES),
        }
        if self.kept_files:
            limits = _("Kept: %(names)s. Choose files only to replace them.") % {"names": ", ".join(self.kept_files)}
        self.fields["files"].help_text = limits
        self.fields["files"].widget.attrs.update(
            {"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*", "class": "form-control"}
        )
        self.fields["procedure"].queryset = version_list_current().order_by("name")
        self.fields["procedure"].label_from_instance = lambda version: f"{version.name} ({version.procedure.code})"
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True, kind__in=ADMINISTRATIVE_KINDS).order_by(
            "path"
        )

    def _key_ensure(self) -> None:
        """A key for every form: a new one when the page is first shown, or when a POST comes without a
        readable one (an old page, a script), then kept in the data so a refusal shows it again."""
        name = self.add_prefix("submission_key")
        if not self.is_bound:
            if not self.initial.get("submission_key"):
                self.initial = {**self.initial, "submission_key": uuid.uuid4()}
            return
        try:
            uuid.UUID(str(self.data.get(name) or ""))
        except ValueError:
            self.data = self.data.copy()
            self.data[name] = str(uuid.uuid4())

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        self.checked_files, error = feedback_files_check_each(uploads)
        if error is not None:
            raise error
        return uploads

    @property
    def files_to_choose_again(self) -> list[str]:
        """Files of a refused POST that were fine: a browser cannot keep them, so the page names them."""
        if not (self.is_bound and self.errors):
            return []
        return [item.upload.name for item in self.checked_files]


class AnonymousFeedbackForm(FeedbackForm):
    """A visitor's feedback: who they are (a full name and a phone number, confirmed by an SMS code
    before anything is sent), then the feedback itself; not about a dossier (that needs an account)."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("We send a code to this number by SMS; your feedback is sent once you type it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    field_order = ["full_name", "phone", "subject", "procedure", "agency", "text", "files", "may_publish"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, sender=None, **kwargs)

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(_("Write your full name."))
        return name

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])
