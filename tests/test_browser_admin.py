"""What an operator does in the admin, in a real browser: issue a key, use it, revoke it."""

import re

import pytest
from django.contrib.auth import get_user_model

from tenants.services import tenant_create
from tests.fixtures.tenants import client_for

from .browser import admin_login, chromium_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def operator(transactional_db):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    return "operator", "operator-pass-123"


def test_operator_issues_a_key_sees_it_once_and_revokes_it(live_server, operator):
    tenant_create(name="Acme Corp", slug="acme")
    with chromium_page() as page:
        admin_login(page, live_server.url, *operator)
        page.goto(f"{live_server.url}/admin/tenants/apikey/add/")
        page.select_option("#id_tenant", label="acme")
        page.fill("#id_name", "mobile app")
        page.click("input[name=_save]")
        notice = page.locator(".messagelist").inner_text()
        key = re.search(r"rag_[0-9a-f]{12}_\S+", notice).group(0)
        assert "will not be shown again" in notice

        assert client_for(key).get("/api/v1/tenant").json()["slug"] == "acme"

        page.goto(f"{live_server.url}/admin/tenants/apikey/")
        assert key not in page.content()
        page.check("input[name=_selected_action]")
        page.select_option("select[name=action]", "revoke_keys")
        page.click("button[name=index]")
        assert "Revoked 1 key(s)." in page.locator(".messagelist").inner_text()

    assert client_for(key).get("/api/v1/tenant").status_code == 401


def test_operator_sees_au_web_search_warning(live_server, operator):
    with chromium_page() as page:
        admin_login(page, live_server.url, *operator)
        page.goto(f"{live_server.url}/admin/tenants/tenant/add/")
        page.fill("#id_name", "EA")
        page.fill("#id_slug", "ea")
        page.select_option("#id_data_sovereignty", "AU")
        page.select_option("#id_provider", "local")
        page.check("input[name=enabled_routes][value=financial_docs]")
        page.check("input[name=enabled_routes][value=web_search]")
        page.click("input[name=_save]")
        assert "outside Australia" in page.locator(".errorlist").first.inner_text()
        page.check("#id_allow_web_search_outside_au")
        page.click("input[name=_save]")
        assert "Its questions will leave Australia" in page.locator(".messagelist").inner_text()
