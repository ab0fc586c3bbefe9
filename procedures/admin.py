from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_manage_catalogue
from onestop.choose import ChoosePromptAdmin
from onestop.widgets import DAY_FORMATS, DayInput

from .constants import VersionStatus
from .exchange import (
    CatalogueImportError,
    catalogue_export_json,
    catalogue_export_xlsx,
    catalogue_import,
    records_from_json,
    records_from_xlsx,
)
from .models import CalendarDay, Fee, Field, OfficeHours, Procedure, ProcedureVersion, RequiredDocument, RouteStep
from .services import (
    procedure_unpublish,
    procedure_version_new_draft,
    procedure_version_publish,
    procedure_version_refresh_search,
)


class CatalogueAdminMixin:
    """Catalogue admins (and superusers) manage the catalogue; nobody else sees it in the admin."""

    def has_module_permission(self, request):
        return can_manage_catalogue(user=request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)

    def has_add_permission(self, request, *args):
        return can_manage_catalogue(user=request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # procedures are withdrawn, never deleted: dossiers point at their versions


class DraftOnlyInlineMixin(ChoosePromptAdmin, CatalogueAdminMixin):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user) and self._editable(obj)


class FeeInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Fee
    fields = ["order", "label", "amount", "note"]


class RequiredDocumentInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = RequiredDocument
    fields = [
        "order",
        "name",
        "copies",
        "copy_type",
        "mandatory",
        "filled_online",
        "shown_in_person",
        "note",
        "template",
    ]


class RouteStepInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = RouteStep
    fields = ["order", "name", "agency", "role", "days"]
    autocomplete_fields = ["agency"]


