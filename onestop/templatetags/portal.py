"""The portal's identity for the header and footer of every page: read once per request."""

from django import template

from reports.public import PortalIdentity

register = template.Library()


def portal_identity_for(request) -> PortalIdentity:
    """The request's ``PortalIdentity``, made on first use (a page without a request gets its own)."""
    if request is None:
        return PortalIdentity()
    identity = getattr(request, "portal_identity", None)
    if identity is None:
        identity = request.portal_identity = PortalIdentity()
    return identity


@register.simple_tag(takes_context=True)
def portal_identity(context) -> PortalIdentity:
    return portal_identity_for(context.get("request"))
