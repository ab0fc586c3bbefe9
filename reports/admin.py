from django.contrib import admin

from accounts.permissions import can_manage_catalogue
from onestop.choose import ChoosePromptAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(ChoosePromptAdmin, admin.ModelAdmin):
    """The province's targets, entered by catalogue admins."""

    list_display = ("indicator", "period_kind", "year", "number", "agency", "agency_kind", "value")
    list_filter = ("indicator", "period_kind", "year", "agency_kind")
    autocomplete_fields = ()
    raw_id_fields = ()
    search_fields = ("agency__name", "agency__code", "note")

    def has_module_permission(self, request):
        return can_manage_catalogue(user=request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)

    def has_add_permission(self, request):
        return can_manage_catalogue(user=request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)
