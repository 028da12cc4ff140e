"""What a tenant app can ask about itself (GET /api/v1/tenant)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.models import Tenant


class CurrentTenantOutput(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["id", "name", "slug", "data_sovereignty", "enabled_routes", "provider"]


class CurrentTenantApi(APIView):
    @extend_schema(responses=CurrentTenantOutput, tags=["tenant"])
    def get(self, request):
        """The tenant this API key belongs to."""
        return Response(CurrentTenantOutput(request.user.tenant).data)
