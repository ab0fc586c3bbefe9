from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.forms import PhoneCodeForm
from accounts.models import User
from accounts.services import Confirmation
from accounts.views import PHONE_CODE_OUTCOMES, tell_code_sent
from onestop.files import file_response
from onestop.form_errors import form_add_service_errors

from .anonymous import (
    NUMBER_REFUSED,
    anonymous_code_resend,
    anonymous_code_send,
    anonymous_confirm,
    anonymous_feedback_sent,
    pending_files_discard,
    pending_files_open,
    pending_files_store,
)
from .constants import Subject
from .forms import AnonymousFeedbackForm, FeedbackForm
from .models import Feedback, FeedbackAttachment
from .services import feedback_unit_responsible
from .uploads import feedback_attachment_get_visible, feedback_send_with_files

# The session keys of a visitor's feedback: what waits for the SMS code, the account whose number the
# visitor proved in this session (a second feedback needs no second code), the feedback sent from it,
# and the forms (their submission keys) that sent it.
PENDING = "feedback_pending"
CONFIRMED = "feedback_confirmed"
SENT = "feedback_sent"
SENT_KEYS = "feedback_sent_keys"
# Codes a visitor may have sent from one address, on top of the limits of phone codes themselves
# (a minute apart, 5 a day per account, 10 a day per number): as many as registrations.
CODE_RATE_PER_ADDRESS = "10/h"

CODE_OUTCOMES = {
    **PHONE_CODE_OUTCOMES,
    # The number is another account's, and that account is deactivated (``feedback.anonymous``).
    Confirmation.UNAVAILABLE: NUMBER_REFUSED,
}
CODE_SENT = gettext_lazy(
    "We sent a code by SMS to %(phone)s. Type it below to send your feedback. It is valid for 10 minutes."
)
TOO_MANY_CODES = gettext_lazy(
    "Too many codes were asked for from this connection. Wait a while (at most an hour) and send again: "
    "what you wrote is kept."
)


