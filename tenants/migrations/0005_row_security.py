"""Tenant row-level security on API keys, and the one lookup that reads a key before its
tenant is known (authentication: the key's prefix identifies it)."""

from django.db import migrations

from tenants.row_security import EnableRowSecurity

# SECURITY DEFINER: runs as the tables' owner, which row-level security does not restrict
# (ENABLE, not FORCE: docs/reliability-and-security.md); it returns only the row with the
# given prefix, as the query it replaces did.
API_KEY_BY_PREFIX = """
CREATE OR REPLACE FUNCTION tenant_api_key_by_prefix(key_prefix text)
RETURNS SETOF tenants_apikey
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$ SELECT * FROM tenants_apikey WHERE prefix = key_prefix $$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_provider_choices_from_registry"),
    ]

    operations = [
        EnableRowSecurity("ApiKey"),
        migrations.RunSQL(
            API_KEY_BY_PREFIX,
            reverse_sql="DROP FUNCTION IF EXISTS tenant_api_key_by_prefix(text)",
        ),
    ]
