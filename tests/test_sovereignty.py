"""Data sovereignty: AU tenants are configured only for Australia, and at run time nothing
in an AU tenant's unit of work can reach OpenAI (or Bedrock outside Sydney, or web search
without consent), however the request is made."""

import http.client
import urllib.request

import boto3
import openai
import pytest
from botocore.exceptions import HTTPClientError
from django.contrib.auth.models import User
from django.tasks import task
from django.test import RequestFactory
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI

from providers import guard
from providers.base import SovereigntyViolation
from providers.factory import provider_for
from tenants.authentication import TenantPrincipal
from tenants.models import Tenant
from tenants.services import TenantInvalid, api_key_issue, tenant_create
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.django_db

AU_PROFILE = "au.anthropic.claude-haiku-4-5-20251001-v1:0"
US_PROFILE = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


# --- configuration is validated when saved (service, platform API, admin) -------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"provider": "bedrock", "chat_model": US_PROFILE},
        {"provider": "bedrock", "chat_model": "anthropic.claude-haiku-4-5-20251001-v1:0"},
        {"provider": "bedrock", "embedding_model": "cohere.embed-english-v3"},
        {"provider": "local", "chat_model": "gpt-4.1-mini"},
        {"provider": "openai"},
    ],
)
def test_au_tenant_with_models_outside_australia_cannot_be_created(fields):
    with pytest.raises(TenantInvalid):
        tenant_create(name="EA", slug="ea-x", data_sovereignty="AU", **fields)

    assert not Tenant.objects.filter(slug="ea-x").exists()


def test_au_tenant_with_the_au_profile_and_titan_is_accepted():
    tenant = tenant_create(
        name="EA",
        slug="ea-ok",
        data_sovereignty="AU",
        provider="bedrock",
        chat_model=AU_PROFILE,
        embedding_model="amazon.titan-embed-text-v2:0",
    )

    assert tenant.provider == "bedrock"


def test_standard_tenant_may_use_any_bedrock_model():
    tenant = tenant_create(name="S", slug="s", provider="bedrock", chat_model=US_PROFILE)

    assert tenant.chat_model == US_PROFILE


