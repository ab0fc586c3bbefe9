"""Login cool-offs: one per account, one per client address.

django-axes counts failed logins per account, in the database: ``accounts.backends.login_identifier``
names the account whatever identifier was typed (email, phone in any spelling), so failures on any of
them add up and the cool-off covers all of them, from every address. ``AccountLockoutHandler`` adds a
cap per client address over any accounts (``LOGIN_ADDRESS_FAILURE_LIMIT`` failures within
``LOGIN_ADDRESS_WINDOW``, then no login from that address for ``AXES_COOLOFF_TIME``), kept in the cache
like the portal's other rate limits: a cache outage lifts the address cap, never the account's cool-off.

Every path that checks a password goes through ``django.contrib.auth.authenticate`` with the request
(the login form, the admin's login, the API's Basic authentication where it is on), so all meet both.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache

from axes.handlers.database import AxesDatabaseHandler
from axes.signals import user_locked_out


def _network(address: str) -> str:
    """An IPv6 address counts as its /64 (one home or phone line holds a whole /64, as the portal's
    other rate limits read it); an IPv4 address as itself."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def _count_key(address: str) -> str:
    return f"login-failures:address:{_network(address)}"


def _lock_key(address: str) -> str:
    return f"login-paused:address:{_network(address)}"


def address_paused(address: str | None) -> bool:
    """Whether logins from ``address`` are paused after too many failures over any accounts."""
    return bool(address) and cache.get(_lock_key(address)) is not None


def address_failure_record(address: str | None) -> bool:
    """Count one failed login from ``address``; True when this failure pauses the address's logins."""
    if not address:
        return False
    key = _count_key(address)
    cache.add(key, 0, timeout=int(settings.LOGIN_ADDRESS_WINDOW.total_seconds()))
    try:
        failures = cache.incr(key)
    except ValueError:  # the counter expired (or the cache is away) between add and incr
        return False
    if failures is None or failures < settings.LOGIN_ADDRESS_FAILURE_LIMIT:  # None: the cache is away
        return False
    cache.set(_lock_key(address), failures, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return True


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler (per-account counts, ``AXES_LOCKOUT_PARAMETERS = ["username"]``) plus the
    per-address cap. A login refused during a cool-off is not counted again as a guess."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_paused(getattr(request, "axes_ip_address", None))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused = bool(getattr(request, "axes_locked_out", False))  # refused by the cool-off, no password tried
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused or self.is_whitelisted(request, credentials):
            return
        address = getattr(request, "axes_ip_address", None)
        if address_failure_record(address) and not request.axes_locked_out:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=None, ip_address=address)
