"""Django's own messages that reach citizens but that Django's Vietnamese catalogue lacks (its text
changed, or it was never translated). Listed here so that ``makemessages`` keeps them in the portal's
catalogue, which Django reads before its own; never called."""

from django.utils.translation import gettext, ngettext


def _django_messages_for_the_catalogue():  # pragma: no cover - read by xgettext only
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        1,
    )
    ngettext("Please correct the error below.", "Please correct the errors below.", 1)  # the admin's forms
    gettext("Null characters are not allowed.")
    gettext("Enter a complete value.")
    gettext("Enter a valid UUID.")
    gettext("Enter a valid JSON.")
    gettext("“%(pk)s” is not a valid value.")
    gettext("Forbidden")
    gettext("CSRF verification failed. Request aborted.")
