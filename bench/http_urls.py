"""The portal's URLs plus a bare view: the baseline the HTTP benchmarks set every page beside. It goes
through the whole middleware stack (sessions, CSRF, security headers, the input guard, the rate-limit
middleware) and answers a few bytes without a template or a query."""

from django.http import HttpResponse
from django.urls import path

from onestop.urls import urlpatterns as portal


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal]
