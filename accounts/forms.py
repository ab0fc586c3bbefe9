from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalize_phone, validate_citizen_id, validate_phone

# An identifier that is an email address or a phone number, as a phone types it: a plain text keyboard
# (digits and @ both within reach, where an email keyboard hides the digits on many phones), no
# capital letter put first, no spelling correction of an address or a number; large for thumbs.
IDENTIFIER_ATTRS = {
    "autocomplete": "username",
    "inputmode": "text",
    "autocapitalize": "none",
    "autocorrect": "off",
    "spellcheck": "false",
    "class": "form-control-lg",
}


class LoginForm(AuthenticationForm):
    """Login with an email address or a phone number."""

    username = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        help_text=_("For example 0912345678, or your email address."),
        widget=forms.TextInput(attrs={"autofocus": True, **IDENTIFIER_ATTRS}),
    )

    error_messages = {
        "invalid_login": _("The email or phone number and password do not match. Please try again."),
        "inactive": _("This account is inactive."),
    }


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    citizen_id = forms.CharField(
        label=_("Citizen ID number"),
        max_length=12,
        validators=[validate_citizen_id],
        help_text=_("12 digits, as printed on the citizen identity card."),
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
        label=_("Address"),
        max_length=500,
        required=False,
        help_text=_(
            "Village, commune, district: typed once here, it fills in your dossiers and chooses the unit you submit to."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""
        if phone and User.objects.filter(phone=phone).exists():
            raise forms.ValidationError(_("An account with this phone number already exists."))
        return phone

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean_citizen_id(self):
        citizen_id = self.cleaned_data["citizen_id"]
        if User.objects.filter(citizen_id=citizen_id).exists():
            raise forms.ValidationError(_("An account with this citizen ID number already exists."))
        return citizen_id

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not {"phone", "email"} & set(self.errors):
            self.add_error("phone", _("Enter an email address or a phone number."))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(full_name=cleaned.get("full_name", ""), email=cleaned.get("email") or None)
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False, validators=[validate_phone])
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    language = forms.ChoiceField(
        label=_("Language of messages"), choices=settings.LANGUAGES, help_text=_("Mail and SMS are written in it.")
    )
    notify_email = forms.BooleanField(label=_("Send me news of my dossiers by email"), required=False)
    notify_sms = forms.BooleanField(
        label=_("Send me news of my dossiers by SMS"),
        required=False,
        help_text=_("Messages in the portal always reach you, whatever you choose here."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""
        if phone and User.objects.filter(phone=phone).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("An account with this phone number already exists."))
        return phone

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and User.objects.filter(email=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not {"phone", "email"} & set(self.errors):
            self.add_error("phone", _("Enter an email address or a phone number."))
        return cleaned


class PasswordLinkForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        help_text=_("For example 0912345678, or your email address."),
        widget=forms.TextInput(attrs=IDENTIFIER_ATTRS),
    )
