from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from accounts.constants import AgencyKind
from accounts.models import Agency

from .serializers import AgencySerializer


class AgencyListApi(generics.ListAPIView):
    """Active agencies of the tree, root first; filter with ``kind`` and ``parent`` (a code)."""

    serializer_class = AgencySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=AgencyKind.values, description="Only agencies of this kind."),
            OpenApiParameter("parent", str, description="Only the direct units of the agency with this code."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        agencies = Agency.objects.filter(is_active=True).select_related("parent")
        kind = self.request.query_params.get("kind")
        if kind:
            agencies = agencies.filter(kind=kind)
        parent = self.request.query_params.get("parent")
        if parent:
            agencies = agencies.filter(parent__code=parent)
        return agencies.order_by("path")
