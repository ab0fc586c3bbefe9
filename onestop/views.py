from django.shortcuts import render
from django.utils import timezone
from django.views.generic import TemplateView

from reports.public import procedures_most_used, public_results

from .page_cache import public_page
from .templatetags.portal import portal_identity_for

# The front page's figures (dossiers received and resolved, the procedures used most) change with every
# dossier: its cached copy is kept this long, and the page says when they were counted.
FRONT_PAGE_MAX_AGE = 300  # seconds


class HomeView(TemplateView):
    """The front page: who the portal serves, search, the procedures used most, the status lookup,
    the units' published results for the year, and where and when the desks receive."""

    template_name = "home.html"

    @public_page(max_age=FRONT_PAGE_MAX_AGE)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        portal = portal_identity_for(self.request)
        return super().get_context_data(
            portal=portal,
            popular=procedures_most_used(),
            results=public_results(units=portal.units),
            counted_at=timezone.localtime(),
            **kwargs,
        )


def rate_limited(request, exception=None):
    """Too many requests (e.g. guessing lookup digits) from one address, for one code or from everyone:
    the limits run per minute or per hour, so the page asks for a while, not a minute."""
    return render(request, "rate_limited.html", status=429)
