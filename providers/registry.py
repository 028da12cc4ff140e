"""Every model provider, declared once: its models, dimensions, hosts and regions.

Plain data with no Django or SDK imports, so that anything may read it: the factory builds
providers from it, the sovereignty guard derives its allowlist from it, and the tenant's
provider choices and validation (registered with tenants by ProvidersConfig.ready; tenants
imports no other app) come from it. Adding a provider starts here.
"""

from dataclasses import dataclass

EMBEDDING_DIMENSIONS = 1024  # one vector(1024) column and one HNSW index serve every tenant
AU_REGION = "ap-southeast-2"


@dataclass(frozen=True)
class Models:
    """A provider's models of one kind: the default, and the ids an AU tenant may choose
    besides leaving the field blank (which means the default)."""

    default: str
    au: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProviderSpec:
    """One provider, as the factory, the guard and tenant validation see it."""

    name: str
    label: str
    chat: Models
    embedding: Models
    embedding_dimensions: int = EMBEDDING_DIMENSIONS
    # Hosts its clients call, as domain suffixes; "{region}" stands for the region it runs in.
    hosts: tuple[str, ...] = ()
    # The setting that names the region it runs in, and the setting that overrides its
    # endpoint (tests point it at a fake on 127.0.0.1).
    region_setting: str = ""
    endpoint_setting: str = ""
    # Whether it may serve AU tenants, and in which regions: none for an in-process provider.
    serves_au: bool = False
    au_regions: tuple[str, ...] = ()
    simulated: bool = False

    def au_hosts(self) -> tuple[str, ...]:
        """The hosts an AU tenant's work may reach for this provider (none if it may not)."""
        if not self.serves_au:
            return ()
        return tuple(
            host.format(region=region)
            for host in self.hosts
            for region in (self.au_regions if "{region}" in host else ("",))
        )


LOCAL = ProviderSpec(
    name="local",
    label="Local (offline, simulated; no key, no network)",
    chat=Models(default="local-extractive-v1"),
    embedding=Models(default="local-minilm-l6-v2-int8"),
    serves_au=True,  # in-process: nothing leaves the machine
    simulated=True,
)
OPENAI = ProviderSpec(
    name="openai",
    label="OpenAI",
    chat=Models(default="gpt-4.1-mini"),
    embedding=Models(default="text-embedding-3-small"),  # asked for 1024 dimensions
    hosts=("openai.com", "openai.azure.com", "oaiusercontent.com"),
    endpoint_setting="OPENAI_BASE_URL",
)
# AU tenants get Claude Haiku 4.5 through the AU cross-region inference profile (inference
# stays in Australian regions) and Titan v2 embeddings, in ap-southeast-2.
BEDROCK = ProviderSpec(
    name="bedrock",
    label="AWS Bedrock (ap-southeast-2)",
    chat=Models(
        default="au.anthropic.claude-haiku-4-5-20251001-v1:0",
        au=frozenset({"au.anthropic.claude-haiku-4-5-20251001-v1:0"}),
    ),
    embedding=Models(
        default="amazon.titan-embed-text-v2:0",
        au=frozenset({"amazon.titan-embed-text-v2:0"}),
    ),
    hosts=("bedrock-runtime.{region}.amazonaws.com", "bedrock.{region}.amazonaws.com"),
    region_setting="BEDROCK_REGION",
    endpoint_setting="BEDROCK_ENDPOINT_URL",
    serves_au=True,
    au_regions=(AU_REGION,),
)

PROVIDERS: dict[str, ProviderSpec] = {spec.name: spec for spec in (LOCAL, OPENAI, BEDROCK)}


def provider_names() -> tuple[str, ...]:
    return tuple(PROVIDERS)


def provider_choices() -> list[tuple[str, str]]:
    """(name, label) for every provider: the tenant's field, the admin and the API."""
    return [(spec.name, spec.label) for spec in PROVIDERS.values()]


def au_errors(
    *, provider: str, chat_model: str, embedding_model: str, region: str | None
) -> dict[str, str]:
    """Why these provider settings would move an AU tenant's data out of Australia, by field
    (empty when they would not). ``region`` is where the provider is configured to run,
    when the caller knows it (at run time; a saved tenant row has no region)."""
    spec = PROVIDERS.get(provider)
    if spec is None:
        return {}  # not a sovereignty question: unknown providers are refused elsewhere
    if not spec.serves_au:
        keep = ", ".join(s.name for s in PROVIDERS.values() if s.serves_au)
        return {
            "provider": f"A tenant with data sovereignty AU cannot use {spec.label}: its data "
            f"must stay in Australia. Use a provider that keeps it there: {keep}."
        }
    errors = {}
    if region is not None and spec.region_setting and region not in spec.au_regions:
        errors["provider"] = (
            f"{spec.name} is configured for {region} ({spec.region_setting}); AU tenants "
            f"need {' or '.join(spec.au_regions)}."
        )
    for field, value, models in (
        ("chat_model", chat_model, spec.chat),
        ("embedding_model", embedding_model, spec.embedding),
    ):
        if value and value not in models.au:
            allowed = " or ".join(f"'{m}'" for m in sorted(models.au))
            errors[field] = (
                f"An AU tenant on {spec.name} may only use "
                + (allowed or "the provider's own model")
                + f" (leave blank for the default), not '{value}': other models run outside "
                "Australia."
            )
    return errors


def tenant_errors(tenant) -> dict[str, str]:
    """Tenant.clean()'s provider rules (registered with tenants.provider_policy): an AU
    tenant's provider and models must keep its data in Australia."""
    if not tenant.is_sovereign_au:
        return {}
    return au_errors(
        provider=tenant.provider,
        chat_model=tenant.chat_model,
        embedding_model=tenant.embedding_model,
        region=None,
    )
