from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import ADMINISTRATIVE_KINDS, AgencyKind, Role
from .fields import NullableCharField, NullableEmailField, PhoneNumberField
from .validators import validate_agency_code, validate_citizen_id, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, *, email, phone, password, **extra):
        user = self.model(email=email or None, phone=phone or None, **extra)
        user.normalize_identifiers()
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email=email, phone=phone, password=password, **extra)

    def create_superuser(self, email=None, password=None, *, phone=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email=email, phone=phone, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address or a phone number: a citizen or a staff member.

    What a staff member may do comes from their ``StaffMembership`` rows, not from Django's groups.
    """

    email = NullableEmailField(_("email"), unique=True, null=True, blank=True)
    # Many accounts may name one number while none has confirmed it (so typing a number never tells
    # whether someone else uses it); among confirmed numbers each is one account's (the constraint).
    phone = PhoneNumberField(_("phone number"), max_length=11, null=True, blank=True, validators=[validate_phone])
    # The number is the person's: confirmed with a code sent to it by SMS, given at a desk where a clerk
    # saw the person, set by an administrator, or on the account before codes existed (hence the
    # default). Only a confirmed number logs in and receives SMS; registration and the profile save a
    # typed number unconfirmed and send it a code.
    phone_confirmed = models.BooleanField(_("phone number confirmed"), default=True)
    citizen_id = NullableCharField(
        _("citizen ID number"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_citizen_id],
        help_text=_("12 digits, as printed on the citizen identity card."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    # The desk where a clerk opened the account for a walk-in citizen (empty: the citizen registered).
    opened_at_desk = models.ForeignKey(
        "Agency",
        verbose_name=_("account opened at the desk of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    # How the person wants to hear from the portal: messages are written in their language, and go by
    # email and SMS only where they allow it (messages in the portal always reach them).
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="vi")
    notify_email = models.BooleanField(_("messages by email"), default=True)
    notify_sms = models.BooleanField(_("messages by SMS"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("Can log in to the administration site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | models.Q(phone__isnull=False),
                name="user_has_email_or_phone",
                violation_error_message=_("Enter an email address or a phone number."),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(phone_confirmed=True),
                name="user_confirmed_phone_unique",
                violation_error_message=_("An account with this phone number already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or self.phone or str(self.pk)

    def normalize_identifiers(self):
        """Normalise email, phone and citizen ID as cleaning would (for paths that skip ``full_clean``)."""
        for name in ("email", "phone", "citizen_id"):
            setattr(self, name, self._meta.get_field(name).to_python(getattr(self, name)))

    @property
    def confirmed_phone(self) -> str | None:
        """The number that logs in and receives SMS: the account's phone once confirmed, else none."""
        return self.phone if self.phone and self.phone_confirmed else None

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split()[-1] if self.full_name else ""


class Agency(models.Model):
    """A unit of the administrative tree: province → (district →) commune, with departments and
    one-stop desks inside any of them. The tree is data: any depth, no code change when a level goes.

    ``path`` is ``/<id>/<id>/.../`` from the root and makes "this unit and everything below it" one
    indexed prefix query; it is kept in step by ``save``.
    """

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    code = models.CharField(
        _("electronic ID code"),
        max_length=20,
        unique=True,
        validators=[validate_agency_code],
        help_text=_("Code under QĐ 20/2020/QĐ-TTg, e.g. 000.17.22.H56."),
    )
    gso_code = models.CharField(
        _("administrative unit code"), max_length=8, blank=True, help_text=_("GSO code, e.g. 16228.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        parent_path = Agency.objects.values_list("path", flat=True).get(pk=self.parent_id) if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        if new_path == self.path:
            return
        old_path, self.path = self.path, new_path
        Agency.objects.filter(pk=self.pk).update(path=new_path)
        if old_path:
            # The unit moved: carry its whole subtree along.
            Agency.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(new_path), Substr("path", len(old_path) + 1))
            )

    def clean(self):
        super().clean()
        if self.parent_id and self.pk and (self.parent_id == self.pk or f"/{self.pk}/" in self.parent.path):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own units.")})

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def is_administrative_unit(self) -> bool:
        return self.kind in ADMINISTRATIVE_KINDS

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent of this unit."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


class StaffMembership(models.Model):
    """A staff member's role at one agency. A person may hold several (clerk here, leader there)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role_per_agency"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.agency}"


class PhoneConfirmation(models.Model):
    """The code last sent by SMS to prove that ``phone`` is the person's. The code itself is never
    stored: only a keyed hash of it (with the account and the number), checked in constant time. One row
    per account: asking for a code for another number replaces the number but keeps the count of codes
    sent, so switching numbers does not buy more messages."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="phone_confirmation"
    )
    phone = PhoneNumberField(_("phone number"), max_length=11, validators=[validate_phone])
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(_("code sent at"))
    expires_at = models.DateTimeField(_("code expires at"))
    wrong_tries = models.PositiveSmallIntegerField(_("wrong codes typed"), default=0)
    # Codes sent since ``sends_since`` (a day at most), for the daily limit.
    sends = models.PositiveSmallIntegerField(default=0)
    sends_since = models.DateTimeField()

    class Meta:
        verbose_name = _("phone number confirmation")
        verbose_name_plural = _("phone number confirmations")

    def __str__(self):
        return f"{self.user} · {self.phone}"
