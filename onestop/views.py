from django.shortcuts import render
from django.views.generic import TemplateView

from reports.public import procedures_most_used, public_results

from .templatetags.portal import portal_identity_for


class HomeView(TemplateView):
    """The front page: who the portal serves, search, the procedures used most, the status lookup,
    the units' published results for the year, and where and when the desks receive."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        portal = portal_identity_for(self.request)
        return super().get_context_data(
            portal=portal,
            popular=procedures_most_used(),
            results=public_results(units=portal.units),
            **kwargs,
        )


def rate_limited(request, exception=None):
    """Too many requests (e.g. guessing lookup digits) from one address, for one code or from everyone:
    the limits run per minute or per hour, so the page asks for a while, not a minute."""
    return render(request, "rate_limited.html", status=429)
