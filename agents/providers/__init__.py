"""Model providers. Use `agents.providers.factory.provider_for(tenant)`; nothing else chooses."""
