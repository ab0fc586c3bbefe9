"""Citizen pages: start, the submission wizard (each step saves the draft), my dossiers, a dossier's
page and files, and the public status lookup. Every page works without JavaScript."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from onestop.files import file_response
from onestop.form_errors import form_add_service_errors
from onestop.page_cache import public_page
from procedures.form_schema import answers_with_prefill, form_class_for
from procedures.selectors import procedure_get_current

from ..constants import ResultDelivery, SlipKind, Status
from ..forms import ApplicantForm, DeliveryForm, DocumentsForm, LookupForm, StartForm, SubmitForm
from ..limits import public_limits
from ..models import Attachment, Dossier, Slip
from ..outbox import notifications_mark_read
from ..permissions import can_download_receipt
from ..selectors import (
    attachment_get_visible,
    dossier_answers,
    dossier_get_detail_or_404,
    dossier_get_draft,
    dossier_list_for_applicant,
    dossier_lookup,
    lookup_timeline,
    notification_list_in_app,
    slip_list_visible_to,
)
from ..services import (
    attachment_add,
    dossier_problems,
    dossier_save_applicant,
    dossier_save_delivery,
    dossier_save_form,
    dossier_start,
    dossier_submit,
    result_taken,
)
from ..services.results import result_awaits_receipt, results_awaiting_receipt
from ..services.submission import (
    dossier_expected_due,
    dossier_resume_step,
    dossier_suggested_agency,
    online_documents,
)
from ..slips import slip_pdf, submission_acknowledgement_pdf
from .page import render_dossier_page

STEPS = [
    ("applicant", "nguoi-nop"),
    ("form", "to-khai"),
    ("documents", "giay-to"),
    ("delivery", "nhan-ket-qua"),
    ("review", "xem-lai"),
]


STEP_TITLES = {
    "applicant": gettext_lazy("Applicant"),
    "form": gettext_lazy("Form"),
    "documents": gettext_lazy("Documents"),
    "delivery": gettext_lazy("Result"),
    "review": gettext_lazy("Review and submit"),
}


def step_url(dossier: Dossier, step: str, field: str = "") -> str:
    """The wizard step's address; with ``field``, straight to that field of the step."""
    url = reverse(f"dossiers:step_{step}", kwargs={"reference": dossier.reference})
    return f"{url}#id_{field}" if field else url


def resume_url(dossier: Dossier) -> str:
    """Where "continue" takes a draft: its first step with something missing, else the review."""
    return step_url(dossier, dossier_resume_step(dossier=dossier))


def _next_step(step: str) -> str:
    names = [name for name, _slug in STEPS]
    return names[min(names.index(step) + 1, len(names) - 1)]


def _step_number(step: str) -> int:
    return [name for name, _slug in STEPS].index(step) + 1


class DossierStartView(LoginRequiredMixin, View):
    """Where "Submit online" leads: what to prepare, and where to submit; starting makes a draft. The
    receiving unit is the citizen's choice: offered first only when it is the only one or the
    citizen's own address names it."""

    def _version(self, code):
        version = procedure_get_current(code=code)
        if version is None or not version.is_online:
            raise Http404
        return version

    def _render(self, request, version, form, status=200):
        context = {"version": version, "form": form, "documents": online_documents(version)}
        return render(request, "dossiers/start.html", context, status=status)

    def get(self, request, code):
        version = self._version(code)
        suggested = dossier_suggested_agency(applicant=request.user, version=version)
        form = StartForm(version=version, initial={"agency": suggested.pk if suggested else None})
        return self._render(request, version, form)

    def post(self, request, code):
        version = self._version(code)
        form = StartForm(request.POST, version=version)
        if form.is_valid():
            dossier = dossier_start(applicant=request.user, version=version, agency=form.cleaned_data["agency"])
            return redirect(step_url(dossier, "applicant"))
        return self._render(request, version, form, status=400)


