from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.constants import AgencyKind


class Indicator(models.TextChoices):
    ONLINE_COUNT = "online_count", _("Dossiers received online (count)")
    ONLINE_SHARE = "online_share", _("Share of dossiers received online (%)")
    ON_TIME_RATE = "on_time_rate", _("On-time rate (%)")
    DIGITISATION_RATE = "digitisation_rate", _("Digitisation rate of results (%)")
    ONLINE_PAYMENT_RATE = "online_payment_rate", _("Online payment rate (%)")
    SATISFACTION_RATE = "satisfaction_rate", _("Satisfaction rate (%)")
    # Counted by the feedback app, through ``settings.DASHBOARD_EXTRA_INDICATORS``.
    FEEDBACK_ON_TIME_RATE = "feedback_on_time_rate", _("Feedback and petitions handled on time (%)")


class TargetPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("First 6 months")
    NINE_MONTHS = "nine_months", _("First 9 months")
    YEAR = "year", _("Year")


# How the source of every demo target begins: never mistaken for a document of the province.
DEMO_SOURCE = "Chỉ tiêu mẫu (demo) — không phải văn bản của tỉnh"


class Target(models.Model):
    """A target the province sets: an indicator's minimum for a period, for one unit or for every unit
    of a level (every commune, say). A unit's own target wins over its level's."""

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    period_kind = models.CharField(_("period"), max_length=12, choices=TargetPeriod.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(
        _("month or quarter"), null=True, blank=True, help_text=_("For a month: 1 to 12; a quarter: 1 to 4.")
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
    )
    agency_kind = models.CharField(
        _("every unit of the level"),
        max_length=12,
        choices=[
            (AgencyKind.DISTRICT, AgencyKind.DISTRICT.label),
            (AgencyKind.COMMUNE, AgencyKind.COMMUNE.label),
            (AgencyKind.DESK, AgencyKind.DESK.label),
        ],
        blank=True,
    )
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=1)
    note = models.CharField(_("source"), max_length=255, blank=True, help_text=_("The province's decision or plan."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "indicator", "period_kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "year", "number", "agency"],
                condition=models.Q(agency__isnull=False),
                name="target_once_per_unit",
            ),
            # The database sees two NULL numbers (a half, a year) as different: ``target_save`` checks
            # those; this holds for months and quarters.
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "year", "number", "agency_kind"],
                condition=models.Q(agency__isnull=True),
                name="target_once_per_level_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} · {self.year} · {self.agency or self.get_agency_kind_display()}"

    @property
    def is_demo(self) -> bool:
        """A demo target, whose source says it is not the province's (``reports.demo``)."""
        return self.note.startswith(DEMO_SOURCE)

    @property
    def is_rate(self) -> bool:
        return self.indicator != Indicator.ONLINE_COUNT

    def clean(self):
        same = Target.objects.filter(
            indicator=self.indicator, period_kind=self.period_kind, year=self.year, number=self.number
        )
        same = same.filter(agency_id=self.agency_id) if self.agency_id else same.filter(agency_kind=self.agency_kind)
        if self.indicator and self.year and same.exclude(pk=self.pk).exists():
            # Checked here too: the database takes two empty month numbers (a half, a year) for different ones.
            raise ValidationError(_("A target for this indicator, period and unit exists already: change that one."))
        if bool(self.agency_id) == bool(self.agency_kind):
            raise ValidationError(_("Choose either one unit or a level of units."))
        if self.period_kind in (TargetPeriod.MONTH, TargetPeriod.QUARTER):
            top = 12 if self.period_kind == TargetPeriod.MONTH else 4
            if not self.number or not 1 <= self.number <= top:
                raise ValidationError({"number": _("Give the month (1 to 12) or the quarter (1 to 4).")})
        elif self.number:
            raise ValidationError({"number": _("Only a month or a quarter has a number.")})
        if self.indicator != Indicator.ONLINE_COUNT and not 0 <= self.value <= 100:
            raise ValidationError({"value": _("A rate is between 0 and 100.")})
        if self.value < 0:
            raise ValidationError({"value": _("A target cannot be negative.")})


class TargetChange(models.Model):
    """One change of a target, kept for good: who set, changed or deleted it, when, the value and the
    source before and after. What the target was for is copied, so the row outlives the target."""

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("target change", "set")
        CHANGED = "changed", pgettext_lazy("target change", "changed")
        DELETED = "deleted", pgettext_lazy("target change", "deleted")

    target = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    period_kind = models.CharField(_("period"), max_length=12, choices=TargetPeriod.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("month or quarter"), null=True, blank=True)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True)
    # The unit itself, so the history of a deleted target is shown only to those who read that unit.
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency_kind = models.CharField(_("every unit of the level"), max_length=12, choices=AgencyKind.choices, blank=True)
    old_value = models.DecimalField(_("old target"), max_digits=12, decimal_places=1, null=True, blank=True)
    new_value = models.DecimalField(_("new target"), max_digits=12, decimal_places=1, null=True, blank=True)
    old_note = models.CharField(_("old source"), max_length=255, blank=True)
    new_note = models.CharField(_("new source"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="target_changes",
    )
    actor_name = models.CharField(_("changed by"), max_length=255, blank=True)
    at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("change of a target")
        verbose_name_plural = _("changes of targets")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.get_indicator_display()} {self.year} {self.unit_label}"

    @property
    def unit_label(self) -> str:
        return self.unit_name or str(self.get_agency_kind_display())


class ReportMailing(models.Model):
    """One report mailed to one leader for one unit and period: written before the mail goes, marked
    sent after, so the daily job sends each once and catches up after a missed day."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="report_mailings")
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="report_mailings")
    period_kind = models.CharField(max_length=12, choices=TargetPeriod.choices)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "recipient", "period_kind", "year", "number"], name="report_mailed_once"
            )
        ]

    def __str__(self):
        return f"{self.agency} {self.period_kind} {self.number or ''}/{self.year} → {self.recipient}"
