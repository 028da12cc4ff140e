"""An operator checks a citation on the PDF as printed: the playground's citation opens the
PDF.js viewer at the cited page with the cited lines highlighted where the text is drawn;
pages, zoom and the original; the query run and the document's admin page."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agents.models import QueryRun
from documents.models import Document
from documents.services import document_upload
from tenants.services import tenant_create
from tests.data.pdf_factory import filler, make_pdf

from .browser import admin_login, chromium_page
from .test_query_api import ANNUAL_REPORT, ingest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
QUESTION = "What final dividend per share did the directors declare?"
CITED = "final dividend of 18.5 cents per share"

# Each text-layer span whose text is given, and each highlight box, as page rectangles.
GEOMETRY = """(texts) => {
  const rect = (el) => { const r = el.getBoundingClientRect();
    return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const spans = [...document.querySelectorAll('#pdf-viewer .textLayer span')];
  return {
    marks: [...document.querySelectorAll('#pdf-viewer .viewer-highlight')].map(rect),
    spans: Object.fromEntries(texts.map((t) => [t, spans
      .filter((s) => s.textContent.includes(t)).map(rect)])),
    page: rect(document.querySelector('#pdf-viewer .pdf-page')),
  };
}"""


def covered(span: dict, marks: list[dict]) -> float:
    """The share of the span's area inside the highlight boxes (they do not overlap)."""
    area = (span["x1"] - span["x0"]) * (span["y1"] - span["y0"])
    inside = 0.0
    for mark in marks:
        w = min(span["x1"], mark["x1"]) - max(span["x0"], mark["x0"])
        h = min(span["y1"], mark["y1"]) - max(span["y0"], mark["y0"])
        inside += max(w, 0) * max(h, 0)
    return inside / area


def pages_total(tenant) -> int:
    return Document.objects.for_tenant(tenant).get().pages_total


def colours(png: bytes) -> list[tuple[int, int, int]]:
    return list(Image.open(io.BytesIO(png)).convert("RGB").get_flattened_data())


def rendered(page, number: int) -> None:
    page.wait_for_selector(f"#pdf-viewer[data-state=rendered][data-rendered-page='{number}']")


def ask_in_playground(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/agents/queryrun/playground/")
    page.select_option("#id_tenant", label="acme")
    page.fill("#id_question", QUESTION)
    page.click("input[name=ask]")
    page.wait_for_selector("#citations a.citation")


@pytest.fixture
def operator(live_server):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    tenant = tenant_create(name="Acme Corp", slug="acme")
    ingest(tenant, ANNUAL_REPORT)
    return tenant


def test_citation_opens_the_viewer_at_the_cited_page_with_the_text_highlighted(
    live_server, operator
):
    with chromium_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        ask_in_playground(page, live_server.url)
        page.locator("#citations a.citation").first.click()
        rendered(page, 6)

        assert (
            page.locator("#viewer-page-number").inner_text() == f"Page 6 of {pages_total(operator)}"
        )
        geometry = page.evaluate(GEOMETRY, [CITED, "Principal activities"])
        marks = geometry["marks"]
        assert marks, "no highlight drawn"
        (cited,) = geometry["spans"][CITED]
        # the cited line's text (where PDF.js placed it from the PDF) lies in a highlight box
        assert covered(cited, marks) > 0.9
        # and a heading further down the page is not highlighted
        (other,) = geometry["spans"]["Principal activities"]
        assert covered(other, marks) == 0

        # What is drawn there: the highlight's yellow over dark text, on the canvas itself.
        shot = page.screenshot(
            clip={
                "x": cited["x0"],
                "y": cited["y0"],
                "width": cited["x1"] - cited["x0"],
                "height": cited["y1"] - cited["y0"],
            }
        )
        pixels = colours(shot)
        assert any(r > 200 and g > 160 and b < 140 for r, g, b in pixels), "no highlight"
        # glyphs: far darker than the highlighted paper (about 255, 239, 153)
        assert any(r + g + b < 300 for r, g, b in pixels), "no text drawn under it"
        below = page.screenshot(
            clip={
                "x": other["x0"],
                "y": other["y0"],
                "width": other["x1"] - other["x0"],
                "height": other["y1"] - other["y0"],
            }
        )
        pixels = colours(below)
        assert not any(r > 200 and g > 160 and b < 140 for r, g, b in pixels)


def test_viewer_pages_zoom_and_opens_the_original(live_server, operator):
    with chromium_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1000})
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        ask_in_playground(page, live_server.url)
        page.locator("#citations a.citation").first.click()
        rendered(page, 6)
        width = page.locator("#pdf-viewer canvas").bounding_box()["width"]

        page.click("#viewer-next")
        rendered(page, 7)
        assert (
            page.locator("#viewer-page-number").inner_text() == f"Page 7 of {pages_total(operator)}"
        )
        assert page.locator(".viewer-highlight").count() == 0  # the citation is on page 6
        page.fill("#viewer-page-input", "6")
        page.dispatch_event("#viewer-page-input", "change")
        rendered(page, 6)
        assert page.locator(".viewer-highlight").count() > 0

        page.click("#viewer-zoom-in")
        page.wait_for_function(
            "w => document.querySelector('#pdf-viewer canvas').getBoundingClientRect().width > w",
            arg=width,
        )
        page.wait_for_selector("#pdf-viewer[data-state=rendered]")
        assert page.locator(".viewer-highlight").count() > 0

        href = page.locator("#viewer-open-original").get_attribute("href")
        assert href.endswith("#page=6")
        original = page.request.get(live_server.url + href.split("#")[0])
        assert original.status == 200
        assert original.headers["content-type"] == "application/pdf"
        assert original.body().startswith(b"%PDF-")


