"""Tenants, their sovereignty and provider settings, and their API keys."""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from tenants import provider_policy
from tenants.scoping import TenantOwned

# The routes Adaptive RAG may choose (agents.adaptive_rag reads them from here).
ROUTES = ("financial_docs", "web_search", "sql")


def default_routes() -> list[str]:
    return ["financial_docs"]


class Tenant(models.Model):
    class Sovereignty(models.TextChoices):
        NONE = "", "None (global providers allowed)"
        AU = "AU", "Australia (Bedrock in ap-southeast-2 only)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    data_sovereignty = models.CharField(
        max_length=2, choices=Sovereignty.choices, default=Sovereignty.NONE, blank=True
    )
    enabled_routes = models.JSONField(default=default_routes)
    # Choices and the rules for provider, chat_model and embedding_model come from the
    # providers app's registry (tenants.provider_policy).
    provider = models.CharField(
        max_length=16, choices=provider_policy.provider_choices, default="local"
    )
    chat_model = models.CharField(
        max_length=200, blank=True, help_text="Blank: the provider's default chat model."
    )
    embedding_model = models.CharField(
        max_length=200, blank=True, help_text="Blank: the provider's default embedding model."
    )
    requests_per_minute = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    max_retrieval_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Self-RAG: retrieve/transform-query rounds before answering with what it has.",
    )
    max_generation_retries = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="Self-RAG: regenerations when an answer is not grounded.",
    )
    max_sql_attempts = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="SQL route: statements the model may write per question (a refused or "
        "failed one goes back to it with the reason).",
    )
    allow_web_search_outside_au = models.BooleanField(
        default=False,
        help_text="AU tenants only: web search sends the question outside Australia. "
        "Enable only with the tenant's written consent.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(data_sovereignty__in=["", "AU"]),
                name="tenant_sovereignty_known",
            ),
            # Rows written around Tenant.clean() (providers/registry.py: OpenAI cannot
            # serve AU tenants; a test keeps the two in step).
            models.CheckConstraint(
                condition=~models.Q(data_sovereignty="AU", provider="openai"),
                name="tenant_au_never_openai",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_sovereign_au(self) -> bool:
        return self.data_sovereignty == self.Sovereignty.AU

    def clean(self) -> None:
        errors = {}
        routes = self.enabled_routes
        if not isinstance(routes, list) or not routes:
            errors["enabled_routes"] = "Enable at least one route."
        elif unknown := sorted(set(routes) - set(ROUTES)):
            errors["enabled_routes"] = (
                f"Unknown route(s): {', '.join(unknown)}. Known: {', '.join(ROUTES)}."
            )
        elif len(set(routes)) != len(routes):
            errors["enabled_routes"] = "Each route may be listed once."
        if (
            self.is_sovereign_au
            and isinstance(routes, list)
            and "web_search" in routes
            and not self.allow_web_search_outside_au
        ):
            errors["enabled_routes"] = (
                "Web search sends the question outside Australia; for an AU tenant an "
                "operator must also set allow_web_search_outside_au."
            )
        # Provider and models (and whether they keep an AU tenant's data in Australia): the
        # providers app's rules, from its registry.
        errors.update(provider_policy.current().tenant_errors(self))
        if errors:
            raise ValidationError(errors)


KEY_PREFIX = "rag_"


def hash_key(raw_key: str) -> str:
    # Keys are 256-bit random tokens, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw_key.encode()).hexdigest()


def parse_key_prefix(raw: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = raw[len(KEY_PREFIX) :].partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix


class ApiKey(TenantOwned):
    """A tenant app's bearer key. Only its hash is stored; the key is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class RequestCounter(models.Model):
    """Requests of one tenant in one rate-limit window (see tenants.throttling)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "window"], name="requestcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}@{self.window}: {self.count}"
