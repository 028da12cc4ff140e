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


# --- cover pages (fictional companies, laid out as real filings print them) ----------------


def cover_10k(
    *,
    company: str = "ACME WIDGETS CORPORATION",
    year_ended: str = "December 31, 2023",
    ticker: str = "ACMW",
) -> list[str]:
    """An SEC Form 10-K cover page: the registrant above its "(Exact name…)" label."""
    return [
        "# UNITED STATES",
        "# SECURITIES AND EXCHANGE COMMISSION",
        "Washington, D.C. 20549",
        "# FORM 10-K",
        "(Mark One)",
        "[X] ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE",
        "SECURITIES EXCHANGE ACT OF 1934",
        f"For the fiscal year ended {year_ended}",
        "OR",
        "[ ] TRANSITION REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE",
        "SECURITIES EXCHANGE ACT OF 1934",
        "For the transition period from ____ to ____",
        "Commission File Number 001-99999",
        f"# {company}",
        "(Exact name of registrant as specified in its charter)",
        "Delaware 12-3456789",
        "(State or other jurisdiction of incorporation)  (I.R.S. Employer Identification No.)",
        "100 Main Street, Springfield, Illinois 62701",
        "(Address of principal executive offices)",
        "Securities registered pursuant to Section 12(b) of the Act:",
        "Title of each class Trading Symbol(s) Name of each exchange on which registered",
        f"Common Stock, $0.01 par value {ticker} New York Stock Exchange",
        "Indicate by check mark if the registrant is a well-known seasoned issuer. Yes [X]",
        "Indicate by check mark whether the registrant has filed all reports required by",
        "Section 13 or 15(d) in the preceding 12 months, or in this Form 10-K.",
        "Form 10-K. [X]",
    ]


def cover_10q(*, company: str = "Globex Financial Corp.", period_ended: str = "June 30, 2024"):
    """A Form 10-Q cover page; the date printed below its phrase, beside the file number."""
    return [
        "# UNITED STATES",
        "# SECURITIES AND EXCHANGE COMMISSION",
        "Washington, D.C. 20549",
        "# FORM 10-Q",
        "Quarterly report pursuant to Section 13 or 15(d) of",
        "the Securities Exchange Act of 1934",
        "For the quarterly period ended Commission file",
        f"{period_ended} number 1-12345",
        f"# {company}",
        "(Exact name of registrant as specified in its charter)",
        "Delaware 98-7654321",
        "Title of each class Trading Symbol(s) Name of each exchange on which registered",
        "Common stock GLBX The New York Stock Exchange",
    ]


def cover_8k(*, company: str = "Initech, Inc.", reported: str = "May 3, 2023"):
    """A Form 8-K cover page: a current report dated by its event, no fiscal period."""
    return [
        "# UNITED STATES",
        "# SECURITIES AND EXCHANGE COMMISSION",
        "WASHINGTON, D.C. 20549",
        "# FORM 8-K",
        "# CURRENT REPORT",
        "Pursuant to Section 13 or 15(d) of the Securities Exchange Act of 1934",
        f"Date of Report (Date of earliest event reported): {reported}",
        f"# {company}",
        "(Exact name of registrant as specified in its charter)",
        "North Carolina 1-1183 13-1584302",
        "Item 5.07. Submission of Matters to a Vote of Security Holders.",
    ]


def earnings_release_page(*, company: str = "Umbrella Foods, Inc.", ticker: str = "UMBF"):
    """The first page of a quarterly earnings release."""
    short = company.split(",")[0]
    return [
        f"# {short} Reports Second-Quarter 2024 Results; Raises Full-Year Guidance",
        "Reported (GAAP) Second-Quarter 2024 Results",
        "Net revenue growth 6.1%",
        "Earnings per share (EPS) $2.10",
        f"SPRINGFIELD, Ill. - July 23, 2024 - {company} (NASDAQ: {ticker}) today reported",
        "results for the second quarter 2024, the 12 weeks ended June 15, 2024.",
        "Please refer to our Quarterly Report on Form 10-Q for the 12 weeks ended",
        "June 15, 2024, filed with the SEC, for additional information.",
    ]


def annual_report_cover(*, company: str = "Harbour Minerals Limited"):
    """The cover of an annual report that is not an SEC form (an Australian company's)."""
    return [
        f"# {company}",
        "# Annual Report 2023/24",
        "For the year ended 30 June 2024. ABN 98 765 432 109.",
        "Chair's letter: the Group reported record results from its lithium operations.",
    ]


def nothing_to_find_page() -> list[str]:
    """A page with no company, form or period on it."""
    return [
        "# Meeting notes",
        "We discussed the office move and the new coffee machine.",
        "Action: everyone brings a mug on Monday.",
    ]


# --- financial tables (drawn as 10-K statements are: label left, figures right-aligned) ----

TABLE_FIGURE_RIGHTS = (400, 470, 540)  # x where each year's figures end


def statement_pdf(
    pages: list[list[tuple[str, tuple[str, ...] | None, int]]],
    *,
    title: str = "Consolidated Statements of Operations",
    unit_line: str | None = "(in millions, except per share data)",
    years: tuple[str, ...] = ("2023", "2022", "2021"),
    years_row_above: bool = False,
    caption: str | None = None,
    prose_after: list[str] = (),
    titles: tuple[str, ...] = (),
    unit_below: bool = False,
    centred_line: str | None = None,
) -> bytes:
    """A statement over one or more pages: each row is (label, figures or None for a section
    row, indent level). The title and unit line head the first page; the column header of
    years repeats on every page, as a table continued on the next page prints it. With
    `years_row_above` the years sit on a row of their own above the figures (real 10-Ks);
    otherwise the unit line and the years share a row. `caption` ("Years ended December
    31") is printed left, above the header. `titles` gives every page a title (and unit
    line) of its own: one table per page. With `unit_below` the unit line is centred over
    the figures under the years (as some 10-Ks print it); `centred_line` is a plain line
    centred on the page between the title and the header (a second title)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    _, height = A4
    rights = TABLE_FIGURE_RIGHTS[-len(years) :]
    for number, rows in enumerate(pages, start=1):
        y = height - 70
        starts = number == 1 or bool(titles)
        if starts:
            pdf.setFont("Helvetica-Bold", 14)
            pdf.drawString(60, y, titles[number - 1] if titles else title)
            y -= 22
            if caption:
                pdf.setFont("Helvetica", 9)
                pdf.drawString(60, y, caption)
                y -= 13
        pdf.setFont("Helvetica", 9)
        if centred_line and starts:
            pdf.drawCentredString(A4[0] / 2, y, centred_line)
            y -= 16
        if unit_line and starts and not unit_below:
            pdf.drawString(60, y, unit_line)
            if years_row_above:
                y -= 13
        for year, right in zip(years, rights, strict=True):
            pdf.drawRightString(right, y, year)
        y -= 16
        if unit_line and starts and unit_below:
            pdf.drawCentredString((rights[0] + rights[-1]) / 2 - 20, y, unit_line)
            y -= 16
        for label, figures, indent in rows:
            pdf.drawString(60 + indent * 12, y, label)
            for figure, right in zip(figures or (), rights, strict=False):
                pdf.drawRightString(right, y, figure)
            y -= 13
        y -= 10
        for line in prose_after if number == len(pages) else ():
            pdf.drawString(60, y, line)
            y -= 13
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
