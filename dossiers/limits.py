"""The rate limits of the public pages that answer a code without an account: the status lookup
(``/tra-cuu/``) and the verification of issued results (``/xac-thuc/``).

Each page has three budgets, checked in this order, every one in the settings:

- per address (``*_RATE_PER_ADDRESS``): one machine cannot try codes quickly;
- per code (``*_RATE_PER_CODE``), keyed on the code as the page's lookup reads it (``dossiers.codes``),
  so the 4 digits of one dossier cannot be guessed from many addresses or in many spellings;
- all addresses together (``*_RATE_ALL``), so many codes cannot be tried at once from many addresses.

A request over a budget is answered by ``RATELIMIT_VIEW`` (429). The counters live in the cache; when
it cannot be reached the limits let requests through (``RATELIMIT_FAIL_OPEN``), never lock people out.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit


def _setting(name: str):
    return lambda _group, _request: getattr(settings, name)


def public_limits(*, page: str, code: Callable[[HttpRequest], str], method=ALL, group: str = ""):
    """A decorator putting ``page``'s three budgets on a view function; ``code(request)`` is the
    normalised code the request asks about. ``page`` is ``"LOOKUP"`` or ``"VERIFY"``: the budgets
    are read from ``<page>_RATE_PER_ADDRESS``, ``<page>_RATE_PER_CODE`` and ``<page>_RATE_ALL`` at each
    request. Views decorated with the same ``group`` (``page`` unless given) and ``method`` share the
    same counters."""
    group = group or page
    budgets = [
        ratelimit(group=f"{group}:address", key="ip", rate=_setting(f"{page}_RATE_PER_ADDRESS"), method=method),
        ratelimit(
            group=f"{group}:code",
            key=lambda _group, request: code(request),
            rate=_setting(f"{page}_RATE_PER_CODE"),
            method=method,
        ),
        ratelimit(
            group=f"{group}:all", key=lambda _group, _request: "all", rate=_setting(f"{page}_RATE_ALL"), method=method
        ),
    ]

    def decorate(view):
        for budget in reversed(budgets):  # the first listed is checked first
            view = budget(view)
        return view

    return decorate
