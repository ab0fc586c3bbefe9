from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from onestop.form_errors import form_add_service_errors

from .forms import FeedbackForm
from .models import Feedback
from .services import feedback_send


class FeedbackSendView(LoginRequiredMixin, View):
    """A logged-in citizen sends feedback; what was typed stays on the page with the error if it is
    refused."""

    template_name = "feedback/send.html"

    def get(self, request):
        initial = {key: request.GET[key] for key in ("subject", "dossier") if key in request.GET}
        return render(request, self.template_name, {"form": FeedbackForm(sender=request.user, initial=initial)})

    def post(self, request):
        form = FeedbackForm(request.POST, sender=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = feedback_send(
                    sender=request.user,
                    subject=data["subject"],
                    text=data["text"],
                    agency=data["agency"],
                    procedure=data["procedure"],
                    dossier=data["dossier"],
                    may_publish=data["may_publish"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                return redirect("feedback:mine_detail", reference=feedback.reference)
        return render(request, self.template_name, {"form": form}, status=400)


class FeedbackSentView(LoginRequiredMixin, View):
    """The receipt: the code, the unit that answers, and by when."""

    def get(self, request, reference):
        feedback = Feedback.objects.select_related("agency").filter(reference=reference, sender=request.user).first()
        if feedback is None:
            raise Http404
        return render(request, "feedback/sent.html", {"feedback": feedback})