class WizardStepView(LoginRequiredMixin, View):
    """One step of the wizard over the applicant's own draft; POST saves and moves to the next step."""

    step = ""
    template_name = "dossiers/wizard.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.dossier = dossier_get_draft(user=request.user, reference=kwargs["reference"])
        except Dossier.DoesNotExist:
            submitted = Dossier.objects.filter(reference=kwargs["reference"], applicant=request.user).first()
            if submitted is not None:  # e.g. the back button after submitting: show it, do not 404
                return redirect(submitted)
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None, files=None):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def context(self, form, **extra):
        return {
            "dossier": self.dossier,
            "version": self.dossier.procedure_version,
            "form": form,
            "step": self.step,
            "step_title": STEP_TITLES[self.step],
            "step_number": _step_number(self.step),
            "step_total": len(STEPS),
            "wizard_steps": [
                {
                    "number": number,
                    "name": name,
                    "title": STEP_TITLES[name],
                    "url": step_url(self.dossier, name),
                    "current": name == self.step,
                }
                for number, (name, _slug) in enumerate(STEPS, start=1)
            ],
            **extra,
        }

    def render_step(self, form, status=200):
        return render(self.request, self.template_name, self.context(form), status=status)

    def get(self, request, reference):
        return self.render_step(self.get_form())

    def post(self, request, reference):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as error:
                form_add_service_errors(form, error)
                return self.render_step(form, status=400)
            return redirect(step_url(self.dossier, _next_step(self.step)))
        return self.render_step(form, status=400)


class ApplicantStepView(WizardStepView):
    step = "applicant"

    def get_form(self, data=None, files=None):
        return ApplicantForm(data, initial=self.dossier.applicant_data)

    def save(self, form):
        dossier_save_applicant(dossier=self.dossier, data=form.cleaned_data)


class FormStepView(WizardStepView):
    step = "form"

    def get_form(self, data=None, files=None):
        schema = self.dossier.procedure_version.form_schema
        # A field the applicant's details answer (the place of residence, a contact phone) starts filled.
        initial = answers_with_prefill(schema, self.dossier.form_data, self.dossier.applicant_data)
        return form_class_for(schema)(data, initial=initial)

    def save(self, form):
        dossier_save_form(dossier=self.dossier, data=form.cleaned_data)


class DocumentsStepView(WizardStepView):
    """The files to upload; the declaration the online form replaces and the documents shown in
    person are listed, not asked for."""

    step = "documents"
    template_name = "dossiers/wizard_documents.html"

    def get_form(self, data=None, files=None):
        uploaded = {a.required_document_id: a for a in self.dossier.attachments.all()}
        version = self.dossier.procedure_version
        self.documents = online_documents(version)
        return DocumentsForm(data, files, version=version, uploaded=uploaded, documents=self.documents.uploads)

    def context(self, form, **extra):
        return super().context(form, documents=self.documents, **extra)

    def post(self, request, reference):
        form = self.get_form(request.POST, request.FILES)
        form.is_valid()
        # Each good file is kept even when another is refused: nothing uploaded is lost.
        for document, upload in form.uploads():
            try:
                attachment_add(dossier=self.dossier, required_document=document, upload=upload, by=request.user)
            except ValidationError as error:
                form.add_error(f"doc_{document.pk}", error.messages)
        if form.errors:
            self.dossier = dossier_get_draft(user=request.user, reference=reference)
            fresh = self.get_form()
            fresh._errors = form.errors
            return self.render_step(fresh, status=400)
        return redirect(step_url(self.dossier, _next_step(self.step)))


class DeliveryStepView(WizardStepView):
    step = "delivery"

    def get_form(self, data=None, files=None):
        initial = {
            "result_delivery": self.dossier.result_delivery or ResultDelivery.DESK,
            "delivery_address": self.dossier.delivery_address or self.dossier.applicant_data.get("address", ""),
        }
        return DeliveryForm(data, initial=initial, service_level=self.dossier.service_level)

    def save(self, form):
        dossier_save_delivery(
            dossier=self.dossier,
            delivery=form.cleaned_data["result_delivery"],
            address=form.cleaned_data["delivery_address"],
        )


