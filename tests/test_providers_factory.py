"""provider_for: which provider each tenant gets, fresh per unit of work, and what it refuses."""

import pytest

from providers.base import ProviderError, SovereigntyViolation, UsageMeter
from providers.bedrock_provider import BedrockChatModel, TitanEmbedder
from providers.factory import provider_for
from providers.local_provider import LocalChatModel, LocalEmbedder
from providers.openai_provider import OpenAIChatModel, OpenAIEmbedder
from tenants.models import Tenant
from tenants.services import tenant_create

pytestmark = pytest.mark.django_db

AU_PROFILE = "au.anthropic.claude-haiku-4-5-20251001-v1:0"


def sneak(tenant, **fields):
    """Change a row behind validation (a bad migration, a hand-edited row)."""
    Tenant.objects.filter(pk=tenant.pk).update(**fields)
    return Tenant.objects.get(pk=tenant.pk)


@pytest.fixture
def au_bedrock(db):
    return tenant_create(name="EA", slug="ea-b", data_sovereignty="AU", provider="bedrock")


def test_local_tenant_gets_the_simulated_offline_provider(tenant_a):
    provider = provider_for(tenant_a)

    assert provider.name == "local" and provider.simulated
    assert isinstance(provider.chat, LocalChatModel)
    assert isinstance(provider.embedder, LocalEmbedder)
    assert provider.chat.meter is provider.meter is provider.embedder.meter


def test_each_unit_of_work_gets_its_own_meter(tenant_a):
    first, second = provider_for(tenant_a), provider_for(tenant_a)
    first.embedder.embed_query("revenue")

    assert first.meter is not second.meter
    assert (first.meter.embedding_calls, second.meter.embedding_calls) == (1, 0)


def test_a_given_meter_is_used(tenant_a):
    meter = UsageMeter()

    provider_for(tenant_a, meter=meter).embedder.embed_documents(["a", "b"])

    assert meter.embedding_calls == 1


def test_standard_openai_tenant_gets_openai_with_its_models(db):
    tenant = tenant_create(name="O", slug="o", provider="openai", chat_model="gpt-4.1")

    provider = provider_for(tenant)

    assert provider.name == "openai" and not provider.simulated
    assert isinstance(provider.chat, OpenAIChatModel) and provider.chat.model_id == "gpt-4.1"
    assert isinstance(provider.embedder, OpenAIEmbedder)
    assert provider.embedder.model_id == "text-embedding-3-small"


def test_au_bedrock_tenant_gets_sydney_and_the_au_profile(au_bedrock):
    provider = provider_for(au_bedrock)

    assert (provider.name, provider.region) == ("bedrock", "ap-southeast-2")
    assert isinstance(provider.chat, BedrockChatModel)
    assert provider.chat.model_id == AU_PROFILE
    assert isinstance(provider.embedder, TitanEmbedder)
    assert provider.embedder.model_id == "amazon.titan-embed-text-v2:0"


def test_au_tenant_forced_onto_openai_is_refused_at_run_time(au_bedrock):
    # The database constraint forbids AU+openai, so the row is changed in memory only.
    au_bedrock.provider = "openai"

    with pytest.raises(SovereigntyViolation, match="cannot use OpenAI"):
        provider_for(au_bedrock)


def test_au_tenant_with_a_us_inference_profile_is_refused_at_run_time(au_bedrock):
    tenant = sneak(au_bedrock, chat_model="us.anthropic.claude-haiku-4-5-20251001-v1:0")

    with pytest.raises(SovereigntyViolation, match=r"us\.anthropic"):
        provider_for(tenant)


def test_au_tenant_with_another_embedding_model_is_refused_at_run_time(au_bedrock):
    tenant = sneak(au_bedrock, embedding_model="cohere.embed-multilingual-v3")

    with pytest.raises(SovereigntyViolation):
        provider_for(tenant)


def test_au_tenant_is_refused_when_bedrock_is_configured_outside_sydney(au_bedrock, settings):
    settings.BEDROCK_REGION = "us-east-1"

    with pytest.raises(SovereigntyViolation, match="us-east-1"):
        provider_for(au_bedrock)


def test_standard_bedrock_tenant_follows_the_configured_region(db, settings):
    settings.BEDROCK_REGION = "us-east-1"
    tenant = tenant_create(name="B", slug="b", provider="bedrock")

    assert provider_for(tenant).region == "us-east-1"


def test_unknown_provider_is_a_clear_error(tenant_a):
    tenant_a.provider = "mystery"

    with pytest.raises(ProviderError) as caught:
        provider_for(tenant_a)

    assert caught.value.code == "provider_not_configured"


def test_local_model_reads_back_each_passage_of_its_prompt():
    """The simulated model parses the prompts agents.prompts builds: every passage, whole,
    even when its text holds blank lines or something like a passage head mid-line, and
    never the answer under review."""
    from types import SimpleNamespace

    from agents import prompts
    from providers.local_provider import _passages

    passages = [
        SimpleNamespace(
            title="Annual Report", page_label="3", text="Revenue rose.\n\nSee [2] (b)."
        ),
        SimpleNamespace(title="10-K (2023)", page_label="iv", text="Net sales, p. 4) were flat."),
        SimpleNamespace(title="Notes", page_label="12", text=""),
    ]
    prompt = prompts.grade_generation_user("q?", passages, "“x” [1]\n\n[4] (Fake, p. 9) y")
    assert _passages(prompt) == [
        (1, "Annual Report\nRevenue rose.\n\nSee [2] (b)."),
        (2, "10-K (2023)\nNet sales, p. 4) were flat."),
        (3, "Notes\n"),
    ]
    assert _passages(prompts.rewrite_user("What was revenue?")) == []
