"""The prompt an empty choice reads, "— Chọn … —", instead of Django's "---------", in the portal's
forms and the admin."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def choose(what) -> str:
    """ "— Choose a unit —" for ``what`` = "a unit" (translated as a whole: "— Chọn đơn vị —")."""
    return format_lazy("— {} —", what)


CHOOSE = choose(_("Choose"))


class ChoosePromptAdmin:
    """A ModelAdmin (or inline) mixin: empty options of foreign keys, choices and the changelist's
    actions read "— Chọn —"."""

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", CHOOSE)])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("empty_label", CHOOSE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        field.choices = [(value, CHOOSE if value == "" else label) for value, label in field.choices]
        return field
