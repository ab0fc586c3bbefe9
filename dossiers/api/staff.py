"""Staff API: the work queue and the actions on a dossier, through the same action list, forms,
services and predicates as the staff pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import is_staff_member
from dossiers.actions import ACTIONS_BY_NAME, StateMissing, actions_for, expected_state, form_for
from dossiers.constants import Status
from dossiers.selectors import dossier_get_detail, dossier_get_detail_or_404, dossier_queue
from dossiers.services import DossierChanged

from .serializers import ActionInputSerializer, ActionResultSerializer, DossierDetailSerializer, QueueItemSerializer


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

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[s for s in Status.values if s != Status.DRAFT]),
            OpenApiParameter("procedure", str, description="National procedure code."),
            OpenApiParameter("due", str, enum=["soon", "overdue"]),
            OpenApiParameter("q", str, description="Dossier code, applicant name or phone."),
            OpenApiParameter("mine", bool, description="Only dossiers assigned to the caller."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = {key: value.replace("\x00", "") for key, value in self.request.query_params.items()}
        status_filter = params.get("status") if params.get("status") in Status.values else None
        return dossier_queue(
            user=self.request.user,
            status=status_filter,
            procedure=params.get("procedure") or None,
            due=params.get("due") if params.get("due") in ("soon", "overdue") else None,
            query=params.get("q", ""),
            mine=params.get("mine") in ("1", "true", "on"),
        )


class DossierActionApi(APIView):
    """Perform one action (receive, request_completion, refuse, hand_over, request_payment,
    record_payment, resubmit, complete, return_result, apologise, stop, withdraw)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ActionInputSerializer, responses={200: ActionResultSerializer})
    def post(self, request, reference, action):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        chosen = ACTIONS_BY_NAME.get(action)
        if chosen is None:
            raise Http404
        try:
            state = expected_state(request.data)
        except StateMissing as error:
            raise ApiValidationError(error.message_dict) from error
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
            raise Conflict({"detail": error.messages}) from error
        except ValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            raise ApiValidationError(detail) from error
        fresh = dossier_get_detail(user=request.user, reference=reference)
        body = {**DossierDetailSerializer(fresh).data, "warnings": outcome.warnings if outcome else []}
        return Response(body, status=status.HTTP_200_OK)


class DossierActionsListApi(APIView):
    """The actions the caller may take on the dossier now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, reference):
        dossier = dossier_get_detail_or_404(user=request.user, reference=reference)
        return Response({"actions": [a.name for a in actions_for(user=request.user, dossier=dossier)]})
