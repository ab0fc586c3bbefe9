from decimal import Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """``50000`` → ``50.000 đồng`` in Vietnamese, ``50,000 VND`` in English: money is always grouped by
    thousands (Django's Vietnamese format does not group), with the language's separator."""
    if amount in (None, ""):
        return ""
    grouped = f"{int(amount):,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return _("%(amount)s VND") % {"amount": grouped}


@register.filter
def working_days(days) -> str:
    """``Decimal("0.5")`` → ``0,5 working days`` in Vietnamese, halves kept, whole days without decimals."""
    days = Decimal(days)
    shown = number_format(days, decimal_pos=0 if days == days.to_integral() else 1, use_l10n=True)
    return ngettext("%(days)s working day", "%(days)s working days", 1 if days == 1 else 2) % {"days": shown}


@register.filter
def fee_summary(fees) -> str:
    """The fees of a procedure in one line: free, one amount, or the range."""
    amounts = [fee.amount for fee in fees]
    if not amounts or max(amounts) == 0:
        return _("Free of charge")
    if len(set(amounts)) == 1:
        return vnd(amounts[0])
    if min(amounts) == 0:  # free in the usual case, a fee in others (late registration, copies)
        return _("Free, or up to %(high)s") % {"high": vnd(max(amounts))}
    return _("%(low)s to %(high)s") % {"low": vnd(min(amounts)), "high": vnd(max(amounts))}


_BADGES = {4: "text-bg-success", 3: "text-bg-primary"}


@register.simple_tag
def service_level_badge(version) -> str:
    """The online service level as a badge: green for fully online, blue for partly, grey otherwise."""
    css = _BADGES.get(version.service_level, "text-bg-secondary")
    return format_html('<span class="badge {}">{}</span>', css, version.get_service_level_display())