def _send(request, form, *, sender: User, kept: list | None = None) -> Feedback | None:
    """Send the feedback of the valid ``form`` as ``sender``, with the files chosen on it (checked by
    the form) or, if given, the ``kept`` ones (opened from where they waited: checked again); None (the
    refusal put on the form) if the services refuse it."""
    data = form.cleaned_data
    files, checked = (data["files"], form.checked_files) if kept is None else (kept, None)
    try:
        feedback = feedback_send_with_files(
            sender=sender,
            files=files,
            checked=checked,
            subject=data["subject"],
            text=data["text"],
            agency=data["agency"],
            procedure=data["procedure"],
            dossier=data.get("dossier"),
            may_publish=data["may_publish"],
            submission_key=data.get("submission_key"),
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return None
    finally:
        for file in files:
            file.close()
    return feedback


def _pending_data(pending: dict) -> dict:
    """The visitor's kept answers as form data."""
    keys = ("full_name", "phone", "subject", "procedure", "agency", "text", "submission_key")
    data = {key: pending.get(key) or "" for key in keys}
    if pending.get("may_publish"):
        data["may_publish"] = "on"
    return data


def _unit_responsible(data: dict):
    """The unit that will answer the visitor's feedback; raises ``ValidationError`` as sending would."""
    return feedback_unit_responsible(
        subject=data["subject"], sender=None, agency=data["agency"], procedure=data["procedure"], dossier=None
    )


def _kept_names(pending: dict | None) -> list[str]:
    return [entry["name"] for entry in (pending or {}).get("files", [])]


def _code_budget_spent(request) -> bool:
    """One address sends at most ``CODE_RATE_PER_ADDRESS`` codes: True (no code) beyond."""
    return is_ratelimited(
        request, group="feedback:anonymous-code", key="ip", rate=CODE_RATE_PER_ADDRESS, method=ALL, increment=True
    )


def _sent_to_visitor(request, feedback: Feedback, pending: dict | None):
    """After a visitor's feedback is recorded: drop what waited, remember the receipt, go to it."""
    if pending:
        pending_files_discard(pending.get("files", []))
    request.session.pop(PENDING, None)
    reference = str(feedback.reference)
    if reference not in request.session.get(SENT, []):
        request.session[SENT] = [*request.session.get(SENT, [])[-19:], reference]
    if feedback.submission_key:
        keys = {**request.session.get(SENT_KEYS, {}), str(feedback.submission_key): reference}
        request.session[SENT_KEYS] = dict(list(keys.items())[-20:])
    messages.info(
        request,
        _(
            "Your feedback is sent. To follow it, open “Look up” and type its code and the last 4 digits of your "
            "phone number. You are told when the unit answers."
        ),
    )
    return redirect("feedback:sent_anonymous", reference=feedback.reference)


class FeedbackSendView(View):
    """A citizen sends feedback, with files if they like; what was typed stays on the page with the
    error if it is refused (files cannot be kept by a browser: the page names those to choose again).

    A visitor who is not logged in also gives a full name and a phone number; nothing is sent until
    the code sent to that number by SMS is typed (``FeedbackConfirmPhoneView``, ``feedback.anonymous``)."""

    template_name = "feedback/send.html"

    def render_form(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "anonymous": isinstance(form, AnonymousFeedbackForm)},
            status=status,
        )

    def get(self, request):
        initial = {key: request.GET[key] for key in ("subject", "dossier") if key in request.GET}
        if request.user.is_authenticated:
            return self.render_form(request, FeedbackForm(sender=request.user, initial=initial))
        pending = request.session.get(PENDING)
        if pending:  # back to change what waits: the same form, the same key
            initial = {**_pending_data(pending), "may_publish": bool(pending.get("may_publish"))}
        return self.render_form(request, AnonymousFeedbackForm(initial=initial, kept_files=_kept_names(pending)))

    def post(self, request):
        if not request.user.is_authenticated:
            return self.post_anonymous(request)
        form = FeedbackForm(request.POST, request.FILES, sender=request.user)
        if form.is_valid():
            feedback = _send(request, form, sender=request.user)
            if feedback is not None:
                return redirect(reverse("feedback:mine_detail", args=[feedback.reference]) + "?sent=1")
        return self.render_form(request, form, status=400)

    def post_anonymous(self, request):
        pending = request.session.get(PENDING)
        form = AnonymousFeedbackForm(request.POST, request.FILES, kept_files=_kept_names(pending))
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:  # refused now rather than after the code: the unit must be known
            unit = _unit_responsible(data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.render_form(request, form, status=400)
        uploads = data["files"]
        confirmed = request.session.get(CONFIRMED) or {}
        sender = User.objects.filter(pk=confirmed.get("account"), is_active=True).first()
        if sender is not None and confirmed.get("phone") == data["phone"]:
            kept = None if uploads else pending_files_open((pending or {}).get("files", []))
            feedback = _send(request, form, sender=sender, kept=kept)
            if feedback is None:
                return self.render_form(request, form, status=400)
            return _sent_to_visitor(request, feedback, pending)
        if _code_budget_spent(request):
            form.add_error(None, TOO_MANY_CODES)
            return self.render_form(request, form, status=429)
        try:
            code = anonymous_code_send(full_name=data["full_name"], phone=data["phone"])
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.render_form(request, form, status=400)
        kept = (pending or {}).get("files", [])
        if uploads:
            pending_files_discard(kept)
            kept = pending_files_store(uploads)
        request.session[PENDING] = {
            "full_name": data["full_name"],
            "phone": data["phone"],
            "subject": data["subject"],
            "procedure": data["procedure"].pk if data["procedure"] else None,
            "agency": data["agency"].pk if data["agency"] else None,
            "unit_name": unit.name,  # shown while the code waits; checked again when it is typed
            "text": data["text"],
            "may_publish": data["may_publish"],
            "files": kept,
            "account": code.account.pk,
            "submission_key": str(data["submission_key"]),
        }
        tell_code_sent(request, phone=data["phone"], sent=code.sent, sent_text=CODE_SENT)
        return redirect("feedback:confirm_phone")


class FeedbackConfirmPhoneView(View):
    """A visitor types the code sent to their number; the right one sends the feedback that waited,
    as the account holding that number (``feedback.anonymous``). They may ask for a new code, go back
    to change what they wrote, or drop it all."""

    template_name = "feedback/confirm_phone.html"

    def pending(self, request) -> tuple[dict | None, User | None]:
        pending = request.session.get(PENDING)
        account = User.objects.filter(pk=(pending or {}).get("account")).first()
        return (pending, account) if pending and account else (None, None)

    def render_page(self, request, pending, form, status=200):
        context = {
            "pending": pending,
            "subject": Subject(pending["subject"]).label,
            "unit_name": pending.get("unit_name"),
            "form": form,
            "file_sms": settings.SMS_BACKEND == "onestop.sms.FileBackend",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        pending, _account = self.pending(request)
        if pending is None:
            return redirect("feedback:send")
        return self.render_page(request, pending, PhoneCodeForm())

    def post(self, request):
        pending, account = self.pending(request)
        if pending is None:
            sent = request.session.get(SENT_KEYS, {}).get(str(request.POST.get("submission_key", "")))
            if sent:  # the same code again after it sent the feedback (a second click): its receipt
                return redirect("feedback:sent_anonymous", reference=sent)
            return redirect("feedback:send")
        if "discard" in request.POST:
            pending_files_discard(pending.get("files", []))
            request.session.pop(PENDING, None)
            messages.info(request, _("Your feedback was not sent, and what you wrote is deleted."))
            return redirect("feedback:send")
        if "resend" in request.POST:
            if _code_budget_spent(request):
                messages.error(request, TOO_MANY_CODES)
                return self.render_page(request, pending, PhoneCodeForm(), status=429)
            sent = anonymous_code_resend(account=account, phone=pending["phone"])
            tell_code_sent(request, phone=pending["phone"], sent=sent, sent_text=CODE_SENT)
            return redirect("feedback:confirm_phone")
        form = PhoneCodeForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, pending, form, status=400)
        feedback = None
        feedback_form = AnonymousFeedbackForm(_pending_data(pending), kept_files=_kept_names(pending))
        # The code and the feedback in one transaction: a second click at the same moment waits on the
        # code's row, then finds the code used and the feedback sent (below), never a second feedback.
        with transaction.atomic():
            result, sender = anonymous_confirm(
                account=account,
                phone=pending["phone"],
                code=form.cleaned_data["code"],
                full_name=pending.get("full_name", ""),
            )
            if sender is not None and feedback_form.is_valid():
                kept = pending_files_open(pending.get("files", []))
                feedback = _send(request, feedback_form, sender=sender, kept=kept)
        if sender is None:
            already = anonymous_feedback_sent(submission_key=pending.get("submission_key"), phone=pending["phone"])
            if already is not None:  # this session's code sent it a moment ago: the number is proven
                request.session[CONFIRMED] = {"account": already.sender_id, "phone": pending["phone"]}
                return _sent_to_visitor(request, already, pending)
            form.add_error("code", CODE_OUTCOMES[result])
            return self.render_page(request, pending, form, status=400)
        request.session[CONFIRMED] = {"account": sender.pk, "phone": pending["phone"]}
        if feedback is not None:
            return _sent_to_visitor(request, feedback, pending)
        # Something changed while the code was on its way (a unit closed, say): the number is proven for
        # this session, so the visitor corrects the form and sends without another code.
        messages.warning(request, _("Your number is confirmed, but the feedback could not be sent yet: see below."))
        return render(request, FeedbackSendView.template_name, {"form": feedback_form, "anonymous": True}, status=400)


class FeedbackSentAnonymousView(View):
    """The receipt of a visitor's feedback, in the session that sent it."""

    def get(self, request, reference):
        if str(reference) not in request.session.get(SENT, []):
            if request.user.is_authenticated:
                return redirect(reverse("feedback:mine_detail", args=[reference]))
            raise Http404
        feedback = Feedback.objects.select_related("agency").filter(reference=reference).first()
        if feedback is None:
            raise Http404
        return render(request, "feedback/sent.html", {"feedback": feedback})


class FeedbackAttachmentDownloadView(LoginRequiredMixin, View):
    """A feedback's file, for its sender and the staff who handle the feedback (404 for anyone else),
    as a download with its name, sent like a dossier's files (``onestop.files``: nginx when configured)."""

    def get(self, request, pk):
        try:
            attachment = feedback_attachment_get_visible(user=request.user, pk=pk)
        except FeedbackAttachment.DoesNotExist:
            raise Http404 from None
        return file_response(attachment.file, filename=attachment.name, content_type=attachment.content_type)
