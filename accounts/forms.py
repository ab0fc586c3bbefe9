from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
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
    error_messages = {
        "taken": _(
            "An account cannot be created with this email address or citizen ID number. If you already have "
            "an account, log in or ask for a new password; or ask at a one-stop desk."
        ),
    }

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

    # A phone number is never refused for being another account's: it waits for its SMS code, so
    # registering does not tell who uses it. An email address logs in at once and a citizen ID number is
    # one person's one account, so those cannot be taken twice: the refusal names neither (the same
    # words for both), and the page takes 10 registrations an hour from one address (docs/accounts.md).
    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not {"phone", "email"} & set(self.errors):
            self.add_error("phone", _("Enter an email address or a phone number."))
        email, citizen_id = cleaned.get("email"), cleaned.get("citizen_id")
        taken = models.Q(email=email) if email else models.Q()
        if citizen_id:
            taken |= models.Q(citizen_id=citizen_id)
        if (email or citizen_id) and User.objects.filter(taken).exists():
            self.add_error(None, self.error_messages["taken"])
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

    # A new email address or phone number is never refused for being another account's: it becomes
    # this account's once confirmed (link, SMS code), so the answer does not tell who uses it.
    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        phone, email = cleaned.get("phone"), cleaned.get("email")
        if {"phone", "email"} & set(self.errors):
            return cleaned
        if not phone and not email:
            self.add_error("phone", _("Enter an email address or a phone number."))
        # A new value waits for its confirmation, so removing the other one now could leave the account
        # with no way to log in.
        elif not phone and not self.user.email:
            self.add_error("phone", _("Keep your phone number until your new email address is confirmed."))
        elif not email and self.user.email and not self.user.confirmed_phone:
            self.add_error("email", _("Keep your email address until your new phone number is confirmed."))
        return cleaned


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=12,
        help_text=_("6 digits."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "class": "form-control-lg",
                "pattern": "[0-9 ]*",
            }
        ),
    )


class PasswordLinkForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        help_text=_("For example 0912345678, or your email address."),
        widget=forms.TextInput(attrs=IDENTIFIER_ATTRS),
    )