class ReviewStepView(WizardStepView):
    """Everything entered, what it costs and when the result is expected; each missing item links to
    the step (and field) that puts it right."""

    step = "review"
    template_name = "dossiers/review.html"

    def get_form(self, data=None, files=None):
        return SubmitForm(data, initial={"submission_key": uuid.uuid4()})

    def render_step(self, form, status=200):
        version = self.dossier.procedure_version
        problems = [
            {"message": str(problem), "url": step_url(self.dossier, problem.step, problem.field)}
            for problem in dossier_problems(dossier=self.dossier)
        ]
        context = self.context(
            form,
            problems=problems,
            form_fields=dossier_answers(dossier=self.dossier),
            documents=online_documents(version),
            fees=list(version.fees.all()),
            expected_due=dossier_expected_due(dossier=self.dossier),
            page_has_errors=status >= 400,
        )
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, reference):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_step(self.get_form(), status=400)
        try:
            dossier = dossier_submit(
                dossier=self.dossier, by=request.user, submission_key=form.cleaned_data["submission_key"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.render_step(self.get_form(), status=400)
        return redirect("dossiers:submitted", reference=dossier.reference)


class DossierSubmittedView(LoginRequiredMixin, View):
    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        if dossier.is_draft:
            return redirect(resume_url(dossier))
        return render(request, "dossiers/submitted.html", {"dossier": dossier})


class MyDossiersView(LoginRequiredMixin, View):
    def get(self, request):
        dossiers = list(dossier_list_for_applicant(user=request.user))
        drafts = [dossier for dossier in dossiers if dossier.is_draft]
        # What "continue" needs of each draft, in two queries whatever their number.
        prefetch_related_objects(drafts, "attachments", "procedure_version__documents")
        for draft in drafts:
            draft.resume_url = resume_url(draft)
        return render(request, "dossiers/my_dossiers.html", {"dossiers": dossiers, "Status": Status})


class DossierDetailView(LoginRequiredMixin, View):
    """The dossier's page: for the applicant their dossier and its history; for staff also who the
    applicant is, the route so far, the slips and the actions they may take."""

    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        extra = {"resume_url": resume_url(dossier)} if dossier.is_draft else {}
        extra["awaiting_receipt"] = results_awaiting_receipt(dossier=dossier, user=request.user)
        return render_dossier_page(request, dossier, extra=extra)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """A dossier's file, only for those who may see the dossier, as a download with its original name.
    A download never changes the dossier: a result delivered online that the applicant has not yet
    received is not served but offered on the dossier's page, to be received first
    (``ResultReceiveView``)."""

    def get(self, request, pk):
        try:
            attachment = attachment_get_visible(user=request.user, pk=pk)
        except Attachment.DoesNotExist:
            raise Http404 from None
        if result_awaits_receipt(attachment=attachment, user=request.user):
            messages.info(request, _("Press “Receive the result” to take the result and download it."))
            return redirect(attachment.dossier)
        return file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


class ResultReceiveView(LoginRequiredMixin, View):
    """The applicant's "Receive the result" button (POST only): for a signed result delivered online,
    the dossier is returned (national code 10) once, however often it is pressed; then the file is
    downloaded."""

    def post(self, request, pk):
        try:
            attachment = attachment_get_visible(user=request.user, pk=pk)
        except Attachment.DoesNotExist:
            raise Http404 from None
        result_taken(attachment=attachment, by=request.user)
        return redirect("dossiers:attachment", pk=attachment.pk)


@method_decorator(
    public_limits(
        page="LOOKUP", code=lambda request: LookupForm.normalize_code(request.POST.get("code")), method="POST"
    ),
    name="post",
)
class LookupView(View):
    """Public status lookup by dossier code and the last 4 digits of the applicant's phone or ID:
    the status and the timeline, with no personal data. Limited per address, per dossier code (as the
    lookup reads it: "h56 " and "H56" are one code) and for all addresses together, so guessing the
    digits of one dossier from many addresses, or in many spellings, is slow too (``dossiers.limits``).

    A code no dossier has is offered to the other apps' providers (``settings.LOOKUP_PROVIDERS``: a
    feedback's code, for one), under the same limits and with the same answer when nothing matches."""

    template_name = "dossiers/lookup.html"

    @staticmethod
    def providers() -> list:
        return [import_string(path) for path in getattr(settings, "LOOKUP_PROVIDERS", [])]

    def render_page(self, request, form, **extra):
        hints = [provider.hint for provider in self.providers() if getattr(provider, "hint", "")]
        return render(request, self.template_name, {"form": form, "lookup_hints": hints, **extra})

    @public_page()  # the empty form only: a code in the query string is rendered for its visitor
    def get(self, request):
        form = LookupForm(initial={"code": LookupForm.normalize_code(request.GET.get("code"))})
        return self.render_page(request, form)

    def post(self, request):
        form = LookupForm(request.POST)
        dossier = found = None
        if form.is_valid():
            code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
            dossier = dossier_lookup(code=code, secret=secret)
            for provider in self.providers() if dossier is None else []:
                found = provider.find(code=code, secret=secret)
                if found:
                    break
            if dossier is None and not found:
                form.add_error(None, _("No dossier matches this code and these digits. Check both and try again."))
        timeline = lookup_timeline(dossier=dossier) if dossier else []
        return self.render_page(request, form, dossier=dossier, timeline=timeline, found=found)


class ReceiptView(LoginRequiredMixin, View):
    """Slip 01 as a PDF, for whoever may see the dossier, once the agency has it: the latest receipt
    issued, as issued; before reception, the acknowledgement of the online submission."""

    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        if not can_download_receipt(user=request.user, dossier=dossier):
            raise Http404
        receipt = dossier.slips.filter(kind=SlipKind.RECEIPT).order_by("-created_at", "-pk").first()
        if receipt is not None:
            pdf = slip_pdf(receipt)
        elif dossier.received_at is None:
            pdf = submission_acknowledgement_pdf(dossier)
        else:  # received before receipts were recorded: printed from what the dossier holds
            pdf = slip_pdf(Slip(dossier=dossier, kind=SlipKind.RECEIPT, created_at=dossier.received_at))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="phieu-tiep-nhan-{dossier.code}.pdf"'
        return response


SLIP_FILE_NAMES = {
    SlipKind.RECEIPT: "giay-tiep-nhan",
    SlipKind.SUPPLEMENT: "phieu-yeu-cau-bo-sung",
    SlipKind.REFUSAL: "phieu-tu-choi",
    SlipKind.APOLOGY: "phieu-xin-loi",
    SlipKind.STOP: "thong-bao-dung",
    SlipKind.CONTROL_SHEET: "phieu-kiem-soat",
}


class SlipView(LoginRequiredMixin, View):
    """A slip issued on the dossier (receipt, supplement request, refusal, apology, stop notice,
    control sheet), as issued."""

    def get(self, request, reference, pk):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        slip = next((slip for slip in slip_list_visible_to(user=request.user, dossier=dossier) if slip.pk == pk), None)
        if slip is None:
            raise Http404
        response = HttpResponse(slip_pdf(slip), content_type="application/pdf")
        name = SLIP_FILE_NAMES.get(slip.kind, slip.kind)
        response["Content-Disposition"] = f'attachment; filename="{name}-{dossier.code}-{slip.pk}.pdf"'
        return response


class NotificationListView(LoginRequiredMixin, View):
    """The person's messages in the portal; opening the list marks them read."""

    def get(self, request):
        page = Paginator(notification_list_in_app(user=request.user), 30).get_page(request.GET.get("page"))
        unread = {n.pk for n in page.object_list if n.read_at is None}
        notifications_mark_read(user=request.user)
        return render(request, "dossiers/notifications.html", {"page": page, "unread": unread})
