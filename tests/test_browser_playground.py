"""An operator asks a question in the admin playground and follows a citation to its page
(the PDF viewer, then the page's extracted text)."""

import pytest
from django.contrib.auth import get_user_model

from agents.models import QueryRun
from tenants.services import tenant_create

from .browser import admin_login, chromium_page
from .test_query_api import ANNUAL_REPORT, ingest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_playground_answer_citation_opens_the_cited_page_and_trace_is_readable(live_server):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    tenant = tenant_create(name="Acme Corp", slug="acme")
    ingest(tenant, ANNUAL_REPORT)
    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        page.goto(f"{live_server.url}/admin/agents/queryrun/playground/")
        page.select_option("#id_tenant", label="acme")
        page.fill("#id_question", "What final dividend per share did the directors declare?")
        page.click("input[name=ask]")

        assert "18.5 cents per share" in page.locator("#answer").inner_text()
        assert page.locator("#grounded").inner_text() == "yes"
        trace = page.locator("#trace").inner_text()
        for node in ("retrieve", "grade_documents", "generate", "grade_generation"):
            assert node in trace

        page.locator("#citations a.citation").first.click()
        page.wait_for_selector("#pdf-viewer[data-state=rendered]")  # the PDF at the citation
        page.click("text=Extracted text of this page")
        page.wait_for_load_state()
        assert "/pages/6/" in page.url
        assert "final dividend of 18.5 cents per share" in page.content()

        run = QueryRun.objects.for_tenant(tenant).get()
        assert run.source == QueryRun.Source.PLAYGROUND
        page.goto(f"{live_server.url}/admin/agents/queryrun/{run.pk}/change/")
        assert "grade_documents" in page.locator("table.trace").inner_text()
