"""PDFs made at test time with reportlab: good ones with known text per page, and broken ones."""

import io

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph


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


def column_prose(topic: str, count: int) -> list[str]:
    """Prose lines narrow enough for three columns, each naming its topic and number."""
    return [f"The {topic} line {i} covers our markets." for i in range(count)]


def columns_pdf(
    columns: list[list[str]],
    *,
    heading: str | None = None,
    table_below: list[tuple[str, str, str]] = (),
) -> bytes:
    """Prose set in columns, as annual reports lay out their reviews: each column is drawn
    top to bottom before the next (as a layout tool fills its text frames), so same-height
    lines of different columns share a baseline. `heading` is drawn full width above the
    columns; `table_below` (label, this year, last year) full width below them, drawn column
    by column with the figures right-aligned on the far side of the page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    width, _ = A4
    margin, gutter = 40, 18
    column_width = (width - 2 * margin - gutter * (len(columns) - 1)) / len(columns)
    top = 760
    if heading:
        pdf.setFont("Helvetica-Bold", 15)
        pdf.drawString(margin, top, heading)
        top -= 30
    pdf.setFont("Helvetica", 9)
    for index, lines in enumerate(columns):
        x = margin + index * (column_width + gutter)
        for row, line in enumerate(lines):
            pdf.drawString(x, top - row * 12, line)
    if table_below:
        y = top - max(map(len, columns)) * 12 - 20
        for row, (label, *_) in enumerate(table_below):
            pdf.drawString(margin, y - row * 12, label)
        for column, right in ((1, width - margin - 80), (2, width - margin)):
            for row, cells in enumerate(table_below):
                pdf.drawRightString(right, y - row * 12, cells[column])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def framed_columns_pdf(paragraphs: list[str], *, columns: int = 2, justify: bool = False) -> bytes:
    """Paragraphs flowed through `columns` text frames on one page (the layout of an annual
    report's review), wrapped by reportlab: ragged or justified lines, short last lines."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, invariant=1)
    width = (A4[0] - 36 * mm - 8 * mm * (columns - 1)) / columns
    frames = [
        Frame(18 * mm + index * (width + 8 * mm), 20 * mm, width, A4[1] - 40 * mm)
        for index in range(columns)
    ]
    doc.addPageTemplates([PageTemplate(frames=frames)])
    style = ParagraphStyle(
        "body",
        fontName="Helvetica",
        fontSize=9.5,
        leading=12.5,
        spaceAfter=5,
        alignment=TA_JUSTIFY if justify else 0,
    )
    doc.build([Paragraph(text, style) for text in paragraphs])
    return buffer.getvalue()
