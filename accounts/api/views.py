from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.models import Agency

from .serializers import AgencyFilterSerializer, AgencySerializer


class AgencyListApi(generics.ListAPIView):
    """Active agencies of the tree, root first; filter with ``kind`` and ``parent`` (a code)."""

    serializer_class = AgencySerializer

    @extend_schema(parameters=[AgencyFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = AgencyFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        agencies = Agency.objects.filter(is_active=True).select_related("parent")
        if filters.get("kind"):
            agencies = agencies.filter(kind=filters["kind"])
        if filters.get("parent"):
            agencies = agencies.filter(parent__code=filters["parent"])
        return agencies.order_by("path")
