from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Login with an email address or a phone number."""

    username = forms.CharField(
        label=_("Email or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}),
    )

    error_messages = {
        "invalid_login": _("The email or phone number and password do not match. Please try again."),
        "inactive": _("This account is inactive."),
    }
