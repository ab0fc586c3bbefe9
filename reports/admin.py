from django.contrib import admin

from accounts.permissions import can_manage_catalogue
from onestop.choose import ChoosePromptAdmin

from .models import Target, TargetChange
from .permissions import can_set_targets
from .targets import target_delete, target_save


@admin.register(Target)
class TargetAdmin(ChoosePromptAdmin, admin.ModelAdmin):
    """The province's targets: catalogue admins read them; a province's leader or a superuser sets
    them (in the portal's page, or here), through the same service, so every change is kept."""

    list_display = ("indicator", "period_kind", "year", "number", "agency", "agency_kind", "value")
    list_filter = ("indicator", "period_kind", "year", "agency_kind")
    autocomplete_fields = ()
    raw_id_fields = ()
    search_fields = ("agency__name", "agency__code", "note")

    def has_module_permission(self, request):
        return can_manage_catalogue(user=request.user) or can_set_targets(user=request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return can_set_targets(user=request.user)

    def has_change_permission(self, request, obj=None):
        return can_set_targets(user=request.user)

    def has_delete_permission(self, request, obj=None):
        return can_set_targets(user=request.user)

    def save_model(self, request, obj, form, change):
        fields = ["indicator", "period_kind", "year", "number", "agency", "agency_kind", "value", "note"]
        saved = target_save(
            target=obj if change else None, by=request.user, **{name: getattr(obj, name) for name in fields}
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        target_delete(target=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            target_delete(target=target, by=request.user)


@admin.register(TargetChange)
class TargetChangeAdmin(admin.ModelAdmin):
    """Every change of a target: read only, kept for good."""

    list_display = ("at", "actor_name", "action", "indicator", "period_kind", "year", "number", "unit_name")
    list_filter = ("action", "indicator", "year")
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return can_manage_catalogue(user=request.user) or can_set_targets(user=request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
