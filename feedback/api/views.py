"""Feedback API views: each validates its input, reads through a selector, calls one service and
answers; a feedback the caller may not see is not found (404)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Agency
from accounts.selectors import agency_get_active
from dossiers.selectors import dossier_list_for_applicant
from onestop.api_parsers import JSONParser
from onestop.api_schema import ErrorSerializer
from procedures.models import Procedure
from procedures.selectors import procedure_get_current

from ..models import Feedback
from ..permissions import feedback_units_handled
from ..selectors_citizen import feedback_get_sent_by, feedback_list_published, feedback_list_sent_by
from ..selectors_staff import feedback_get_for_staff, feedback_inbox
from ..services import feedback_answer, feedback_move, feedback_rate, feedback_send
from .pagination import StrictPageNumberPagination
from .serializers import (
    FeedbackAnswerSerializer,
    FeedbackDetailSerializer,
    FeedbackInboxSerializer,
    FeedbackListSerializer,
    FeedbackMovedSerializer,
    FeedbackMoveSerializer,
    FeedbackRateSerializer,
    FeedbackSendSerializer,
    FeedbackStaffDetailSerializer,
    InboxFilterSerializer,
    PublishedAnswerSerializer,
    PublishedFilterSerializer,
)

ALREADY_DONE = OpenApiResponse(
    ErrorSerializer, description="Not in this state: already answered or rated, or not answered yet."
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The feedback is not in a state that allows this.")


class HandlesFeedback(BasePermission):
    """Staff who handle a unit's feedback (the feedback role or a leader)."""

    def has_permission(self, request, view):
        return bool(feedback_units_handled(user=request.user))


def _refusal(error: ValidationError) -> APIException:
    """A service's refusal: naming fields, the input was wrong (400); naming none, the feedback's state
    does not allow it (409)."""
    if hasattr(error, "error_dict"):
        return ApiValidationError(error.message_dict)
    return Conflict(" ".join(error.messages))


