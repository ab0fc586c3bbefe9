"""Staff API: the work queue and the actions on a dossier, through the same action list, forms,
services and predicates as the staff pages."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_staff_member
from dossiers.actions import ACTIONS_BY_NAME, StateMissing, actions_for, expected_state, form_for
from dossiers.selectors import dossier_get_detail, dossier_get_detail_or_404, dossier_queue
from dossiers.services import DossierChanged
from onestop.api_parsers import JSONParser
from onestop.api_schema import ErrorSerializer

from .serializers import (
    ActionInputSerializer,
    ActionNamesSerializer,
    ActionResultSerializer,
    DossierDetailSerializer,
    QueueFilterSerializer,
    QueueItemSerializer,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The dossier changed in the meantime."


class IsStaffMember(BasePermission):
    def has_permission(self, request, view):
        return is_staff_member(user=request.user)


class QueueApi(generics.ListAPIView):
    """The caller's work queue, with the filters of the queue page."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    serializer_class = QueueItemSerializer

    @extend_schema(parameters=[QueueFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = QueueFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        return dossier_queue(
            user=self.request.user,
            status=filters.get("status") or None,
            procedure=filters.get("procedure") or None,
            due=filters.get("due") or None,
            query=filters.get("q", ""),
            mine=filters.get("mine", False),
        )


class DossierActionApi(APIView):
    """Perform one action (receive, request_completion, refuse, hand_over, request_payment,
    record_payment, resubmit, complete, return_result, apologise, stop, withdraw)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ActionInputSerializer,
        responses={
            200: ActionResultSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The dossier changed since the caller read it."),
        },
    )
    def post(self, request, reference, action):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        chosen = ACTIONS_BY_NAME.get(action)
        if chosen is None:
            raise Http404
        if not isinstance(request.data, Mapping):
            raise ApiValidationError({"detail": [_("Send the action's fields as one object.")]})
        try:
            state = expected_state(request.data)
        except StateMissing as error:
            raise ApiValidationError(error.message_dict) from error
        ActionInputSerializer(data=request.data).is_valid(raise_exception=True)
        data = QueryDict(mutable=True)
        for key, value in request.data.items():
            if key in ("expected_status", "expected_version") or hasattr(value, "read"):
                continue
            # A JSON list (e.g. the missing documents) becomes the page form's one-per-line text.
            data[f"{chosen.name}-{key}"] = "\n".join(map(str, value)) if isinstance(value, list) else value
        files = {f"{chosen.name}-{key}": value for key, value in request.FILES.items()}
        form = form_for(chosen, dossier, data, files)
        if form is not None and not form.is_valid():
            raise ApiValidationError(
                {key.removeprefix(f"{chosen.name}-"): errors for key, errors in form.errors.items()}
            )
        try:
            outcome = chosen.run(dossier, request.user, form.cleaned_data if form else {}, state)
        except PermissionDenied as error:
            raise ApiPermissionDenied(str(error)) from error
        except DossierChanged as error:
            raise Conflict(" ".join(error.messages)) from error
        except ValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            raise ApiValidationError(detail) from error
        fresh = dossier_get_detail(user=request.user, reference=reference)
        body = {**DossierDetailSerializer(fresh).data, "warnings": outcome.warnings if outcome else []}
        return Response(body, status=status.HTTP_200_OK)


class DossierActionsListApi(APIView):
    """The actions the caller may take on the dossier now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ActionNamesSerializer})
    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        return Response({"actions": [a.name for a in actions_for(user=request.user, dossier=dossier)]})
