"""Tenant row-level security on the tables read from documents (0005_tables), joining the
two 0005 migrations (row security and tables were built side by side)."""

from django.db import migrations

from tenants.row_security import EnableRowSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_row_security"),
        ("documents", "0005_tables"),
    ]

    operations = [
        EnableRowSecurity("Table"),
        EnableRowSecurity("TableCell"),
    ]
