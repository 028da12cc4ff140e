"""Sovereignty by allowlist: while an AU tenant's work runs, only Australian destinations
(AWS in ap-southeast-2, the database, this machine) can be reached, whatever the provider,
the client library or the host, named or not. Every test also runs in the loopback-only
jail (tests/fakes/fixtures.py), which fails the test if anything got past the guard."""

import socket
import urllib.request
from collections import OrderedDict

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.tasks import task
from django.test import RequestFactory

from documents.models import Document
from documents.services import document_upload
from providers import guard, registry
from providers.base import SovereigntyViolation
from providers.factory import provider_for
from tenants.authentication import TenantPrincipal
from tenants.models import Tenant
from tenants.services import api_key_issue, tenant_create
from tests.data.pdf_factory import make_pdf
from tests.fixtures.tenants import client_for
from tests.test_migrate_tenant_provider import add_chunks, migrate

pytestmark = pytest.mark.django_db


def raw_connect():
    with socket.socket() as sock:
        sock.settimeout(2)
        sock.connect(("203.0.113.8", 443))


# Not OpenAI, not AWS in Sydney: what a provider or a library added later might call.
ELSEWHERE = {
    "httpx to another model API": lambda: httpx.get("https://api.mistral.ai/v1/models"),
    "urllib to another API": lambda: urllib.request.urlopen(
        "https://generativelanguage.googleapis.com/v1/models", timeout=2
    ),
    "a connection to a bare address": lambda: socket.create_connection(("203.0.113.7", 443), 2),
    "a raw socket": raw_connect,
    "AWS outside Sydney": lambda: urllib.request.urlopen(
        "https://s3.us-east-1.amazonaws.com/", timeout=2
    ),
}
# A Bedrock endpoint override that leads out of Australia (a gateway, a proxy, a typo).
FOREIGN_BEDROCK = "https://bedrock-runtime.llm-gateway.example.net"


@pytest.fixture
def au_bedrock(db):
    return tenant_create(name="EA", slug="ea-l", data_sovereignty="AU", provider="bedrock")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# --- the allowlist -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "bedrock-runtime.ap-southeast-2.amazonaws.com",
        "bedrock.ap-southeast-2.amazonaws.com",
        "rag-system-docs-prod.s3.ap-southeast-2.amazonaws.com",
        "secretsmanager.ap-southeast-2.amazonaws.com",
        "sts.ap-southeast-2.amazonaws.com",
        "vpce-0a1b2c3d.bedrock-runtime.ap-southeast-2.vpce.amazonaws.com",
        "169.254.170.2",  # the ECS task role's credentials, on the host
        "127.0.0.1",
        "::1",
        "localhost",
    ],
)
def test_australian_and_local_destinations_are_allowed(host):
    au = guard._AuTenant(slug="ea", allow_web_search=False)

    assert guard.forbidden_reason(host, 443, au) is None


@pytest.mark.parametrize(
    "host",
    [
        "api.mistral.ai",
        "api.anthropic.com",
        "generativelanguage.googleapis.com",
        "s3.amazonaws.com",  # S3's global endpoint
        "s3.us-east-1.amazonaws.com",
        "secretsmanager.us-west-2.amazonaws.com",
        "bedrock-runtime.ap-southeast-4.amazonaws.com",
        "ap-southeast-2.amazonaws.com.example.net",
        "203.0.113.7",
        "2001:db8::7",
    ],
)
def test_every_other_destination_is_refused(host):
    au = guard._AuTenant(slug="ea", allow_web_search=False)

    assert guard.forbidden_reason(host, 443, au)


def test_the_database_hosts_are_allowed(settings, monkeypatch):
    au = guard._AuTenant(slug="ea", allow_web_search=False)
    rds = {"HOST": "ragplatform.abc123.ap-southeast-2.rds.amazonaws.com"}
    monkeypatch.setitem(settings.DATABASES, "reporting", rds)  # an alias no test connects to

    assert (
        guard.forbidden_reason("ragplatform.abc123.ap-southeast-2.rds.amazonaws.com", 5432, au)
        is None
    )
    assert guard.forbidden_reason("other.abc123.ap-southeast-2.rds.amazonaws.com", 5432, au)


