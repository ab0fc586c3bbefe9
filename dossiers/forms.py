from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_phone, validate_citizen_id, validate_phone
from onestop.widgets import DAY_FORMATS, DayInput
from procedures.models import ProcedureVersion

from .codes import dossier_code_normalize, lookup_digits_normalize
from .constants import DELIVERY_FOR_STAFF, ResultDelivery, Status
from .uploads import allowed_types_label


class StartForm(forms.Form):
    """Where to submit: chosen by the citizen among the units offering the procedure; offered first
    only when it is the only one or the citizen's own address names it (``initial``)."""

    agency = forms.ModelChoiceField(
        label=_("Submit to"),
        queryset=None,
        empty_label=_("— Choose the receiving unit —"),
        error_messages={
            "required": _("Choose the unit you submit to."),
            "invalid_choice": _("Choose the unit you submit to."),
        },
        help_text=_("Usually the commune or town where you live."),
    )

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = version.agencies.order_by("path")


class ApplicantForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    citizen_id = forms.CharField(
        label=_("Citizen ID number"),
        max_length=12,
        required=False,
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(
        label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"})
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and "phone" not in self.errors:
            self.add_error("phone", _("Give a phone number or an email address so the agency can reach you."))
        return cleaned


class DocumentsForm(forms.Form):
    """One file field per required document of the procedure; a file already uploaded counts. Online
    (``documents`` given), only the documents to upload: not the declaration the online form
    replaces, nor those shown in person."""

    def __init__(self, *args, version: ProcedureVersion, uploaded: dict, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = list(version.documents.all()) if documents is None else list(documents)
        self.uploaded_names = {f"doc_{pk}" for pk in uploaded}
        for document in self.documents:
            current = uploaded.get(document.pk)
            help_text = _("%(types)s, a clear phone photo is fine.") % {"types": allowed_types_label()}
            if current:
                help_text = _("Uploaded: %(name)s. Choose another file to replace it.") % {
                    "name": current.original_name
                }
            self.fields[f"doc_{document.pk}"] = forms.FileField(
                label=document.name,
                required=False,
                help_text=help_text,
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*", "class": "form-control"}
                ),
            )

    def uploads(self):
        """(document, file) for every field that received a file."""
        return [
            (document, self.files[f"doc_{document.pk}"])
            for document in self.documents
            if self.files.get(f"doc_{document.pk}")
        ]


class DeliveryForm(forms.Form):
    result_delivery = forms.ChoiceField(label=_("How do you want to receive the result?"), widget=forms.RadioSelect)
    delivery_address = forms.CharField(
        label=_("Address for the post"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, service_level: int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(ResultDelivery.DESK, ResultDelivery.DESK.label), (ResultDelivery.POST, ResultDelivery.POST.label)]
        if service_level >= 4:
            choices.append((ResultDelivery.ONLINE, ResultDelivery.ONLINE.label))
        self.fields["result_delivery"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result_delivery") == ResultDelivery.POST and not cleaned.get("delivery_address", "").strip():
            self.add_error("delivery_address", _("Give the address the post should bring the result to."))
        return cleaned


class SubmitForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class LookupForm(forms.Form):
    """The public lookup. The code is read as printed, whatever the case and spacing it is typed in."""

    code = forms.CharField(
        label=_("Dossier code"),
        max_length=60,
        help_text=_(
            "The dossier code is printed on the reception receipt and in the confirmation SMS or email, "
            "e.g. 000.10.22.H56-261128-0001."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "text-uppercase",
            }
        ),
    )
    secret = forms.CharField(
        label=_("Last 4 digits of the applicant's phone number or citizen ID"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    # The one reading of a typed code, shared with the limit per code (``dossiers.limits``).
    normalize_code = staticmethod(dossier_code_normalize)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:  # shown back as printed, whatever was typed
            data = data.copy()
            if "code" in data:
                data["code"] = self.normalize_code(data["code"])
            if "secret" in data:  # "5 678", full-width digits: the same 4 digits
                data["secret"] = lookup_digits_normalize(data["secret"])
        super().__init__(data, *args, **kwargs)


class DeskFindForm(forms.Form):
    query = forms.CharField(
        label=_("Citizen ID number, phone number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class DeskCitizenForm(forms.Form):
    """A walk-in citizen without an account: the clerk opens one (the citizen sets the password later)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    citizen_id = forms.CharField(label=_("Citizen ID number"), max_length=12, validators=[validate_citizen_id])
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, input_formats=DAY_FORMATS, widget=DayInput()
    )
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False, validators=[validate_phone])
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born and not date(1900, 1, 1) <= born <= timezone.localdate():
            raise forms.ValidationError(_("Check the date of birth: it is not a possible one."))
        return born

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not {"phone", "email"} & set(self.errors):
            self.add_error("phone", _("Give a phone number or an email address so the agency can reach you."))
        return cleaned


class DeskIntakeForm(DeliveryForm):
    """What a clerk records of a walk-in dossier besides the procedure form and the scanned documents,
    in the staff's words."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, service_level: int, **kwargs):
        super().__init__(*args, service_level=service_level, **kwargs)
        self.fields["result_delivery"].label = _("How will the applicant receive the result?")
        self.fields["result_delivery"].choices = [
            (value, DELIVERY_FOR_STAFF[value]) for value, _label in self.fields["result_delivery"].choices
        ]
        self.fields["delivery_address"].label = _("The applicant's address for the post")


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, name or phone"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    procedure = forms.CharField(label=_("Procedure code"), required=False, max_length=20)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("All")), ("soon", _("Due within a working day")), ("overdue", _("Overdue"))],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Open"))] + [
            (value, label) for value, label in Status.choices if value != Status.DRAFT
        ]
