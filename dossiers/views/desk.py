"""The one-stop desk: a clerk registers a walk-in dossier for a citizen, finding the citizen or opening
an account on the spot, scanning the documents; the dossier starts as received."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.services import citizen_create_at_desk
from onestop.form_errors import form_add_service_errors
from procedures.form_schema import answers_to_storage, form_class_for
from procedures.selectors import procedure_get_current, version_list_current

from ..forms import DeskCitizenForm, DeskFindForm, DeskIntakeForm, DocumentsForm
from ..permissions import can_register_at_desk
from ..selectors import citizen_find, citizen_get_for_desk, clerk_agencies
from ..services import applicant_data_from_user, dossier_register_at_desk


class ClerkRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agencies = list(clerk_agencies(user=request.user))
        if not self.agencies:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DeskCitizenView(ClerkRequiredMixin, View):
    """Step 1: find the citizen by ID, phone or email, or open an account for them."""

    template_name = "dossiers/desk/citizen.html"

    def get(self, request):
        find = DeskFindForm(request.GET or None)
        found, searched = None, False
        if find.is_bound and find.is_valid():
            searched = True
            found = citizen_find(query=find.cleaned_data["query"])
        initial = {}
        if searched and found is None:
            query = find.cleaned_data["query"]
            initial = {"citizen_id": query} if query.isdigit() and len(query) == 12 else {"phone": query}
        context = {"find": find, "found": found, "searched": searched, "create": DeskCitizenForm(initial=initial)}
        return render(request, self.template_name, context)

    def post(self, request):
        create = DeskCitizenForm(request.POST)
        if create.is_valid():
            data = create.cleaned_data
            try:
                citizen = citizen_create_at_desk(
                    full_name=data["full_name"],
                    citizen_id=data["citizen_id"],
                    phone=data["phone"] or None,
                    email=data["email"] or None,
                    address=data["address"],
                    date_of_birth=data["date_of_birth"],
                    desk=self.agencies[0],
                )
            except ValidationError as error:
                form_add_service_errors(create, error)
            else:
                note = _("Account opened; %(name)s gets a link to set a password.") % {"name": citizen.full_name}
                messages.success(request, note)
                return redirect("dossiers:desk_intake", citizen_id=citizen.pk)
        context = {"find": DeskFindForm(), "found": None, "searched": False, "create": create}
        return render(request, self.template_name, context, status=400)


class DeskIntakeView(ClerkRequiredMixin, View):
    """Step 2: the procedure, its form, the scanned documents and how the result is returned."""

    template_name = "dossiers/desk/intake.html"

    def setup_intake(self, request, citizen_id):
        self.citizen = citizen_get_for_desk(pk=citizen_id)
        if self.citizen is None:
            raise Http404
        agency_id = request.GET.get("co_quan") or request.POST.get("co_quan")
        if agency_id:
            self.agency = next((a for a in self.agencies if str(a.pk) == str(agency_id)), None)
            if self.agency is None:  # another unit's desk: not this clerk's to take
                raise Http404
        else:
            self.agency = self.agencies[0]
        if not can_register_at_desk(user=request.user, agency=self.agency):
            raise PermissionDenied
        self.offered = version_list_current().filter(agencies=self.agency).order_by("name")
        code = request.GET.get("thu_tuc") or request.POST.get("thu_tuc")
        self.version = procedure_get_current(code=code) if code else None
        if self.version is not None and not self.offered.filter(pk=self.version.pk).exists():
            self.version = None

    def forms(self, data=None, files=None):
        if self.version is None:
            return None
        return {
            "procedure": form_class_for(self.version.form_schema)(data, prefix="tk"),
            "documents": DocumentsForm(data, files, version=self.version, uploaded={}),
            "intake": DeskIntakeForm(
                data,
                initial={
                    "submission_key": uuid.uuid4(),
                    "result_delivery": "desk",
                    "delivery_address": self.citizen.address,
                },
                service_level=self.version.service_level,
            ),
        }

    def render_page(self, request, forms, status=200):
        context = {
            "citizen": self.citizen,
            "agency": self.agency,
            "agencies": self.agencies,
            "offered": self.offered,
            "version": self.version,
            "forms": forms,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, citizen_id):
        self.setup_intake(request, citizen_id)
        return self.render_page(request, self.forms())

    def post(self, request, citizen_id):
        self.setup_intake(request, citizen_id)
        if self.version is None:
            raise Http404
        forms = self.forms(request.POST, request.FILES)
        if not all(form.is_valid() for form in forms.values()):
            return self.render_page(request, forms, status=400)
        intake = forms["intake"].cleaned_data
        applicant = applicant_data_from_user(self.citizen) | {"address": self.citizen.address}
        try:
            dossier = dossier_register_at_desk(
                clerk=request.user,
                agency=self.agency,
                version=self.version,
                applicant=self.citizen,
                applicant_data=applicant,
                form_data=answers_to_storage(self.version.form_schema, forms["procedure"].cleaned_data),
                result_delivery=intake["result_delivery"],
                delivery_address=intake["delivery_address"],
                uploads=forms["documents"].uploads(),
                submission_key=intake["submission_key"],
            )
        except ValidationError as error:
            forms["documents"].add_error(None, error.messages)
            return self.render_page(request, forms, status=400)
        messages.success(request, _("Dossier %(code)s received.") % {"code": dossier.code})
        return redirect(reverse("dossiers:detail", kwargs={"reference": dossier.reference}))
