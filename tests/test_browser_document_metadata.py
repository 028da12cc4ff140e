"""An operator reads a document's metadata in the admin list and corrects it in the change
form (real chromium); the correction is recorded as the operator's."""

import pytest
from django.contrib.auth import get_user_model

from documents.models import Document
from tenants.services import tenant_create
from tests.data.pdf_factory import cover_10k, filler, make_pdf
from tests.fixtures.documents import ingest_pdf

from .browser import admin_login, chromium_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_operator_sees_and_corrects_a_documents_metadata(live_server):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    tenant = tenant_create(name="Acme Corp", slug="acme")
    document = ingest_pdf(
        tenant, make_pdf([cover_10k(), filler("operations")]), name="acme-10k.pdf"
    )

    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        page.goto(f"{live_server.url}/admin/documents/document/")
        row = page.locator("#result_list tbody tr", has_text="acme-10k.pdf")
        assert "Acme Widgets Corporation" in row.inner_text()
        assert "Form 10-K" in row.inner_text()
        assert "2023" in row.inner_text()

        page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
        assert page.locator("#id_status").count() == 0  # the ingestion record is read-only
        page.fill("#id_fiscal_year", "2022")
        page.fill("#id_company", "Acme Widgets Corp")
        page.click("input[name=_save]")
        # The saved page's message, not the form page still shown while the save is posted.
        saved = page.locator(".messagelist", has_text="was changed successfully")
        saved.wait_for()
        assert "was changed successfully" in saved.inner_text()

        page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
        page.fill("#id_fiscal_quarter", "5")
        page.click("input[name=_save]")
        assert "less than or equal to 4" in page.locator(".errorlist").first.inner_text()

    document.refresh_from_db()
    assert (document.company, document.fiscal_year, document.fiscal_quarter) == (
        "Acme Widgets Corp",
        2022,
        None,
    )
    assert document.metadata_source == Document.MetadataSource.OPERATOR
    assert document.status == Document.Status.READY
