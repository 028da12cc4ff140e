"""The one place that chooses a tenant's provider, and refuses unsafe combinations.

Which providers exist, their default models and where they may serve AU tenants is declared
in providers/registry.py. Tenant.clean() already applies those rules when a tenant is saved;
this module checks again at run time (rows can be changed behind validation, and a
provider's region is a deployment setting), and marks the open sovereignty scope AU.
"""

from django.conf import settings

from providers import guard, registry
from providers.base import Provider, ProviderError, SovereigntyViolation, UsageMeter
from providers.local_provider import LocalEmbedder


def check_sovereignty(tenant) -> None:
    """Raise SovereigntyViolation if ``tenant``'s provider settings could leave Australia."""
    if not tenant.is_sovereign_au:
        return
    spec = registry.PROVIDERS.get(tenant.provider)
    region = getattr(settings, spec.region_setting) if spec and spec.region_setting else None
    errors = registry.au_errors(
        provider=tenant.provider,
        chat_model=tenant.chat_model,
        embedding_model=tenant.embedding_model,
        region=region,
    )
    if errors:
        raise SovereigntyViolation(f"Tenant {tenant.slug}: {' '.join(errors.values())}")


def _local(tenant, meter: UsageMeter) -> Provider:
    from providers.local_provider import LocalChatModel

    return Provider(
        name=registry.LOCAL.name,
        region=None,
        chat=LocalChatModel(meter),
        embedder=LocalEmbedder(meter),
        meter=meter,
        simulated=registry.LOCAL.simulated,
    )


def _openai(tenant, meter: UsageMeter) -> Provider:
    from providers.openai_provider import OpenAIChatModel, OpenAIEmbedder

    return Provider(
        name=registry.OPENAI.name,
        region=None,
        chat=OpenAIChatModel(meter, model=tenant.chat_model),
        embedder=OpenAIEmbedder(meter, model=tenant.embedding_model),
        meter=meter,
        simulated=registry.OPENAI.simulated,
    )


def _bedrock(tenant, meter: UsageMeter) -> Provider:
    from providers.bedrock_provider import BedrockChatModel, TitanEmbedder

    region = getattr(settings, registry.BEDROCK.region_setting)
    return Provider(
        name=registry.BEDROCK.name,
        region=region,
        chat=BedrockChatModel(meter, model=tenant.chat_model, region=region),
        embedder=TitanEmbedder(meter, model=tenant.embedding_model, region=region),
        meter=meter,
        simulated=registry.BEDROCK.simulated,
    )


# How to build each provider of the registry (a test checks that none is missing).
BUILDERS = {
    registry.LOCAL.name: _local,
    registry.OPENAI.name: _openai,
    registry.BEDROCK.name: _bedrock,
}


def provider_for(tenant, *, meter: UsageMeter | None = None) -> Provider:
    """A fresh provider for one query or ingestion of ``tenant`` (with its own usage meter)."""
    meter = meter or UsageMeter()
    check_sovereignty(tenant)
    guard.mark(tenant)
    build = BUILDERS.get(tenant.provider)
    if build is None:
        raise ProviderError(
            f"Unknown provider '{tenant.provider}' for tenant {tenant.slug}; "
            f"expected one of {', '.join(registry.provider_names())}.",
            code="provider_not_configured",
        )
    return build(tenant, meter)