def test_platform_api_rejects_a_us_profile_for_an_au_tenant(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants",
        {
            "name": "Beta",
            "slug": "beta",
            "data_sovereignty": "AU",
            "provider": "bedrock",
            "chat_model": US_PROFILE,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "chat_model" in response.json()["error"]["message"]


def test_platform_api_patch_cannot_move_an_au_tenant_to_another_model(admin_api, tenant_au):
    response = admin_api.patch(
        f"/api/v1/admin/tenants/{tenant_au.slug}",
        {"provider": "bedrock", "embedding_model": "amazon.titan-embed-text-v1"},
        format="json",
    )

    assert response.status_code == 400
    tenant_au.refresh_from_db()
    assert (tenant_au.provider, tenant_au.embedding_model) == ("local", "")


def test_admin_form_rejects_a_us_profile_for_an_au_tenant(client, tenant_au):
    # force_login: the admin's login backend (django-axes) needs the request login() lacks.
    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw-0123456789"))
    form = {
        "name": tenant_au.name,
        "slug": tenant_au.slug,
        "is_active": "on",
        "data_sovereignty": "AU",
        "enabled_routes": ["financial_docs"],
        "provider": "bedrock",
        "chat_model": US_PROFILE,
        "embedding_model": "",
        "requests_per_minute": 60,
        "max_retrieval_attempts": 3,
        "max_generation_retries": 1,
        "max_sql_attempts": 2,
    }

    response = client.post(f"/admin/tenants/tenant/{tenant_au.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the error
    assert "may only use" in response.content.decode()
    tenant_au.refresh_from_db()
    assert tenant_au.provider == "local"


# --- the run-time guard ------------------------------------------------------------------


@pytest.fixture
def au_bedrock(db):
    return tenant_create(name="EA", slug="ea-g", data_sovereignty="AU", provider="bedrock")


def rogue_chat(settings) -> ChatOpenAI:
    """What a coding mistake looks like: OpenAI built by hand, not through the factory."""
    return ChatOpenAI(
        model="gpt-4.1-mini",
        api_key="sk-test-fake",
        base_url=settings.OPENAI_BASE_URL,
        max_retries=0,
        use_responses_api=False,
    )


def test_hand_built_openai_chat_is_blocked_in_an_au_scope(fake_openai, settings, au_bedrock):
    with guard.sovereign_scope(au_bedrock), pytest.raises(SovereigntyViolation):
        rogue_chat(settings).invoke([HumanMessage("secret AU question")])

    assert fake_openai.requests == []


def test_same_call_outside_an_au_scope_reaches_openai(fake_openai, settings, tenant_a):
    with guard.sovereign_scope(tenant_a):
        rogue_chat(settings).invoke([HumanMessage("ordinary question")])

    assert len(fake_openai.chat_requests()) == 1


def test_a_pooled_connection_opened_for_another_tenant_is_not_reused(
    fake_openai, settings, tenant_a, au_bedrock
):
    llm = rogue_chat(settings)  # one client (and connection pool) shared by mistake
    with guard.sovereign_scope(tenant_a):
        llm.invoke([HumanMessage("ordinary question")])

    with guard.sovereign_scope(au_bedrock), pytest.raises(SovereigntyViolation):
        llm.invoke([HumanMessage("secret AU question")])

    assert len(fake_openai.requests) == 1


def test_openai_embeddings_sdk_is_blocked_in_an_au_scope(fake_openai, settings, au_bedrock):
    client = openai.OpenAI(api_key="sk-x", base_url=settings.OPENAI_BASE_URL, max_retries=0)

    with guard.sovereign_scope(au_bedrock), pytest.raises(SovereigntyViolation):
        client.embeddings.create(model="text-embedding-3-small", input=["secret"])

    assert fake_openai.requests == []


def test_plain_sockets_to_openai_are_blocked_in_an_au_scope(fake_openai, au_bedrock):
    host, port = fake_openai.url.removeprefix("http://").split(":")

    with guard.sovereign_scope(au_bedrock):
        with pytest.raises(SovereigntyViolation):
            http.client.HTTPConnection(host, int(port), timeout=2).request("GET", "/v1/models")
        with pytest.raises(SovereigntyViolation):
            urllib.request.urlopen(f"{fake_openai.url}/v1/models", timeout=2)  # noqa: S310

    assert fake_openai.requests == []


def test_bedrock_outside_sydney_is_blocked_before_any_connection(au_bedrock):
    client = boto3.client("bedrock-runtime", region_name="us-east-1")

    with guard.sovereign_scope(au_bedrock), pytest.raises(HTTPClientError) as caught:
        client.converse(modelId=AU_PROFILE, messages=[])

    assert "bedrock-runtime.us-east-1.amazonaws.com is in us-east-1, outside Australia" in str(
        caught.value
    )
    assert isinstance(caught.value.__context__, SovereigntyViolation)


@pytest.fixture
def fake_tavily(settings):
    server = FakeOpenAI().start()  # any recording server will do as the target
    settings.TAVILY_BASE_URL = server.url
    yield server
    server.stop()


def test_web_search_is_blocked_without_consent_and_allowed_with_it(fake_tavily):
    shy = tenant_create(name="Shy", slug="shy", data_sovereignty="AU")
    consenting = tenant_create(
        name="Ok",
        slug="ok",
        data_sovereignty="AU",
        enabled_routes=["financial_docs", "web_search"],
        allow_web_search_outside_au=True,
    )

    with guard.sovereign_scope(shy), pytest.raises(SovereigntyViolation, match="web search"):
        urllib.request.urlopen(f"{fake_tavily.url}/search", timeout=2)  # noqa: S310
    with guard.sovereign_scope(consenting), pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{fake_tavily.url}/search", timeout=2)  # noqa: S310 (404)

    assert [r.path for r in fake_tavily.requests] == ["/search"]


def test_provider_for_an_au_tenant_marks_the_open_scope(fake_openai, settings, au_bedrock):
    with guard.sovereign_scope():
        provider_for(au_bedrock)
        with pytest.raises(SovereigntyViolation):
            rogue_chat(settings).invoke([HumanMessage("secret AU question")])

    assert fake_openai.requests == []
    assert guard.current_au_tenant() is None  # the scope ended with its unit of work


def test_titan_worker_threads_inherit_the_au_scope(au_bedrock, fake_openai, settings):
    seen = []

    class Probe:
        def embed(self, text):
            seen.append(guard.current_au_tenant())
            return [0.0]

    from providers.bedrock_provider import TitanEmbedder

    embedder = TitanEmbedder(region="ap-southeast-2")
    embedder._invoke = Probe().embed
    with guard.sovereign_scope(au_bedrock):
        embedder.embed_documents(["a", "b", "c"])

    assert seen == ["ea-g", "ea-g", "ea-g"]


def test_request_of_an_au_tenant_key_is_an_au_scope(fake_openai, settings, au_bedrock):
    key, _ = api_key_issue(tenant=au_bedrock, name="app")
    outcome = {}

    def view(request):
        request.user = TenantPrincipal(tenant=au_bedrock, api_key=key)  # as DRF auth does
        try:
            rogue_chat(settings).invoke([HumanMessage("secret AU question")])
        except SovereigntyViolation:
            outcome["blocked"] = True
        return "response"

    guard.SovereigntyMiddleware(view)(RequestFactory().post("/api/v1/query"))

    assert outcome == {"blocked": True}
    assert fake_openai.requests == []


def test_request_of_a_standard_tenant_key_may_use_openai(fake_openai, settings, tenant_a):
    key, _ = api_key_issue(tenant=tenant_a, name="app")

    def view(request):
        request.user = TenantPrincipal(tenant=tenant_a, api_key=key)
        rogue_chat(settings).invoke([HumanMessage("ordinary question")])
        return "response"

    guard.SovereigntyMiddleware(view)(RequestFactory().post("/api/v1/query"))

    assert len(fake_openai.requests) == 1


def test_forbidden_destinations_for_an_au_tenant():
    au = guard._AuTenant(slug="ea", allow_web_search=False)

    assert guard.forbidden_reason("api.openai.com", 443, au)
    assert guard.forbidden_reason("bedrock-runtime.us-west-2.amazonaws.com", 443, au)
    assert guard.forbidden_reason("api.tavily.com", 443, au)
    assert guard.forbidden_reason("bedrock-runtime.ap-southeast-2.amazonaws.com", 443, au) is None
    assert guard.forbidden_reason("s3.ap-southeast-2.amazonaws.com", 443, au) is None


@task
def rogue_task(slug: str, base_url: str) -> str:
    """A background task that looks up its tenant's provider, then misuses OpenAI."""
    provider_for(Tenant.objects.get(slug=slug))
    llm = ChatOpenAI(api_key="sk-x", base_url=base_url, max_retries=0, use_responses_api=False)
    try:
        llm.invoke([HumanMessage("question")])
    except SovereigntyViolation:
        return "blocked"
    return "sent"


def test_background_task_of_an_au_tenant_is_an_au_scope(
    fake_openai, settings, au_bedrock, tenant_a
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    au = rogue_task.enqueue(au_bedrock.slug, settings.OPENAI_BASE_URL)
    standard = rogue_task.enqueue(tenant_a.slug, settings.OPENAI_BASE_URL)  # no leak

    assert (au.return_value, standard.return_value) == ("blocked", "sent")
    assert len(fake_openai.requests) == 1
    assert guard.current_au_tenant() is None