def test_allowed_hosts_follow_the_registry():
    au = guard._AuTenant(slug="ea", allow_web_search=False)
    for spec in registry.PROVIDERS.values():
        for host in spec.au_hosts():
            assert guard.forbidden_reason(host, 443, au) is None, host
        if not spec.serves_au:
            assert all(guard.forbidden_reason(f"api.{host}", 443, au) for host in spec.hosts)


def test_an_address_is_judged_by_the_name_it_was_resolved_from(monkeypatch):
    monkeypatch.setattr(guard, "_resolved", OrderedDict())
    au = guard._AuTenant(slug="ea", allow_web_search=False)
    answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("198.51.100.20", 443))]
    guard._remember_resolution("bedrock-runtime.ap-southeast-2.amazonaws.com", answer)
    guard._remember_resolution(
        "api.mistral.ai", [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("198.51.100.21", 443))]
    )

    assert guard.forbidden_reason("198.51.100.20", 443, au) is None
    assert guard.forbidden_reason("198.51.100.21", 443, au)


# --- each kind of unit of work -----------------------------------------------------------


@pytest.mark.parametrize("reach", ELSEWHERE.values(), ids=ELSEWHERE.keys())
def test_an_au_tenants_request_cannot_reach_other_hosts(au_bedrock, reach):
    key, _ = api_key_issue(tenant=au_bedrock, name="app")
    outcome = {}

    def view(request):
        request.user = TenantPrincipal(tenant=au_bedrock, api_key=key)  # as DRF auth does
        with pytest.raises(SovereigntyViolation) as caught:
            reach()
        outcome["blocked"] = str(caught.value)
        return "response"

    guard.SovereigntyMiddleware(view)(RequestFactory().post("/api/v1/query"))

    assert "for AU tenant ea-l" in outcome["blocked"]


@task
def reach_elsewhere(slug: str, target: str) -> str:
    """A background task that looks up its tenant's provider, then calls some other host."""
    provider_for(Tenant.objects.get(slug=slug))
    try:
        ELSEWHERE[target]()
    except SovereigntyViolation:
        return "blocked"
    return "sent"


@pytest.mark.parametrize("target", ELSEWHERE.keys())
def test_an_au_tenants_task_cannot_reach_other_hosts(au_bedrock, immediate_tasks, target):
    result = reach_elsewhere.enqueue(au_bedrock.slug, target)

    assert result.return_value == "blocked"
    assert guard.current_au_tenant() is None


@pytest.mark.parametrize("reach", ELSEWHERE.values(), ids=ELSEWHERE.keys())
def test_an_au_tenants_command_scope_cannot_reach_other_hosts(au_bedrock, reach):
    with guard.sovereign_scope(au_bedrock), pytest.raises(SovereigntyViolation):
        reach()


# --- a provider pointed outside Australia, through the real paths -------------------------


def test_query_api_refuses_an_endpoint_outside_australia(au_bedrock, settings):
    settings.BEDROCK_ENDPOINT_URL = FOREIGN_BEDROCK
    client = client_for(api_key_issue(tenant=au_bedrock, name="app")[1])

    response = client.post("/api/v1/query", {"question": "What was revenue?"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "sovereignty_violation"
    assert "llm-gateway.example.net" in response.json()["error"]["message"]


def test_ingestion_task_refuses_an_endpoint_outside_australia(
    au_bedrock, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.BEDROCK_ENDPOINT_URL = FOREIGN_BEDROCK
    pdf = SimpleUploadedFile("report.pdf", make_pdf([["# Results", "Revenue was A$4m."]]))

    with django_capture_on_commit_callbacks(execute=True):
        (document,) = document_upload(tenant=au_bedrock, files=[pdf]).documents

    document = Document.objects.get(pk=document.pk)
    assert (document.status, document.error_code) == ("failed", "sovereignty_violation")
    assert "llm-gateway.example.net" in document.error


def test_migration_command_refuses_an_endpoint_outside_australia(settings):
    ea = tenant_create(name="EA", slug="ea", data_sovereignty="AU", provider="local")
    add_chunks(ea, 3)
    settings.BEDROCK_ENDPOINT_URL = FOREIGN_BEDROCK

    with pytest.raises(CommandError, match=r"llm-gateway\.example\.net"):
        migrate("ea", "bedrock")

    ea.refresh_from_db()
    assert ea.provider == "local"