def test_viewer_renders_within_the_content_security_policy(live_server, operator):
    """PDF.js (module, module worker, fonts, WebAssembly decoders, the PDF) and the highlights
    need nothing the admin's policy refuses; and a violation would be seen."""
    document = Document.objects.for_tenant(operator).get()
    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        response = page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/viewer/")
        policy = response.headers["content-security-policy"]
        assert "worker-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        rendered(page, 1)
        page.locator("#viewer-next").click()
        rendered(page, 2)
        assert page.locator("#pdf-viewer .textLayer span").count() > 0
        assert page.csp_violations == []

        page.evaluate("document.body.setAttribute('style', 'color: red')")
        page.wait_for_function("() => getComputedStyle(document.body).color !== 'red'")
        page.wait_for_timeout(200)
        assert any("style-src" in v for v in page.csp_violations), page.csp_violations
        page.csp_violations.clear()


def test_query_run_detail_citation_opens_the_viewer(live_server, operator):
    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        ask_in_playground(page, live_server.url)
        run = QueryRun.objects.for_tenant(operator).get()
        page.goto(f"{live_server.url}/admin/agents/queryrun/{run.pk}/change/")
        page.locator("ol.citations a.citation").first.click()
        rendered(page, 6)
        assert page.locator(".viewer-highlight").count() > 0
        assert CITED in page.locator(".viewer-snippet").inner_text()


def test_document_admin_page_shows_the_pdf_and_each_pages_status(live_server, operator):
    document = Document.objects.for_tenant(operator).get()
    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/change/")
        rendered(page, 1)
        assert (
            page.locator("#viewer-page-number").inner_text() == f"Page 1 of {document.pages_total}"
        )
        rows = page.locator("#page-statuses tbody tr")
        assert rows.count() == document.pages_total
        assert set(page.locator("#page-statuses .page-state").all_inner_texts()) <= {
            "searchable",
            "contents page",
        }


def test_viewer_opens_a_long_filing_at_a_deep_page(live_server):
    get_user_model().objects.create_superuser("operator", "", "operator-pass-123")
    tenant = tenant_create(name="Acme Corp", slug="acme")
    data = make_pdf([[f"# Note {n}", *filler(f"note {n}", 40)] for n in range(1, 301)])
    (document,) = document_upload(
        tenant=tenant, files=[SimpleUploadedFile("long-10k.pdf", data)]
    ).documents
    with chromium_page() as page:
        admin_login(page, live_server.url, "operator", "operator-pass-123")
        page.goto(f"{live_server.url}/admin/documents/document/{document.pk}/viewer/?page=250")
        rendered(page, 250)
        assert page.locator("#viewer-page-number").inner_text() == "Page 250 of 300"
        assert "Note 250" in page.locator("#pdf-viewer .textLayer").inner_text()


def test_admin_file_needs_a_staff_login(live_server, operator):
    document = Document.objects.for_tenant(operator).get()
    with chromium_page() as page:
        response = page.request.get(
            f"{live_server.url}/admin/documents/document/{document.pk}/file/"
        )
        assert b"%PDF" not in response.body()
        assert "/admin/login/" in response.url
