"""Staff pages: the work queue, and the actions on a dossier (shown on the dossier's page)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.permissions import is_staff_member

from ..actions import ACTIONS_BY_NAME, StateMissing, expected_state, form_for
from ..forms import QueueFilterForm
from ..outbox import notification_resend
from ..selectors import dossier_get_detail_or_404, dossier_queue, notification_list_undelivered
from ..services import DossierChanged
from ..services.slips import control_sheet_issue
from .page import render_dossier_page

PAGE_SIZE = 50


class StaffRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_member(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class QueueView(StaffRequiredMixin, View):
    def get(self, request):
        form = QueueFilterForm(request.GET or None, user=request.user)
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.cleaned_data
        dossiers = dossier_queue(
            user=request.user,
            status=filters.get("status") or None,
            procedure=filters.get("procedure") or None,
            due=filters.get("due") or None,
            query=filters.get("q") or "",
            mine=bool(filters.get("mine")),
        )
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request, "dossiers/staff/queue.html", {"form": form, "page": page, "filters_query": query.urlencode()}
        )


class DossierActionView(LoginRequiredMixin, View):
    """POST one action from the dossier page; the service decides (role, status, concurrent change).
    A form the person must correct comes back on the page, open, as they filled it, with its errors;
    otherwise the page says what happened. Citizens reach it too, for their own withdrawal and
    resubmission."""

    def post(self, request, reference, action):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        chosen = ACTIONS_BY_NAME.get(action)
        if chosen is None:
            raise Http404
        form = form_for(chosen, dossier, request.POST, request.FILES)
        if form is not None and not form.is_valid():
            return render_dossier_page(request, dossier, bound=(chosen, form), status=400)
        try:
            outcome = chosen.run(dossier, request.user, form.cleaned_data if form else {}, expected_state(request.POST))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Your role does not allow this action on this dossier."))
        except StateMissing:  # a page from before versions, or a crafted form
            messages.error(request, _("This page is out of date: reload the dossier and try again."))
        except DossierChanged as error:
            for message in error.messages:
                messages.error(request, message)
        except ValidationError as error:
            if form is None or not hasattr(error, "error_dict"):
                for message in error.messages:
                    messages.error(request, message)
                return redirect(dossier)
            for field, errors in error.message_dict.items():
                form.add_error(_form_field(form, field), errors)
            return render_dossier_page(request, dossier, bound=(chosen, form), status=400)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
            for warning in outcome.warnings:
                messages.warning(request, warning)
        return redirect(dossier)


def _form_field(form, name: str) -> str | None:
    """The form field a service's error is about (the services name some fields their own way)."""
    aliases = {"results": "result", "to_user": "target", "missing": "missing"}
    name = aliases.get(name, name)
    return name if name in form.fields else None


class ControlSheetView(StaffRequiredMixin, View):
    """Issue the processing control sheet as the route stands now (the last one again when nothing
    changed), then download it; every sheet issued stays in the dossier's slips, as issued."""

    def post(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        slip = control_sheet_issue(dossier=dossier, by=request.user)
        return redirect("dossiers:slip", reference=dossier.reference, pk=slip.pk)


class UndeliveredNotificationsView(StaffRequiredMixin, View):
    """Messages to citizens and staff that did not go out, with the reason, and a one-click resend."""

    def get(self, request):
        page = Paginator(notification_list_undelivered(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "dossiers/staff/undelivered.html", {"page": page})

    def post(self, request):
        chosen = request.POST.get("notification", "")
        if not chosen.isdigit():
            raise Http404
        notification = notification_list_undelivered(user=request.user).filter(pk=int(chosen)).first()
        if notification is None:
            raise Http404
        if notification_resend(notification=notification):
            messages.success(request, _("The message is queued again: %(to)s.") % {"to": notification.address})
        else:
            messages.info(request, _("This message is not failed any more: someone resent it already."))
        return redirect("dossiers:undelivered")
