from django.http import Http404

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.models import Agency
from procedures.selectors import field_list, procedure_get_current, procedure_search

from .serializers import FieldSerializer, ProcedureDetailSerializer, ProcedureFilterSerializer, ProcedureListSerializer


class ProcedureListApi(generics.ListAPIView):
    """Procedures in force, best match first when ``q`` is given (diacritics and case ignored)."""

    serializer_class = ProcedureListSerializer

    @extend_schema(parameters=[ProcedureFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = ProcedureFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        agency = None
        if filters.get("agency"):
            agency = Agency.objects.filter(code=filters["agency"]).first()
            if agency is None:
                return procedure_search().none()
        return procedure_search(
            query=filters.get("q", ""),
            field=filters.get("field"),
            agency_level=filters.get("agency_level"),
            service_level=filters.get("service_level"),
            agency=agency,
        ).prefetch_related("fees")


class ProcedureDetailApi(generics.RetrieveAPIView):
    """One procedure in force, with its documents, fees, route and online form."""

    serializer_class = ProcedureDetailSerializer
    lookup_url_kwarg = "code"

    def get_object(self):
        version = procedure_get_current(code=self.kwargs["code"])
        if version is None:
            raise Http404
        return version


class FieldListApi(generics.ListAPIView):
    serializer_class = FieldSerializer
    pagination_class = None

    def get_queryset(self):
        return field_list()
