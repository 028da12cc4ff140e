"""Phase 1 validation (`manage.py validate_queries`) passes for both demo tenants."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.models import Tenant

from .test_query_api import ingest

pytestmark = pytest.mark.django_db

SAMPLES = ("northwind-minerals-annual-report-2024.pdf", "contoso-systems-form-10k-2023.pdf")


@pytest.fixture
def demo_tenants(db):
    call_command("bootstrap_demo", password="demo-pass-123", stdout=io.StringIO())
    for slug in ("acme", "ea"):
        ingest(Tenant.objects.get(slug=slug), *SAMPLES)


def test_validation_queries_pass_for_both_demo_tenants(demo_tenants):
    out = io.StringIO()
    call_command("validate_queries", stdout=out)
    report = out.getvalue()
    assert "FAIL" not in report, report
    assert "16/16 passed" in report


def test_validation_fails_loudly_when_the_documents_are_missing(db):
    call_command("bootstrap_demo", password="demo-pass-123", stdout=io.StringIO())
    out = io.StringIO()
    with pytest.raises(CommandError, match="validation check"):
        call_command("validate_queries", "--tenant", "acme", stdout=out)
    assert "FAIL" in out.getvalue()


def test_unknown_tenant_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No tenant 'nope'"):
        call_command("validate_queries", "--tenant", "nope", stdout=io.StringIO())
