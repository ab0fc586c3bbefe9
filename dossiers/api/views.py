"""Citizen API: the same services, selectors and predicates as the pages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import agency_get_active
from dossiers.constants import Status
from dossiers.forms import ApplicantForm
from dossiers.models import Attachment, Dossier, DossierEvent
from dossiers.selectors import (
    attachment_get_visible,
    dossier_get_detail_or_404,
    dossier_list_for_applicant,
)
from dossiers.services import (
    attachment_add,
    dossier_start,
    dossier_submit,
    result_taken,
)
from dossiers.services.results import result_awaits_receipt
from onestop.api_schema import ErrorSerializer
from onestop.files import file_response
from procedures.form_schema import form_class_for
from procedures.selectors import version_list_current

from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
    ResultReceivedSerializer,
    SubmitSerializer,
)

# A dossier's file is served as it was accepted: one of the upload types (a result is a PDF).
UPLOAD_TYPES = sorted({*settings.DOSSIER_UPLOAD_TYPES, "application/pdf"})


def _api_error(error: ValidationError) -> ApiValidationError:
    return ApiValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages})


def _own_draft_or_404(request, reference) -> Dossier:
    """The caller's own draft with its procedure version and unit (its files and documents are read by
    the service that needs them); anything else (another's dossier, a submitted one) is not found."""
    try:
        dossier = dossier_list_for_applicant(user=request.user).get(reference=reference, status=Status.DRAFT)
    except Dossier.DoesNotExist:
        raise Http404 from None
    dossier.applicant = request.user  # the caller's own: the service reads no second copy of the account
    return dossier


class DossierListApi(generics.ListCreateAPIView):
    """The citizen's own dossiers (drafts included); POST starts a draft with its details."""

    permission_classes = [IsAuthenticated]
    serializer_class = DossierListSerializer

    def get_queryset(self):
        return dossier_list_for_applicant(user=self.request.user)

    @extend_schema(request=DossierCreateSerializer, responses={201: DossierDetailSerializer})
    def post(self, request):
        params = DossierCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        # The version alone: the procedure page's fees, documents, units and steps are not needed here.
        version = version_list_current().filter(procedure__code=data["procedure"]).first()
        agency = agency_get_active(code=data["agency"])
        if version is None or agency is None:
            raise ApiValidationError({"procedure": [_("No procedure in force with this code at this agency.")]})
        # Everything is checked before the draft exists: a refused request leaves nothing behind.
        errors = {}
        applicant = ApplicantForm(data=data["applicant"]) if "applicant" in data else None
        if applicant is not None and not applicant.is_valid():
            errors["applicant"] = applicant.errors
        form = form_class_for(version.form_schema)(data=data["form_data"]) if data["form_data"] else None
        if form is not None and not form.is_valid():
            errors["form_data"] = form.errors
        if errors:
            raise ApiValidationError(errors)
        try:
            dossier = dossier_start(
                applicant=request.user,
                version=version,
                agency=agency,
                applicant_data=applicant.cleaned_data if applicant is not None else None,
                form_data=form.cleaned_data if form is not None else None,
                result_delivery=data.get("result_delivery", ""),
                delivery_address=data["delivery_address"],
            )
        except ValidationError as error:
            raise _api_error(error) from error
        # A draft made now has no file and no history yet: answered as it was written, not read again.
        prefetch_related_objects(
            [dossier],
            Prefetch("attachments", queryset=Attachment.objects.none()),
            Prefetch("events", queryset=DossierEvent.objects.none()),
        )
        return Response(DossierDetailSerializer(dossier).data, status=status.HTTP_201_CREATED)


class DossierDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DossierDetailSerializer

    def get_object(self):
        return dossier_get_detail_or_404(user=self.request.user, reference=self.kwargs["reference"])


class AttachmentUploadApi(APIView):
    """Add a file for one required document of a draft; checked by content, size and count."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    def post(self, request, reference):
        dossier = _own_draft_or_404(request, reference)
        params = AttachmentUploadSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        document = get_object_or_404(dossier.procedure_version.documents, pk=params.validated_data["document"])
        try:
            attachment = attachment_add(
                dossier=dossier, required_document=document, upload=params.validated_data["file"], by=request.user
            )
        except ValidationError as error:
            raise ApiValidationError({"file": error.messages}) from error
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class DossierSubmitApi(APIView):
    """Submit a complete draft; the same key twice returns the same dossier, never a second one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SubmitSerializer, responses={200: DossierDetailSerializer})
    def post(self, request, reference):
        try:  # a submitted dossier answers again for the same key, so look it up among the caller's own
            dossier = dossier_list_for_applicant(user=request.user).get(reference=reference)
        except Dossier.DoesNotExist:
            raise Http404 from None
        dossier.applicant = request.user  # the caller's own: the submission's checks and message need no read
        params = SubmitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            dossier = dossier_submit(
                dossier=dossier, by=request.user, submission_key=params.validated_data["submission_key"]
            )
        except ValidationError as error:
            raise _api_error(error) from error
        # The dossier as the submission left it (its files were read for the check); its history beside it.
        prefetch_related_objects(
            [dossier], "attachments", Prefetch("events", queryset=DossierEvent.objects.select_related("agency"))
        )
        return Response(DossierDetailSerializer(dossier).data)


class AttachmentFileApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in UPLOAD_TYPES},
            409: OpenApiResponse(ErrorSerializer, description="A result delivered online: receive it first."),
        }
    )
    def get(self, request, pk):
        """A dossier's file. A download never changes the dossier: the applicant's signed result
        delivered online is served once received (``POST /attachments/<pk>/receive/``)."""
        try:
            attachment = attachment_get_visible(user=request.user, pk=pk)
        except Attachment.DoesNotExist:
            raise Http404 from None
        if result_awaits_receipt(attachment=attachment, user=request.user):
            return Response(
                {"detail": _("Receive the result first (POST to its receive address); then download it.")},
                status=status.HTTP_409_CONFLICT,
            )
        return file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


class ResultReceiveApi(APIView):
    """The applicant receives a signed result delivered online: the dossier is returned (national code
    10) once, however often this is called; then the file is downloaded from ``file``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ResultReceivedSerializer})
    def post(self, request, pk):
        try:
            attachment = attachment_get_visible(user=request.user, pk=pk)
        except Attachment.DoesNotExist:
            raise Http404 from None
        result_taken(attachment=attachment, by=request.user)
        file_url = request.build_absolute_uri(reverse("api:attachment-file", args=[attachment.pk]))
        return Response(ResultReceivedSerializer({"file": file_url}).data)
