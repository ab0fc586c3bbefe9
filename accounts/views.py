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
from django.utils.translation import gettext_lazy
from django.views import View

from django_ratelimit.decorators import ratelimit

from .forms import LoginForm, PasswordLinkForm, PhoneCodeForm, ProfileForm, RegistrationForm
from .links import send_email_verification, send_password_link
from .selectors import landing_page, phone_confirmation_pending, user_find_by_identifier
from .services import (
    Confirmation,
    citizen_register,
    login_cooloff_end,
    phone_code_send,
    phone_confirm,
    user_update_profile,
    user_verify_email,
)


class LoginView(auth_views.LoginView):
    """Log in; then the page the person was going to, else where their work is: a clerk's or a
    specialist's queue, a leader's dashboard, a citizen's home page."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and user.phone and not user.phone_confirmed and not user.email:
            return resolve_url("accounts:confirm_phone")  # its only way in waits for the SMS code
        return super().get_redirect_url()

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
            address=data["address"].strip(),  # typed once: it fills in the dossiers and chooses the unit
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        login(request, user, backend="accounts.backends.EmailOrPhoneBackend")
        messages.success(request, self.confirmation(user))
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("accounts:confirm_phone" if user.phone else "dossiers:mine")

    @staticmethod
    def confirmation(user) -> str:
        """What every new account is told: that it exists, how to log in next time, what comes next.
        The same words whether or not another account uses the phone number (it waits for its code)."""
        if user.email and user.phone:
            how = _(
                "Log in next time with %(email)s and your password. We sent a link to %(email)s: open it to "
                "confirm your address. We sent a code by SMS to %(phone)s: type it in My account to confirm "
                "the number; then you can log in with it too."
            ) % {"phone": user.phone, "email": user.email}
        elif user.email:
            how = _(
                "Log in next time with %(email)s and your password. We sent a link to %(email)s: open it to "
                "confirm your address."
            ) % {"email": user.email}
        else:
            how = _(
                "We sent a code by SMS to %(phone)s: type it in My account to confirm the number. Then you log in "
                "next time with %(phone)s and your password, and news of your dossiers comes to this number by SMS."
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
        result, user = user_verify_email(token=token)
        if result == Confirmation.CONFIRMED:
            messages.success(request, _("Your email address %(email)s is confirmed.") % {"email": user.email})
        elif result == Confirmation.UNAVAILABLE:
            messages.error(
                request,
                _(
                    "This address cannot be added to this account. If you already have another account with it, "
                    "log in with that one."
                ),
            )
        else:
            messages.error(
                request, _("This confirmation link is not valid or has expired. Ask for a new one in your profile.")
            )
        return redirect("accounts:profile" if request.user.is_authenticated else "home")


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def context(self, form):
        user = self.request.user
        return {"form": form, "pending_phone": phone_confirmation_pending(user=user)}

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
        return render(request, self.template_name, self.context(ProfileForm(initial=initial, user=user)))

    def post(self, request):
        if "resend" in request.POST and request.user.email and not request.user.email_verified_at:
            send_email_verification(request.user)
            messages.info(request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email})
            return redirect("accounts:profile")
        form = ProfileForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        change = user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        if change.email_pending:
            messages.info(
                request,
                _("We sent a link to %(email)s: the address becomes your account's when you open it.")
                % {"email": change.email_pending},
            )
        if change.phone_pending:
            tell_code_sent(request, phone=change.phone_pending, sent=change.code_sent)
            return redirect("accounts:confirm_phone")
        return redirect("accounts:profile")


CODE_SENT = gettext_lazy(
    "We sent a code by SMS to %(phone)s: type it here to confirm the number. It is valid for 10 minutes."
)

# What a code that does not confirm the number is told, by the outcome of ``phone_confirm``.
PHONE_CODE_OUTCOMES = {
    Confirmation.WRONG: gettext_lazy("This is not the code we sent. Check the SMS and try again."),
    Confirmation.EXPIRED: gettext_lazy("This code has expired. Ask for a new one."),
    Confirmation.TOO_MANY: gettext_lazy("Too many wrong codes. Ask for a new one."),
    Confirmation.UNAVAILABLE: gettext_lazy(
        "This number cannot be confirmed for this account. If you already have another account with it, "
        "log in with that one."
    ),
}


def tell_code_sent(request, *, phone: str, sent: bool, sent_text=CODE_SENT) -> None:
    """Tell the person whether a code went to ``phone``: ``sent_text`` (with ``%(phone)s``) if it did,
    else that the limits of phone codes held it back."""
    if sent:
        messages.info(request, sent_text % {"phone": phone})
    else:
        messages.warning(
            request,
            _("A new code can be sent a minute after the last one, and at most 5 a day. Please wait and try again."),
        )


class PhoneConfirmView(LoginRequiredMixin, View):
    """Type the code sent by SMS to the number waiting for confirmation, or ask for a new one."""

    template_name = "accounts/confirm_phone.html"

    def render_page(self, pending, form, status=200):
        context = {"pending": pending, "form": form, "file_sms": settings.SMS_BACKEND == "onestop.sms.FileBackend"}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        pending = phone_confirmation_pending(user=request.user)
        if pending is None:
            return redirect("accounts:profile")
        return self.render_page(pending, PhoneCodeForm())

    def post(self, request):
        pending = phone_confirmation_pending(user=request.user)
        if pending is None:
            return redirect("accounts:profile")
        if "resend" in request.POST:
            tell_code_sent(request, phone=pending.phone, sent=phone_code_send(user=request.user, phone=pending.phone))
            return redirect("accounts:confirm_phone")
        form = PhoneCodeForm(request.POST)
        if not form.is_valid():
            return self.render_page(pending, form, status=400)
        phone = pending.phone
        result = phone_confirm(user=request.user, code=form.cleaned_data["code"])
        if result == Confirmation.CONFIRMED:
            messages.success(
                request,
                _(
                    "Your phone number %(phone)s is confirmed: you can log in with it, and news of your dossiers "
                    "can come to it by SMS."
                )
                % {"phone": phone},
            )
            return redirect("accounts:profile")
        form.add_error("code", PHONE_CODE_OUTCOMES[result])
        return self.render_page(phone_confirmation_pending(user=request.user), form, status=400)


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
        login_cooloff_end(user=form.user)  # only the owner receives the link: their account opens again
        messages.success(self.request, _("Your password is set. You can log in now."))
        return super().form_valid(form)
