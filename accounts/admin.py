from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from onestop.choose import ChoosePromptAdmin

from .models import Agency, StaffMembership, User

admin.site.site_header = _("One-stop portal administration")
admin.site.site_title = _("One-stop portal")
admin.site.index_title = _("Administration")


class StaffMembershipInline(ChoosePromptAdmin, admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["agency"]


class PortalUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "phone", "full_name", "citizen_id")


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ChoosePromptAdmin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "phone", "citizen_id", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "phone_confirmed", "memberships__role"]
    search_fields = ["full_name", "email", "phone", "citizen_id"]
    inlines = [StaffMembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "phone", "phone_confirmed", "password")}),
        (_("Personal details"), {"fields": ("full_name", "citizen_id")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "phone", "full_name", "citizen_id", "password1", "password2")},
        ),
    )


@admin.register(Agency)
class AgencyAdmin(ChoosePromptAdmin, admin.ModelAdmin):
    list_display = ["indented_name", "kind", "code", "gso_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "gso_code"]
    autocomplete_fields = ["parent"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * obj.depth + obj.name


@admin.register(StaffMembership)
class StaffMembershipAdmin(ChoosePromptAdmin, admin.ModelAdmin):
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__full_name", "user__email", "user__phone", "agency__name"]
    autocomplete_fields = ["user", "agency"]
