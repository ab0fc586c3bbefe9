"""The client's address, for rate limits and login cool-offs: REMOTE_ADDR, or behind
``TRUSTED_PROXY_COUNT`` proxies the address they recorded in X-Forwarded-For (a client cannot forge
the entries our own proxies append)."""

from django.conf import settings


def client_ip(request) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
