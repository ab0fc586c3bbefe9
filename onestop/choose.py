"""The prompt an empty choice reads, "— Chọn … —", instead of Django's "---------", in the portal's
forms and the admin."""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def choose(what) -> str:
    """ "— Choose a unit —" for ``what`` = "a unit" (translated as a whole: "— Chọn đơn vị —")."""
    return format_lazy("— {} —", what)


CHOOSE = choose(_("Choose"))


class _CheckedChoices:
    """An admin autocomplete widget that shows back only submitted values its key field accepts: the
    form refuses "NaN" or 2**63 with a field error, and the widget must not look them up (Django's
    filters them raw, a 500)."""

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)

        def accepted(raw) -> bool:
            try:
                key.run_validators(key.to_python(raw))
            except (ValidationError, ValueError, TypeError, OverflowError):
                return False
            return True

        return super().optgroups(name, [raw for raw in value if raw in (None, "") or accepted(raw)], attr)


class CheckedAutocompleteSelect(_CheckedChoices, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_CheckedChoices, AutocompleteSelectMultiple):
    pass


class ChoosePromptAdmin:
    """A ModelAdmin (or inline) mixin: empty options of foreign keys, choices and the changelist's
    actions read "— Chọn —"."""

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", CHOOSE)])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("empty_label", CHOOSE)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        field.choices = [(value, CHOOSE if value == "" else label) for value, label in field.choices]
        return field
