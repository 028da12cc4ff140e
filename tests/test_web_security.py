"""Web security basics: the admin login is throttled (django-axes) and logged; security headers
and the Content-Security-Policy; CSRF on every admin form; no key or secret in any log line.
(`check --deploy` and HSTS under production settings: tests/test_production_settings.py.)"""

import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from documents.services import document_ingest
from ragplatform.logging import console_formatter, json_formatter
from tests.data.pdf_factory import make_pdf
from tests.fixtures.tenants import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "operator-pass-0123456789"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "pdfs"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "", PASSWORD)


def log_in(client, password: str, username: str = "operator"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def events(caplog, name: str) -> list[dict]:
    return [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg["event"] == name]


def test_admin_login_locks_out_after_repeated_failures_and_logs_it(
    client, operator, settings, caplog
):
    caplog.set_level(logging.INFO, logger="ragplatform.login_audit")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    assert log_in(client, "wrong").status_code == 429

    locked = log_in(client, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Every refused attempt is logged, the locked-out ones (the right password too) as such.
    assert len(events(caplog, "admin.login_failed")) == settings.AXES_FAILURE_LIMIT + 1
    lockout, again = events(caplog, "admin.login_locked_out")
    assert lockout["username"] == again["username"] == "operator"
    assert lockout["ip_address"] == "127.0.0.1"


def test_lockout_holds_one_username_from_one_address_only(client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    elsewhere = Client(REMOTE_ADDR="127.0.0.2")
    assert log_in(elsewhere, PASSWORD).status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/admin/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/health"])
def test_responses_carry_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # local, plain HTTP


def test_admin_pages_get_a_strict_content_security_policy(client, operator):
    client.force_login(operator)
    policy = dict(
        part.strip().split(" ", 1)
        for part in client.get("/admin/").headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert policy["style-src"] == "'self'"
    assert policy["worker-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy.values() and "'unsafe-eval'" not in str(policy)


def test_api_docs_page_loads_its_script_from_a_url_under_a_policy_of_its_own(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()  # no inline script to allow
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in response["Content-Security-Policy"]


class _Forms(HTMLParser):
    """The POST forms of a page (action, and whether they carry the CSRF token) and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "token": False})
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.forms:
            self.forms[-1]["token"] = True
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def admin_forms(client, start: str, *, limit: int = 120) -> dict[str, str]:
    """Crawl the admin from `start` (same-origin /admin/ links, no query strings, no files):
    every POST form found, as {its action URL: the page it is on}."""
    seen, queue, forms = set(), [start], {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Forms()
        page.feed(response.content.decode())
        for form in page.forms:
            assert form["token"], f"a form on {url} has no CSRF token"
            forms.setdefault(urljoin(url, form["action"]) or url, url)
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or parts.query or not parts.path.startswith("/admin/"):
                continue
            if parts.path.endswith(("/file/", "/logout/")):
                continue
            queue.append(parts.path)
    return forms


def test_every_admin_form_refuses_a_post_without_the_csrf_token(operator, tenant_a, key_a):
    document = document_ingest_one(tenant_a)
    client_for(key_a).post("/api/v1/query", {"question": "What was revenue?"}, format="json")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    forms = admin_forms(browser, "/admin/")
    forms.update(admin_forms(browser, f"/admin/documents/document/{document.pk}/change/"))
    forms.update(admin_forms(browser, "/admin/agents/queryrun/playground/"))  # not linked
    forms["/admin/login/"] = "/admin/login/"
    forms["/admin/logout/"] = "/admin/ (user tools)"
    # The crawl reaches the operator's forms: tenants, keys, upload, playground, documents.
    assert "/admin/documents/document/upload/" in forms
    assert any(url.endswith("/playground/") for url in forms)
    assert any(re.search(r"/admin/tenants/(tenant|apikey)/add/", url) for url in forms)
    assert len(forms) >= 15, sorted(forms)
    print(f"{len(forms)} admin forms:", *sorted(forms), sep="\n  ")

    for action, page in sorted(forms.items()):
        response = browser.post(action, {"name": "x"})
        assert response.status_code == 403, f"{action} (a form on {page}) took a POST without token"


def document_ingest_one(tenant):
    from tests.fixtures.documents import ingest_pdf

    return ingest_pdf(tenant, make_pdf([["# Filing", "Revenue was A$5 million."]]), name="f.pdf")


def test_no_key_or_secret_reaches_the_logs(operator, admin_api, settings, caplog):
    """A whole run: the admin API creates a tenant and a key, the tenant uploads and asks, a
    wrong key and a wrong password are tried. Every log line, rendered as it would be written
    (JSON and console), is searched for each secret."""
    caplog.set_level(logging.DEBUG)
    settings.OPENAI_API_KEY = "sk-test-openai-secret-value-0123456789"
    tenant = admin_api.post(
        "/api/v1/admin/tenants", {"name": "Logs Ltd", "slug": "logs"}, format="json"
    )
    assert tenant.status_code == 201
    issued = admin_api.post("/api/v1/admin/tenants/logs/keys", {"name": "app"}, format="json")
    key = issued.json()["key"]
    client = client_for(key)
    upload = client.post(
        "/api/v1/documents",
        {"files": [(SAMPLES / "northwind-minerals-annual-report-2024.pdf").open("rb")]},
        format="multipart",
    )
    assert upload.status_code == 202
    document_ingest(document_id=upload.json()["documents"][0]["id"])
    asked = client.post("/api/v1/query", {"question": "What dividend was declared?"}, format="json")
    assert asked.status_code == 200
    prefix, secret = re.fullmatch(r"rag_([0-9a-f]{12})_(\S+)", key).groups()
    wrong_key = f"rag_{prefix}_{'x' * len(secret)}"
    assert client_for(wrong_key).get("/api/v1/tenant").status_code == 401
    assert client_for("not-the-admin-key").get("/api/v1/admin/tenants").status_code == 401
    assert log_in(Client(), "wrong-password-value").status_code == 200
    assert log_in(Client(), PASSWORD).status_code == 302

    written = "\n".join(
        formatter.format(record)
        for record in caplog.records
        for formatter in (json_formatter(), console_formatter())
    )
    assert '"event": "api_key.issued"' in written  # the run was logged at all
    secrets = {
        "tenant key": key,
        "its secret part": secret,
        "wrong key": wrong_key,
        "admin key": settings.ADMIN_API_KEY,
        "OpenAI key": settings.OPENAI_API_KEY,
        "SECRET_KEY": settings.SECRET_KEY,
        "password": PASSWORD,
        "wrong password": "wrong-password-value",
    }
    leaked = {name for name, value in secrets.items() if value in written}
    assert not leaked, f"in the logs: {leaked}"
    assert json.loads(json_formatter().format(caplog.records[-1]))  # JSON lines, parseable
