from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"

    def ready(self) -> None:
        from providers import guard, registry
        from tenants import provider_policy

        # tenants imports no other app: it reads its provider choices and rules from here.
        provider_policy.register(
            provider_policy.ProviderPolicy(
                choices=registry.provider_choices, tenant_errors=registry.tenant_errors
            )
        )
        guard.install()  # process-wide: AU work reaches only Australian destinations
