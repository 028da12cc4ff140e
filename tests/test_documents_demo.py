"""`bootstrap_demo` loads the sample filings into both demo tenants, once."""

import io

import pytest
from django.core.management import call_command

from documents.models import Document
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_bootstrap_demo_loads_the_samples_into_both_tenants_idempotently():
    for _ in range(2):
        out = io.StringIO()
        call_command("bootstrap_demo", password="demo-pass-123", stdout=out)
    assert "acme: sample documents: contoso-systems-form-10k-2023.pdf" in out.getvalue()
    for slug in ("acme", "ea"):
        documents = Document.objects.for_tenant(Tenant.objects.get(slug=slug))
        assert sorted(documents.values_list("filename", flat=True)) == [
            "contoso-systems-form-10k-2023.pdf",
            "northwind-minerals-annual-report-2024.pdf",
        ]
