"""Tenant document API. Listing works now; upload and processing arrive with ingestion."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


class DocumentListApi(APIView):
    @extend_schema(tags=["documents"])
    def get(self, request):
        return Response({"count": 0, "next": None, "previous": None, "results": []})
