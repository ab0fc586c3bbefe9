from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from django_ratelimit.decorators import ratelimit

from .forms import LoginForm, PasswordLinkForm, ProfileForm, RegistrationForm
from .links import send_email_verification, send_password_link
from .selectors import landing_page, user_find_by_identifier
from .services import citizen_register, user_update_profile, user_verify_email


class LoginView(auth_views.LoginView):
    """Log in; then the page the person was going to, else where their work is: a clerk's or a
    specialist's queue, a leader's dashboard, a citizen's home page."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return resolve_url(landing_page(user=self.request.user) or settings.LOGIN_REDIRECT_URL)


class LogoutView(auth_views.LogoutView):
    pass


def locked_out(request, original_response=None, credentials=None):
    """What a person sees while logins for their account are cooling off after repeated failures."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post")
class RegisterView(View):
    template_name = "accounts/register.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("dossiers:mine")
        return render(request, self.template_name, {"form": RegistrationForm(), "next": request.GET.get("next", "")})

    def post(self, request):
        form = RegistrationForm(request.POST)
        next_url = request.POST.get("next", "")
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "next": next_url}, status=400)
        data = form.cleaned_data
        user = citizen_register(
            full_name=data["full_name"],
            password=data["password1"],
            citizen_id=data["citizen_id"],
            email=data["email"] or None,
            phone=data["phone"] or None,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        if data["address"].strip():  # typed once: it fills in the dossiers and chooses the unit
            user = user_update_profile(
                user=user, full_name=user.full_name, email=user.email, phone=user.phone, address=data["address"].strip()
            )
        login(request, user, backend="accounts.backends.EmailOrPhoneBackend")
        messages.success(request, self.confirmation(user))
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("dossiers:mine")

    @staticmethod
    def confirmation(user) -> str:
        """What every new account is told: that it exists, how to log in next time, what comes next."""
        if user.email and user.phone:
            how = _(
                "Log in next time with %(phone)s or %(email)s and your password. We sent a link to %(email)s: "
                "open it to confirm your address."
            ) % {"phone": user.phone, "email": user.email}
        elif user.email:
            how = _(
                "Log in next time with %(email)s and your password. We sent a link to %(email)s: open it to "
                "confirm your address."
            ) % {"email": user.email}
        else:
            how = _(
                "Log in next time with %(phone)s and your password; news of your dossiers comes to this number by SMS."
            ) % {"phone": user.phone}
        return " ".join(
            [
                _("Your account is created and you are logged in."),
                how,
                _("Next: find the procedure you need and submit your dossier online."),
            ]
        )


class VerifyEmailView(View):
    def get(self, request, token):
        user = user_verify_email(token=token)
        if user is None:
            messages.error(
                request, _("This confirmation link is not valid or has expired. Ask for a new one in your profile.")
            )
        else:
            messages.success(request, _("Your email address %(email)s is confirmed.") % {"email": user.email})
        return redirect("accounts:profile" if request.user.is_authenticated else "home")


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def get(self, request):
        user = request.user
        initial = {
            "full_name": user.full_name,
            "phone": user.phone,
            "email": user.email,
            "address": user.address,
            "language": user.language,
            "notify_email": user.notify_email,
            "notify_sms": user.notify_sms,
        }
        return render(request, self.template_name, {"form": ProfileForm(initial=initial, user=user)})

    def post(self, request):
        if "resend" in request.POST and request.user.email and not request.user.email_verified_at:
            send_email_verification(request.user)
            messages.info(request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email})
            return redirect("accounts:profile")
        form = ProfileForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        return redirect("accounts:profile")


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post")
class PasswordLinkView(View):
    """Forgotten password: a link by email, or by SMS for a phone-only account. The answer is the same
    whether or not an account exists, so the page does not reveal who has one."""

    template_name = "accounts/password_link.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PasswordLinkForm()})

    def post(self, request):
        form = PasswordLinkForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        user = user_find_by_identifier(identifier=form.cleaned_data["identifier"])
        if user is not None and user.is_active:
            send_password_link(user)
        return render(request, self.template_name, {"sent": True})


class PasswordSetView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. You can log in now."))
        return super().form_valid(form)
