from django.shortcuts import render
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


def rate_limited(request, exception=None):
    """Too many requests from one address (e.g. guessing lookup digits): wait a minute."""
    return render(request, "rate_limited.html", status=429)
