"""Tenant row-level security on query runs."""

from django.db import migrations

from tenants.row_security import EnableRowSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_queryrun_provider_ms"),
    ]

    operations = [
        EnableRowSecurity("QueryRun"),
    ]
