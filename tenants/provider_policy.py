"""The seam between a tenant's provider settings and the providers app.

Which providers exist, and which provider settings keep an AU tenant's data in Australia,
is the providers layer's knowledge (providers/registry.py); tenants imports no other app.
So the providers app registers its policy here when it is ready (ProvidersConfig.ready),
and Tenant's provider choices, Tenant.clean() and the platform API read it from here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ProviderPolicy:
    # (name, label) of every provider a tenant may be served by.
    choices: Callable[[], list[tuple[str, str]]]
    # A tenant's provider-setting errors by field name (empty when it is valid).
    tenant_errors: Callable[[object], dict[str, str]]


_policy: ProviderPolicy | None = None


def register(policy: ProviderPolicy) -> None:
    global _policy
    _policy = policy


def current() -> ProviderPolicy:
    if _policy is None:
        raise ImproperlyConfigured(
            "No provider policy is registered: 'providers' must be in INSTALLED_APPS "
            "(ProvidersConfig.ready registers it)."
        )
    return _policy


def provider_choices() -> list[tuple[str, str]]:
    """Tenant.provider's choices (a callable, so the model needs no import of providers)."""
    return current().choices()
