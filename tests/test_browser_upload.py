"""An operator uploads two PDFs in the admin (real chromium) and watches both reach ready,
ingested by a real `manage.py db_worker`."""

import pytest
from django.contrib.auth import get_user_model

from tenants.services import tenant_create
from tests.data.pdf_factory import filler, make_pdf

from .browser import admin_login, chromium_page
from .worker import db_worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.timeout(240),
]


def test_operator_uploads_two_pdfs_and_watches_them_become_ready(live_server, tmp_path):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    tenant_create(name="Acme Corp", slug="acme")
    files = []
    for name in ("first-report.pdf", "second-report.pdf"):
        path = tmp_path / name
        path.write_bytes(make_pdf([[f"# {name}", *filler(name)], filler(name + " p2")]))
        files.append(str(path))

    with db_worker(tmp_path), chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        page.goto(f"{live_server.url}/admin/documents/document/")
        page.click("text=Upload PDFs")
        page.select_option("#id_tenant", label="acme")
        page.set_input_files("#id_files", files)
        assert "first-report.pdf, second-report.pdf" in page.inner_text("#chosen")
        page.click("#upload-submit")
        assert "Accepted 2 PDF(s)." in page.inner_text(".messagelist")
        for name in ("first-report.pdf", "second-report.pdf"):
            row = page.locator("#status-table tr", has_text=name)
            row.locator(".doc-status.ready").wait_for(timeout=120_000)
            assert row.locator(".doc-pages").inner_text() == "2/2"
