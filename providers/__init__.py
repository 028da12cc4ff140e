"""Model providers, shared by ingestion (documents) and the agents. Use
`providers.factory.provider_for(tenant)`; nothing else chooses."""
