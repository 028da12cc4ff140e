"""Line boxes from the parse: each line's box covers where pdfium draws it (checked against
the rendered page's ink), on rotated pages too, and chunks carry their lines' boxes through
ingestion and a resumed ingestion."""

import io

import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from documents.chunking import PageText, plan_chunks
from documents.models import Chunk, DocumentPage
from documents.parsing import extract_pages
from documents.services import document_ingest, document_upload
from tests.data.pdf_factory import column_major_table_pdf, filler, make_pdf

SCALE = 2  # 144 dpi: 1 px is half a point


def rendered(data: bytes, number: int = 1) -> Image.Image:
    pdf = pdfium.PdfDocument(data)
    try:
        return pdf[number - 1].render(scale=SCALE).to_pil().convert("L")
    finally:
        pdf.close()


def ink(image: Image.Image) -> tuple | None:
    """The bounding box of the dark pixels, or None when the image is blank."""
    return ImageChops.invert(image).point(lambda v: 255 if v > 96 else 0).getbbox()


def in_pixels(box, image: Image.Image, pad: int = 0) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    w, h = image.size
    return (
        round(x0 * w) - pad,
        round(y0 * h) - pad,
        round(x1 * w) + pad,
        round(y1 * h) + pad,
    )


def assert_boxes_cover_the_ink(data: bytes, number: int = 1) -> None:
    """Every box has ink inside it, and no ink lies outside all boxes (2 px of slack)."""
    (page,) = [p for p in extract_pages(data) if p.number == number]
    image = rendered(data, number)
    lines = page.text.split("\n")
    assert len(page.boxes) == len(lines)
    for line, box in zip(lines, page.boxes, strict=True):
        assert ink(image.crop(in_pixels(box, image))) is not None, (line, box)
    erased = image.copy()
    draw = ImageDraw.Draw(erased)
    for box in page.boxes:
        draw.rectangle(in_pixels(box, image, pad=2), fill=255)
    assert ink(erased) is None, "text drawn outside every line box"


def rotated_pdf(rotation: int) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setPageRotation(rotation)  # reportlab also swaps the media box at 90 and 270
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 400, "Revenue grew by twelve per cent in the year.")
    pdf.drawString(300, 200, "Net profit after tax was 48.2 million.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_line_boxes_lie_where_each_line_is_drawn():
    data = make_pdf([["# Dividends", *filler("dividend", 6)]], header="NORTHWIND REPORT")
    assert_boxes_cover_the_ink(data)


def test_line_box_is_normalised_top_left_to_the_page():
    data = make_pdf([["Revenue grew by twelve per cent in the year."]])
    (page,) = extract_pages(data)
    x0, y0, x1, y1 = page.boxes[0]
    assert x1 - x0 > 0.3  # a long line
    width, height = A4
    # make_pdf draws its first line at x=60 pt, baseline 70 pt below the top, 10 pt type.
    assert x0 == pytest.approx(60 / width, abs=0.002)
    assert y0 < 70 / height < y1
    assert 0 < y1 - y0 < 16 / height


def test_table_row_drawn_cell_by_cell_has_one_box_across_its_cells():
    data = column_major_table_pdf()
    (page,) = extract_pages(data)
    lines = page.text.split("\n")
    row = lines.index(next(line for line in lines if line.startswith("Revenue")))
    x0, _, x1, _ = page.boxes[row]
    width, _ = A4
    assert x0 == pytest.approx(60 / width, abs=0.003)
    assert x1 == pytest.approx(420 / width, abs=0.003)  # the last column's right edge
    assert_boxes_cover_the_ink(data)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_line_boxes_follow_the_page_rotation(rotation):
    assert_boxes_cover_the_ink(rotated_pdf(rotation))


def test_chunks_have_one_box_per_line_on_their_page():
    data = make_pdf([["# Revenue", *filler("revenue", 60)], ["# Costs", *filler("costs", 5)]])
    parsed = list(extract_pages(data))
    chunks = plan_chunks([PageText(p.number, p.label, p.text, p.boxes) for p in parsed], title="T")
    assert len({chunk.page_start for chunk in chunks}) == 2
    assert len(chunks) > 2  # page 1 is split for size, with overlapping lines
    for chunk in chunks:
        assert list(chunk.boxes) == [str(chunk.page_start)]
        page = parsed[chunk.page_start - 1]
        by_line = dict(zip(page.text.split("\n"), page.boxes, strict=True))
        lines = chunk.text.split("\n")
        assert len(chunk.boxes[str(chunk.page_start)]) == len(lines)
        for line, box in zip(lines, chunk.boxes[str(chunk.page_start)], strict=True):
            # headings lose their "## " mark in the chunk; their box is the marked line's
            assert list(by_line.get(line) or by_line["## " + line]) == box


def test_pages_without_boxes_give_chunks_without_boxes():
    chunks = plan_chunks([PageText(1, "", "Revenue 1,482.3\nCosts 842.1")], title="T")
    assert chunks[0].boxes == {}


@pytest.mark.django_db
def test_ingested_chunks_keep_their_boxes_and_a_resume_keeps_the_same(
    tenant_a, tenant_b, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = make_pdf([["# Dividends", *filler("dividend", 30)], filler("outlook", 8)])
    (document,) = document_upload(
        tenant=tenant_a, files=[SimpleUploadedFile("r.pdf", data)]
    ).documents
    assert document_ingest(document_id=document.pk) == "ready"
    chunks = list(Chunk.objects.for_tenant(tenant_a).filter(document=document))
    assert chunks and all(
        len(chunk.boxes[str(chunk.page_start)]) == len(chunk.text.split("\n")) for chunk in chunks
    )
    pages = DocumentPage.objects.for_tenant(tenant_a).filter(document=document)
    assert all(len(p.boxes) == len(p.text.split("\n")) for p in pages)
    assert not Chunk.objects.for_tenant(tenant_b).exists()

    # A resume plans from the stored pages, not the PDF: the same boxes come out.
    before = {chunk.ordinal: chunk.boxes for chunk in chunks}
    Chunk.objects.for_tenant(tenant_a).filter(document=document).delete()
    document.refresh_from_db()
    type(document).objects.filter(pk=document.pk).update(status="processing", pages_done=0)
    # The stored PDF is gone: a resume that parsed it again would fail.
    type(document).objects.filter(pk=document.pk).update(storage_key="missing.pdf")
    assert document_ingest(document_id=document.pk) == "ready"
    after = {
        chunk.ordinal: chunk.boxes
        for chunk in Chunk.objects.for_tenant(tenant_a).filter(document=document)
    }
    assert after == before
