"""Operator screens for tenants and API keys; they call the same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from tenants import services
from tenants.models import ROUTES, ApiKey, Tenant


class TenantForm(forms.ModelForm):
    enabled_routes = forms.MultipleChoiceField(
        choices=[(r, r) for r in ROUTES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Routes the Adaptive RAG router may choose for this tenant.",
    )

    class Meta:
        model = Tenant
        fields = [
            "name",
            "slug",
            "is_active",
            "data_sovereignty",
            "enabled_routes",
            "allow_web_search_outside_au",
            "provider",
            "chat_model",
            "embedding_model",
            "requests_per_minute",
            "max_retrieval_attempts",
            "max_generation_retries",
            "max_sql_attempts",
        ]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantForm
    list_display = [
        "slug",
        "name",
        "data_sovereignty",
        "provider",
        "routes",
        "requests_per_minute",
        "is_active",
    ]
    list_filter = ["data_sovereignty", "provider", "is_active"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["id", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active"]}),
        (
            "Data sovereignty and routes",
            {
                "fields": ["data_sovereignty", "enabled_routes", "allow_web_search_outside_au"],
                "description": "An AU tenant's documents and questions stay in Australia: "
                "Bedrock in ap-southeast-2 (or the offline local provider), never OpenAI. "
                "Web search sends the question outside Australia and needs explicit consent.",
            },
        ),
        ("Models", {"fields": ["provider", "chat_model", "embedding_model"]}),
        (
            "Limits",
            {
                "fields": [
                    "requests_per_minute",
                    "max_retrieval_attempts",
                    "max_generation_retries",
                    "max_sql_attempts",
                ]
            },
        ),
        ("Record", {"fields": ["id", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Routes")
    def routes(self, obj: Tenant) -> str:
        return ", ".join(obj.enabled_routes or [])

    def save_model(self, request, obj, form, change):
        if obj.is_sovereign_au and "web_search" in obj.enabled_routes:
            messages.warning(
                request,
                f"{obj.slug}: web search is enabled for an AU tenant. Its questions will leave "
                "Australia when routed to web search.",
            )
        super().save_model(request, obj, form, change)


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["tenant", "name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["tenant", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "tenant__slug"]
    actions = ["revoke_keys"]
    readonly_fields = ["tenant", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["tenant", "name"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            key, raw = services.api_key_issue(tenant=obj.tenant, name=obj.name)
        except services.DomainError as exc:
            raise ValidationError(exc.message) from exc
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            key.pk,
            key.prefix,
            key.key_hash,
            key.created_at,
        )
        obj._state.adding = False
        messages.warning(
            request,
            f"New API key for {obj.tenant.slug}: {raw} — copy it now; it will not be shown again.",
        )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Revoke selected keys")
    def revoke_keys(self, request, queryset):
        count = 0
        for key in queryset:
            if not key.is_revoked:
                services.api_key_revoke(api_key=key)
                count += 1
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