@admin.register(Field)
class FieldAdmin(ChoosePromptAdmin, CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"), initial=timezone.localdate, input_formats=DAY_FORMATS, widget=DayInput()
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue file (JSON or XLSX)"))
    publish = forms.BooleanField(label=_("Publish the imported versions at once"), required=False)
    effective_from = forms.DateField(
        label=_("Effective from"), required=False, input_formats=DAY_FORMATS, widget=DayInput()
    )


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ChoosePromptAdmin, CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "status", "effective_from", "service_level"]
    list_filter = ["status", "service_level", "agency_level", "field"]
    search_fields = ["procedure__code", "name"]
    inlines = [RequiredDocumentInline, FeeInline, RouteStepInline]
    filter_horizontal = ["agencies"]
    readonly_fields = ["procedure", "number", "status", "effective_from", "published_at"]
    actions = ["publish"]
    fieldsets = (
        (None, {"fields": ("procedure", "number", "status", "effective_from", "published_at")}),
        (
            _("What the public reads"),
            {
                "fields": (
                    "name",
                    "field",
                    "agency_level",
                    "agencies",
                    "service_level",
                    "processing_days",
                    "processing_note",
                    "result_type",
                    "conditions",
                    "submission_place",
                    "steps_description",
                    "legal_basis",
                )
            },
        ),
        (_("Online form"), {"fields": ("form_schema",)}),
    )

    def has_add_permission(self, request):
        return False  # a version is made from its procedure: "new draft version"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            # Published and withdrawn versions are the record of what was in force: never edited.
            return [f.name for f in self.model._meta.fields if f.editable] + ["agencies", *self.readonly_fields]
        return self.readonly_fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        procedure_version_refresh_search(version=form.instance)

    @admin.action(description=_("Publish the selected versions…"))
    def publish(self, request, queryset):
        """Ask for the effective date, then publish; each refusal is reported with its reasons."""
        form = PublishForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for version in queryset:
                try:
                    procedure_version_publish(version=version, effective_from=form.cleaned_data["effective_from"])
                except ValidationError as error:
                    self.message_user(request, f"{version}: {'; '.join(error.messages)}", messages.ERROR)
                else:
                    self.message_user(request, _("Published: %s") % version, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish procedure versions"),
            "form": form,
            "versions": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/procedures/procedureversion/publish.html", context)


class VersionInline(ChoosePromptAdmin, admin.TabularInline):
    model = ProcedureVersion
    fields = ["link", "name", "status", "effective_from"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)

    @admin.display(description=_("version"))
    def link(self, obj):
        url = reverse("admin:procedures_procedureversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)


@admin.register(Procedure)
class ProcedureAdmin(ChoosePromptAdmin, CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["code", "latest_name", "public_status"]
    search_fields = ["code", "versions__name"]
    inlines = [VersionInline]
    actions = ["new_draft", "unpublish"]
    change_list_template = "admin/procedures/procedure/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions").distinct()

    @admin.display(description=_("name"))
    def latest_name(self, obj):
        versions = sorted(obj.versions.all(), key=lambda v: v.number)
        return versions[-1].name if versions else ""

    @admin.display(description=_("public"))
    def public_status(self, obj):
        today = timezone.localdate()
        live = [v for v in obj.versions.all() if v.status == VersionStatus.PUBLISHED and v.effective_from <= today]
        return _("yes, version %s") % max(live, key=lambda v: (v.effective_from, v.number)).number if live else _("no")

    @admin.action(description=_("Create a new draft version"))
    def new_draft(self, request, queryset):
        for procedure in queryset:
            draft = procedure_version_new_draft(procedure=procedure)
            self.message_user(request, _("Draft ready: %s") % draft, messages.SUCCESS)

    @admin.action(description=_("Unpublish (hide from the public and the API)"))
    def unpublish(self, request, queryset):
        for procedure in queryset:
            procedure_unpublish(procedure=procedure)
        self.message_user(request, _("Unpublished."), messages.SUCCESS)

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="procedures_procedure_import"),
            path("export.json", self.admin_site.admin_view(self.export_json), name="procedures_procedure_export_json"),
            path("export.xlsx", self.admin_site.admin_view(self.export_xlsx), name="procedures_procedure_export_xlsx"),
        ]
        return own + super().get_urls()

    def _require_manager(self, request):
        if not can_manage_catalogue(user=request.user):
            raise PermissionDenied

    def import_view(self, request):
        self._require_manager(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            raw = upload.read()
            xlsx = raw[:2] == b"PK"  # an XLSX workbook is a zip archive, whatever its name
            try:
                records = records_from_xlsx(raw) if xlsx else records_from_json(raw)
                result = catalogue_import(
                    records=records,
                    publish=form.cleaned_data["publish"],
                    effective_from=form.cleaned_data["effective_from"],
                    xlsx=xlsx,
                )
            except CatalogueImportError as error:
                problems = error.problems
            else:
                self.message_user(
                    request,
                    _("%(count)s procedures imported (%(state)s).")
                    % {
                        "count": len(result.versions),
                        "state": _("published") if result.published else _("as drafts"),
                    },
                    messages.SUCCESS,
                )
                return redirect("admin:procedures_procedure_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the catalogue"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return render(request, "admin/procedures/procedure/import.html", context)

    def export_json(self, request):
        self._require_manager(request)
        response = HttpResponse(catalogue_export_json(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="thu-tuc-{timezone.localdate():%Y%m%d}.json"'
        return response

    def export_xlsx(self, request):
        self._require_manager(request)
        response = HttpResponse(
            catalogue_export_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="thu-tuc-{timezone.localdate():%Y%m%d}.xlsx"'
        return response


@admin.register(CalendarDay)
class CalendarDayAdmin(ChoosePromptAdmin, CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"

    def has_delete_permission(self, request, obj=None):
        return can_manage_catalogue(user=request.user)  # a mistaken announcement can be removed


@admin.register(OfficeHours)
class OfficeHoursAdmin(ChoosePromptAdmin, CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["weekday", "morning_start", "morning_end", "afternoon_start", "afternoon_end"]
