"""The provider registry is the one list of providers: the tenant's field, its validation,
the admin, the platform API, the factory and the migration command all follow it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from providers import registry
from providers.factory import BUILDERS, provider_for
from tenants import provider_policy
from tenants.admin import TenantForm
from tenants.models import Tenant
from tenants.services import tenant_create

pytestmark = pytest.mark.django_db


def test_tenant_provider_choices_are_the_registrys():
    field = Tenant._meta.get_field("provider")

    assert list(field.choices) == registry.provider_choices()
    assert field.default in registry.PROVIDERS


def test_admin_form_offers_the_registrys_providers():
    offered = [value for value, _ in TenantForm().fields["provider"].choices if value]

    assert offered == list(registry.provider_names())


def test_platform_api_refuses_a_provider_the_registry_does_not_know(admin_api):
    response = admin_api.post(
        "/api/v1/admin/tenants", {"name": "M", "slug": "m", "provider": "mystery"}, format="json"
    )

    assert response.status_code == 400
    assert not Tenant.objects.filter(slug="m").exists()


def test_migration_command_refuses_a_provider_the_registry_does_not_know(tenant_a):
    with pytest.raises(CommandError, match="invalid choice: 'mystery'"):
        call_command("migrate_tenant_provider", tenant_a.slug, "--to", "mystery")


@pytest.mark.parametrize("spec", registry.PROVIDERS.values(), ids=registry.PROVIDERS.keys())
def test_factory_builds_every_provider_with_its_declared_models(spec):
    tenant = tenant_create(name="T", slug="t", provider=spec.name)

    provider = provider_for(tenant)

    assert (provider.name, provider.simulated) == (spec.name, spec.simulated)
    assert provider.chat.model_id == spec.chat.default
    assert provider.embedder.model_id == spec.embedding.default
    assert provider.embedder.dimensions == spec.embedding_dimensions


def test_every_provider_can_be_built():
    assert set(BUILDERS) == set(registry.PROVIDERS)


def test_every_au_provider_defaults_to_models_that_stay_in_australia():
    for spec in registry.PROVIDERS.values():
        if spec.serves_au and spec.hosts:
            assert spec.chat.default in spec.chat.au and spec.embedding.default in spec.embedding.au


def test_the_database_refuses_the_providers_that_cannot_serve_au_tenants():
    (constraint,) = [c for c in Tenant._meta.constraints if c.name == "tenant_au_never_openai"]
    refused = {dict(constraint.condition.children)["provider"]}

    assert refused == {s.name for s in registry.PROVIDERS.values() if not s.serves_au}


def test_tenant_validation_needs_the_providers_app(monkeypatch, tenant_a):
    monkeypatch.setattr(provider_policy, "_policy", None)

    with pytest.raises(ImproperlyConfigured, match="'providers' must be in INSTALLED_APPS"):
        tenant_a.full_clean()
