"""PDFs made at test time with reportlab: good ones with known text per page, and broken ones."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def make_pdf(
    pages: list[list[str]],
    *,
    title: str = "Test Filing",
    header: str | None = None,
    labels_from: int | None = None,
    encrypt: str | None = None,
    image_only_pages: tuple[int, ...] = (),
) -> bytes:
    """One page per list of lines. `header` repeats on every page (a running header);
    `labels_from` gives pages roman labels before that physical page and arabic from it."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt, invariant=True)
    pdf.setTitle(title)
    if labels_from:
        pdf.addPageLabel(0, "ROMAN_LOWER")
        pdf.addPageLabel(labels_from - 1, "ARABIC", 1)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        if number in image_only_pages:
            # A scanned page: shapes only, no text layer.
            pdf.setFillGray(0.6)
            for row in range(20):
                pdf.rect(60, height - 80 - row * 30, 400, 18, fill=1, stroke=0)
            pdf.setFillGray(0)
        else:
            if header:
                pdf.setFont("Helvetica", 7)
                pdf.drawString(60, height - 30, header)
                pdf.drawRightString(width - 60, 30, f"{header} | {number}")
            y = height - 70
            for line in lines:
                if line.startswith("# "):
                    pdf.setFont("Helvetica-Bold", 15)
                    pdf.drawString(60, y, line[2:])
                    y -= 24
                else:
                    pdf.setFont("Helvetica", 10)
                    pdf.drawString(60, y, line)
                    y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def column_major_table_pdf() -> bytes:
    """A table drawn column by column (as some layout tools do): labels, then each year."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    rows = [("Revenue", "1,482.3", "1,301.7"), ("Cost of sales", "(842.1)", "(702.5)")]
    pdf.drawString(60, 760, "Consolidated income statement")
    for index, row in enumerate(rows):
        pdf.drawString(60, 730 - index * 14, row[0])
    for column, right in ((1, 340), (2, 420)):
        for index, row in enumerate(rows):
            pdf.drawRightString(right, 730 - index * 14, row[column])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def filler(topic: str, count: int = 12) -> list[str]:
    return [
        f"The {topic} discussion continues with line {i} about operations and markets."
        for i in range(count)
    ]
