"""The API's OpenAPI schema (drf-spectacular), with the errors each operation can answer besides its
success: a client reads from /api/schema/ every status code it may meet, each with its JSON body.

- 400 on every operation: a request holding a character no text can store is refused before any
  view (``onestop.middleware.InputGuardMiddleware``), and a refused input answers one list of
  messages per field (``{"field": ["..."]}``) or ``{"detail": "..."}``.
- 403 (and 401 where the first authentication scheme names itself in ``WWW-Authenticate``) where the
  caller can be refused: a permission to pass, credentials in a header that may be wrong, or the CSRF
  check of a logged-in caller's write.
- 404 where the path names something (it may not exist or not be the caller's) and on paginated lists
  (a page past the end).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")


REFUSED_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='The input was refused: a list of messages per field ({"field": ["..."]}), or {"detail": "..."} '
    "for a request the portal cannot read (e.g. a NUL character anywhere in it).",
)
NOT_AUTHENTICATED = OpenApiResponse(ErrorSerializer, description="No valid credentials were given.")
REFUSED_CALLER = OpenApiResponse(
    ErrorSerializer, description="The caller may not do this (not logged in, another role, wrong credentials)."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="Nothing by this name that the caller may see, or a page past the last one."
)


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _error_responses(self) -> dict:
        errors = {"400": REFUSED_INPUT}
        if self._caller_may_be_refused():
            authenticators = self.view.get_authenticators()
            if authenticators and authenticators[0].authenticate_header(self.view.request):
                errors["401"] = NOT_AUTHENTICATED
            errors["403"] = REFUSED_CALLER
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            errors["404"] = NOT_FOUND
        return errors

    def _caller_may_be_refused(self) -> bool:
        view = self.view
        guarded = any(not isinstance(permission, AllowAny) for permission in view.get_permissions())
        authenticators = view.get_authenticators()
        credentials = any(not isinstance(scheme, SessionAuthentication) for scheme in authenticators)
        csrf = self.method not in SAFE_METHODS and any(isinstance(s, SessionAuthentication) for s in authenticators)
        return guarded or credentials or csrf
