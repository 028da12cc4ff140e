"""Platform-admin REST API: manage tenants and their keys by script (ADMIN_API_KEY)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ragplatform import inputs
from ragplatform.schema import error_response
from tenants import provider_policy, selectors, services
from tenants.authentication import PlatformAdminAuthentication
from tenants.models import ROUTES, Tenant
from tenants.permissions import IsPlatformAdmin


class TenantOutput(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "slug",
            "data_sovereignty",
            "enabled_routes",
            "provider",
            "chat_model",
            "embedding_model",
            "requests_per_minute",
            "max_retrieval_attempts",
            "max_generation_retries",
            "max_sql_attempts",
            "allow_web_search_outside_au",
            "is_active",
            "created_at",
            "updated_at",
        ]


class TenantInput(inputs.JsonInput):
    """A new tenant; what is left out takes the platform's defaults."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=64)
    data_sovereignty = serializers.ChoiceField(choices=Tenant.Sovereignty.choices, required=False)
    enabled_routes = serializers.ListField(
        child=serializers.ChoiceField(choices=ROUTES), allow_empty=False, required=False
    )
    provider = serializers.ChoiceField(choices=provider_policy.provider_choices(), required=False)
    chat_model = serializers.CharField(max_length=200, required=False, allow_blank=True)
    embedding_model = serializers.CharField(max_length=200, required=False, allow_blank=True)
    requests_per_minute = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    max_retrieval_attempts = serializers.IntegerField(min_value=1, max_value=10, required=False)
    max_generation_retries = serializers.IntegerField(min_value=0, max_value=10, required=False)
    max_sql_attempts = serializers.IntegerField(min_value=1, max_value=5, required=False)
    allow_web_search_outside_au = serializers.BooleanField(required=False)


class TenantPatchInput(TenantInput):
    """Only the fields sent are changed."""

    name = serializers.CharField(max_length=200, required=False)
    slug = None
    is_active = serializers.BooleanField(required=False)


class KeyInput(inputs.JsonInput):
    """A name for the key: the app that will use it."""

    name = serializers.CharField(max_length=100)


class KeyCreatedOutput(serializers.Serializer):
    id = serializers.UUIDField()
    prefix = serializers.CharField()
    key = serializers.CharField(help_text="Shown once; store it now.")


class KeyOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class AdminApi(APIView):
    authentication_classes = [PlatformAdminAuthentication]
    permission_classes = [IsPlatformAdmin]
    # The tenants' rate limits are theirs; the admin API is for the platform's own scripts.
    throttle_classes = []


TENANT_RULES = error_response(
    "Invalid values (`invalid_request`), or settings that break a tenant rule "
    "(`invalid_tenant`): an AU tenant on a provider outside Australia, web search for an AU "
    "tenant without allow_web_search_outside_au, a model the provider does not serve."
)


class TenantListCreateApi(AdminApi):
    @extend_schema(
        responses=inline_serializer("TenantList", {"results": TenantOutput(many=True)}),
        operation_id="admin_tenants_list",
        tags=["admin"],
    )
    def get(self, request):
        """Every tenant, active or not (not paginated)."""
        return Response({"results": TenantOutput(selectors.tenant_list(), many=True).data})

    @extend_schema(
        request=TenantInput,
        responses={
            201: TenantOutput,
            400: TENANT_RULES,
            409: error_response("A tenant has this slug already (`conflict`)."),
        },
        tags=["admin"],
    )
    def post(self, request):
        data = TenantInput(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_create(**data.validated_data)
        return Response(TenantOutput(tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailApi(AdminApi):
    @extend_schema(responses=TenantOutput, tags=["admin"])
    def get(self, request, slug):
        return Response(TenantOutput(selectors.tenant_get(slug=slug)).data)

    @extend_schema(
        request=TenantPatchInput, responses={200: TenantOutput, 400: TENANT_RULES}, tags=["admin"]
    )
    def patch(self, request, slug):
        tenant = selectors.tenant_get(slug=slug)
        data = TenantPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_update(tenant=tenant, **data.validated_data)
        return Response(TenantOutput(tenant).data)

    @extend_schema(responses={200: TenantOutput}, tags=["admin"])
    def delete(self, request, slug):
        """Deactivate the tenant (its data is kept; its keys stop working)."""
        tenant = services.tenant_deactivate(tenant=selectors.tenant_get(slug=slug))
        return Response(TenantOutput(tenant).data)


class KeyListCreateApi(AdminApi):
    @extend_schema(
        responses=inline_serializer("ApiKeyList", {"results": KeyOutput(many=True)}),
        operation_id="admin_tenants_keys_list",
        tags=["admin"],
    )
    def get(self, request, slug):
        """The tenant's keys, revoked ones too (not paginated); never the key itself."""
        keys = selectors.api_key_list(tenant=selectors.tenant_get(slug=slug))
        return Response({"results": KeyOutput(keys, many=True).data})

    @extend_schema(request=KeyInput, responses={201: KeyCreatedOutput}, tags=["admin"])
    def post(self, request, slug):
        tenant = selectors.tenant_get(slug=slug)
        data = KeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        key, raw = services.api_key_issue(tenant=tenant, name=data.validated_data["name"])
        return Response(
            KeyCreatedOutput({"id": key.id, "prefix": key.prefix, "key": raw}).data,
            status=status.HTTP_201_CREATED,
        )


class KeyRevokeApi(AdminApi):
    @extend_schema(responses={204: OpenApiResponse(description="Revoked")}, tags=["admin"])
    def delete(self, request, slug, key_id):
        tenant = selectors.tenant_get(slug=slug)
        services.api_key_revoke(api_key=selectors.api_key_get(tenant=tenant, key_id=key_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