def _input(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class FeedbackListApi(generics.ListAPIView):
    """The caller's own feedback, newest first; POST sends a new one."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = StrictPageNumberPagination
    serializer_class = FeedbackListSerializer

    def get_queryset(self):
        return feedback_list_sent_by(user=self.request.user)

    @extend_schema(
        request=FeedbackSendSerializer,
        responses={
            201: FeedbackDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The `submission_key` was used by another sender."),
        },
    )
    def post(self, request):
        """Send feedback: about a `dossier` (its reference), a `procedure` (its code, with the `agency`
        where it was met if several offer it), a `regulation` or a unit's `conduct` (the `agency`). With a
        `submission_key`, a request sent again gives back the feedback the first one made (201 again)."""
        data = _input(FeedbackSendSerializer, request)
        references = {}
        if data.get("dossier"):
            references["dossier"] = (
                dossier_list_for_applicant(user=request.user).filter(reference=data["dossier"]).first()
            )
            if references["dossier"] is None:
                raise ApiValidationError({"dossier": [_("Choose one of your submitted dossiers.")]})
        if data.get("procedure"):
            references["procedure"] = procedure_get_current(code=data["procedure"])
            if references["procedure"] is None:
                raise ApiValidationError({"procedure": [_("No procedure in force has this code.")]})
        if data.get("agency"):
            references["agency"] = agency_get_active(code=data["agency"])
            if references["agency"] is None:
                raise ApiValidationError({"agency": [_("No unit in service has this code.")]})
        try:
            feedback = feedback_send(
                sender=request.user,
                subject=data["subject"],
                text=data["text"],
                may_publish=data["may_publish"],
                submission_key=data["submission_key"],
                **references,
            )
        except ValidationError as error:
            raise _refusal(error) from error
        sent = feedback_get_sent_by(user=request.user, reference=feedback.reference)
        return Response(
            FeedbackDetailSerializer(sent, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class FeedbackDetailApi(generics.RetrieveAPIView):
    """One of the caller's own feedback, with its timeline and the answer."""

    permission_classes = [IsAuthenticated]
    serializer_class = FeedbackDetailSerializer

    def get_object(self):
        feedback = feedback_get_sent_by(user=self.request.user, reference=self.kwargs["reference"])
        if feedback is None:
            raise Http404
        return feedback


class FeedbackRateApi(APIView):
    """The sender says, once, whether the answer resolved the matter."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(request=FeedbackRateSerializer, responses={200: FeedbackDetailSerializer, 409: ALREADY_DONE})
    def post(self, request, reference):
        feedback = feedback_get_sent_by(user=request.user, reference=reference)
        if feedback is None:
            raise Http404
        data = _input(FeedbackRateSerializer, request)
        try:
            feedback_rate(feedback=feedback, by=request.user, resolved=data["resolved"])
        except ValidationError as error:
            raise _refusal(error) from error
        fresh = feedback_get_sent_by(user=request.user, reference=reference)
        return Response(FeedbackDetailSerializer(fresh, context={"request": request}).data)


class FeedbackInboxApi(generics.ListAPIView):
    """The feedback held by the units the caller handles: unanswered first, soonest due first."""

    permission_classes = [IsAuthenticated, HandlesFeedback]
    pagination_class = StrictPageNumberPagination
    serializer_class = FeedbackInboxSerializer

    @extend_schema(parameters=[InboxFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = InboxFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        feedback = feedback_inbox(user=self.request.user, status=filters.get("status"), due=filters.get("due"))
        return feedback.select_related("procedure", "dossier")


def _handled_or_404(request, reference):
    feedback = feedback_get_for_staff(user=request.user, reference=reference)
    if feedback is None:
        raise Http404
    return feedback


class FeedbackStaffDetailApi(generics.RetrieveAPIView):
    """A feedback the caller's unit holds (or may take back), with the sender's name and contact."""

    permission_classes = [IsAuthenticated, HandlesFeedback]
    serializer_class = FeedbackStaffDetailSerializer

    def get_object(self):
        return _handled_or_404(self.request, self.kwargs["reference"])


class FeedbackAnswerApi(APIView):
    """The unit holding the feedback answers it, once; the sender is told."""

    permission_classes = [IsAuthenticated, HandlesFeedback]
    parser_classes = [JSONParser]

    @extend_schema(request=FeedbackAnswerSerializer, responses={200: FeedbackStaffDetailSerializer, 409: ALREADY_DONE})
    def post(self, request, reference):
        feedback = _handled_or_404(request, reference)
        data = _input(FeedbackAnswerSerializer, request)
        try:
            feedback_answer(
                feedback=feedback,
                by=request.user,
                answer=data["answer"],
                public_summary=data["public_summary"],
                public_answer=data["public_answer"],
            )
        except ValidationError as error:
            raise _refusal(error) from error
        fresh = _handled_or_404(request, reference)
        return Response(FeedbackStaffDetailSerializer(fresh, context={"request": request}).data)


class FeedbackMoveApi(APIView):
    """Pass an unanswered feedback to a unit right below the one holding it, or back up."""

    permission_classes = [IsAuthenticated, HandlesFeedback]
    parser_classes = [JSONParser]

    @extend_schema(
        request=FeedbackMoveSerializer,
        responses={200: FeedbackMovedSerializer, 409: ALREADY_DONE},
    )
    def post(self, request, reference):
        feedback = _handled_or_404(request, reference)
        data = _input(FeedbackMoveSerializer, request)
        to_agency = agency_get_active(code=data["to_agency"])
        if to_agency is None:
            raise ApiValidationError({"to_agency": [_("You cannot pass this feedback to that unit.")]})
        try:
            moved = feedback_move(feedback=feedback, by=request.user, to_agency=to_agency, note=data["note"])
        except ValidationError as error:
            raise _refusal(error) from error
        # Where it went; passed up, it may be out of the caller's sight from now on.
        return Response(FeedbackMovedSerializer(moved).data)


class PublishedAnswerListApi(generics.ListAPIView):
    """Answers published with their senders' consent, newest first; no sender, no code."""

    permission_classes = [AllowAny]
    pagination_class = StrictPageNumberPagination
    serializer_class = PublishedAnswerSerializer

    @extend_schema(parameters=[PublishedFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = PublishedFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        ids = {}
        if filters.get("procedure"):
            ids["procedure_id"] = (
                Procedure.objects.filter(code=filters["procedure"]).values_list("pk", flat=True).first()
            )
        if filters.get("unit"):
            ids["agency_id"] = Agency.objects.filter(code=filters["unit"]).values_list("pk", flat=True).first()
        if None in ids.values():  # no such procedure or unit: nothing published about it
            return Feedback.objects.none()
        # The public fields, and the unit's code, by which the list is filtered.
        return feedback_list_published(**ids)
