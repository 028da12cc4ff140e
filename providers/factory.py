"""The one place that chooses a tenant's provider, and refuses unsafe combinations.

Tenant.clean() already rejects an AU tenant on OpenAI or on non-AU model ids when the tenant
is saved; this module checks again at run time (rows can be changed behind validation, and
BEDROCK_REGION is a deployment setting), and marks the open sovereignty scope AU.
"""

from django.conf import settings

from providers import guard
from providers.base import Provider, ProviderError, SovereigntyViolation, UsageMeter
from providers.local_provider import LocalEmbedder
from tenants.models import AU_BEDROCK_CHAT_MODEL, AU_BEDROCK_EMBEDDING_MODEL

PROVIDERS = ("local", "openai", "bedrock")


def check_sovereignty(tenant) -> None:
    """Raise SovereigntyViolation if ``tenant``'s provider settings could leave Australia."""
    if not tenant.is_sovereign_au:
        return
    if tenant.provider == "openai":
        raise SovereigntyViolation(
            f"Tenant {tenant.slug} has data sovereignty AU and cannot use OpenAI."
        )
    if tenant.provider == "bedrock":
        if settings.BEDROCK_REGION != guard.AU_REGION:
            raise SovereigntyViolation(
                f"Tenant {tenant.slug} has data sovereignty AU but Bedrock is configured for "
                f"{settings.BEDROCK_REGION}; AU tenants need {guard.AU_REGION}."
            )
        for value, allowed in (
            (tenant.chat_model, AU_BEDROCK_CHAT_MODEL),
            (tenant.embedding_model, AU_BEDROCK_EMBEDDING_MODEL),
        ):
            if value and value != allowed:
                raise SovereigntyViolation(
                    f"Tenant {tenant.slug} has data sovereignty AU and cannot use model "
                    f"'{value}' (allowed: '{allowed}')."
                )
    elif tenant.provider == "local" and (tenant.chat_model or tenant.embedding_model):
        raise SovereigntyViolation(
            f"Tenant {tenant.slug} has data sovereignty AU; the local provider takes no model ids."
        )


def provider_for(tenant, *, meter: UsageMeter | None = None) -> Provider:
    """A fresh provider for one query or ingestion of ``tenant`` (with its own usage meter)."""
    meter = meter or UsageMeter()
    check_sovereignty(tenant)
    guard.mark(tenant)
    if tenant.provider == "local":
        from providers.local_provider import LocalChatModel

        return Provider(
            name="local",
            region=None,
            chat=LocalChatModel(meter),
            embedder=LocalEmbedder(meter),
            meter=meter,
            simulated=True,
        )
    if tenant.provider == "bedrock":
        from providers.bedrock_provider import BedrockChatModel, TitanEmbedder

        region = settings.BEDROCK_REGION
        return Provider(
            name="bedrock",
            region=region,
            chat=BedrockChatModel(meter, model=tenant.chat_model, region=region),
            embedder=TitanEmbedder(meter, model=tenant.embedding_model, region=region),
            meter=meter,
        )
    if tenant.provider == "openai":
        from providers.openai_provider import OpenAIChatModel, OpenAIEmbedder

        return Provider(
            name="openai",
            region=None,
            chat=OpenAIChatModel(meter, model=tenant.chat_model),
            embedder=OpenAIEmbedder(meter, model=tenant.embedding_model),
            meter=meter,
        )
    raise ProviderError(
        f"Unknown provider '{tenant.provider}' for tenant {tenant.slug}; "
        f"expected one of {', '.join(PROVIDERS)}.",
        code="provider_not_configured",
    )
