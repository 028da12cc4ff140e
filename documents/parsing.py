"""PDF parsing with pypdfium2: validity checks, page labels, and page text with table rows
kept on one line.

pdfium's own text order follows the content stream, which keeps prose columns in reading
order and, when a table is drawn row by row, a row on one line. When a producer draws a table
column by column, pdfium emits one cell per line; those short lines are merged back into rows
by their position on the page (same baseline, left to right). Headings (type larger than the
page's body text, or bold) are marked with a leading "## " so chunking can give every chunk
its nearest heading; the font is read once per line, which keeps parsing near raw speed.
"""

import ctypes
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ragplatform.exceptions import DomainError

PDF_MAGIC = b"%PDF-"


class PdfRejected(DomainError):
    """A file that cannot be ingested, with a reason the uploader can act on."""

    code = "invalid_pdf"
    status_code = 400


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    title: str


@dataclass(frozen=True)
class ParsedPage:
    number: int  # physical, 1-based
    label: str  # printed label from the PDF's /PageLabels, "" when it has none
    text: str  # one line per visual line; table rows stay on one line


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open(data: bytes) -> pdfium.PdfDocument:
    if not data:
        raise PdfRejected("The file is empty.", code="empty_file")
    if PDF_MAGIC not in data[:1024]:
        raise PdfRejected("This is not a PDF (no %PDF- header).", code="not_a_pdf")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if pdfium_c.FPDF_GetLastError() == pdfium_c.FPDF_ERR_PASSWORD:
            raise PdfRejected(
                "The PDF is encrypted with a password; upload an unprotected copy.",
                code="encrypted_pdf",
            ) from exc
        raise PdfRejected(
            f"The PDF is damaged or truncated and cannot be read ({exc}).", code="corrupt_pdf"
        ) from exc


def _title(pdf: pdfium.PdfDocument, filename: str) -> str:
    try:
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    except pdfium.PdfiumError:
        title = ""
    # Producer defaults ("Microsoft Word - x.docx", "untitled") say nothing about the content.
    if not title or title.lower() in {"untitled", "anonymous"} or " - " in title[:20]:
        stem = PurePath(filename).stem
        title = re.sub(r"[_\-]+", " ", stem).strip() or filename
    return title[:500]


def inspect_pdf(data: bytes, *, filename: str, max_pages: int) -> PdfInfo:
    """Open the PDF and check it can be ingested; raises PdfRejected with the reason."""
    pdf = _open(data)
    try:
        pages = len(pdf)
        if pages == 0:
            raise PdfRejected("The PDF has no pages.", code="empty_pdf")
        if pages > max_pages:
            raise PdfRejected(
                f"The PDF has {pages} pages; the limit is {max_pages}.", code="too_many_pages"
            )
        return PdfInfo(pages=pages, title=_title(pdf, filename))
    finally:
        pdf.close()


# Lines longer than this are prose and are never merged with their neighbours; shorter ones
# may be cells of a table drawn column by column, which pdfium emits one cell per line.
_CELL_MAX_CHARS = 80


def _char_box(textpage: pdfium.PdfTextPage, index: int) -> tuple[float, float, float, float]:
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pdfium_c.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
    return left.value, right.value, bottom.value, top.value


@dataclass
class _Row:
    top: float
    bottom: float
    parts: list[tuple[float, float, str]]  # (left, right, text)
    size: float
    first: int  # text index of the row's first character; -1 for long prose lines


HEADING_MARK = "## "


_FONT_NAME = ctypes.create_string_buffer(96)
_FONT_FLAGS = ctypes.c_int()


def _is_bold(textpage: pdfium.PdfTextPage, index: int) -> bool:
    pdfium_c.FPDFText_GetFontInfo(textpage, index, _FONT_NAME, len(_FONT_NAME), _FONT_FLAGS)
    name = _FONT_NAME.value.lower()
    return b"bold" in name or b"black" in name


def _looks_like_heading(line: str) -> bool:
    if not 2 <= len(line) <= 90 or "  " in line or line[-1] in ",;" or not line[0].isalnum():
        return False
    # "Note 12" is a heading; "Total revenue 1,482.3 1,301.7" (a bold table row) is not.
    if len(line.split()) > 14 or len(re.findall(r"\d[\d,.]*", line)) > 1:
        return False
    return sum(ch.isdigit() for ch in line) <= len(line) * 0.3


def _page_lines(textpage: pdfium.PdfTextPage) -> list[str]:
    """pdfium's lines, with same-baseline short lines (table cells) merged into one row and
    headings (larger or bold type) marked with a leading "## "."""
    text = textpage.get_text_range()
    rows: list[_Row] = []
    bands: dict[int, list[_Row]] = {}
    sizes: Counter[float] = Counter()
    offset = 0
    for raw_line in text.split("\r\n"):
        start, offset = offset, offset + len(raw_line) + 2
        line = " ".join(raw_line.split())
        if not line:
            continue
        first = start + (len(raw_line) - len(raw_line.lstrip()))
        size = pdfium_c.FPDFText_GetFontSize(textpage, first)
        sizes[round(size, 1)] += len(line)
        if len(line) > _CELL_MAX_CHARS:
            rows.append(_Row(top=0, bottom=0, parts=[(0, 0, line)], size=size, first=-1))
            continue
        last = start + len(raw_line.rstrip()) - 1
        left, _, bottom, top = _char_box(textpage, first)
        _, right, bottom2, top2 = _char_box(textpage, last)
        bottom, top = min(bottom, bottom2), max(top, top2)
        middle = (top + bottom) / 2
        key = int(middle // 4)
        row = next(
            (
                r
                for k in (key - 1, key, key + 1)
                for r in bands.get(k, ())
                if r.bottom <= middle <= r.top
                and all(right <= pl + 1 or left >= pr - 1 for pl, pr, _ in r.parts)
            ),
            None,
        )
        if row is None:
            row = _Row(top=top, bottom=bottom, parts=[], size=size, first=first)
            rows.append(row)
            bands.setdefault(key, []).append(row)
        row.parts.append((left, right, line))
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    lines = []
    for row in rows:
        line = _join(row.parts)
        # The font name (for bold) is read only for lines that could be headings.
        if (
            len(row.parts) == 1
            and row.first >= 0
            and _looks_like_heading(line)
            and (
                row.size >= body * 1.1
                or (row.size >= body * 0.95 and _is_bold(textpage, row.first))
            )
        ):
            line = HEADING_MARK + line
        lines.append(line)
    return lines


def _join(parts: list[tuple[float, float, str]]) -> str:
    if len(parts) == 1:
        return parts[0][2]
    parts.sort()
    out = [parts[0][2]]
    for (_, previous_right, _), (left, _, text) in itertools.pairwise(parts):
        # A wide gap is a table column: two spaces keep the row readable in snippets.
        out.append("  " if left - previous_right > 8 else " ")
        out.append(text)
    return "".join(out)


def extract_pages(data: bytes) -> Iterator[ParsedPage]:
    """Each page's text, in page order. The PDF must already have passed inspect_pdf."""
    pdf = _open(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = "\n".join(_page_lines(textpage))
                finally:
                    textpage.close()
            finally:
                page.close()
            try:
                label = pdf.get_page_label(index) or ""
            except pdfium.PdfiumError:
                label = ""
            yield ParsedPage(number=index + 1, label=label.strip()[:64], text=text)
    finally:
        pdf.close()


_DIGITS = re.compile(r"\d+")
EDGE_LINES = 3


def boilerplate_key(line: str) -> str:
    """A line's identity for header/footer detection: case, spacing and numbers ignored."""
    return _DIGITS.sub("#", " ".join(line.removeprefix(HEADING_MARK).lower().split()))


def find_boilerplate(pages: list[str]) -> list[str]:
    """Keys of running headers/footers: lines near the top or bottom of many pages (a fifth
    of them, and at least 3) that are either identical on every page or differ only by a
    page number that advances with the page. Headings and a table's year row never count.
    """
    if len(pages) < 3:
        return []
    seen: dict[str, list[tuple[int, str]]] = {}
    for number, text in enumerate(pages, start=1):
        lines = [line for line in text.split("\n") if line.strip()]
        for line in {*lines[:EDGE_LINES], *lines[-EDGE_LINES:]}:
            if not line.startswith(HEADING_MARK):
                seen.setdefault(boilerplate_key(line), []).append((number, line))
    threshold = max(3, len(pages) // 5)
    return sorted(
        key
        for key, occurrences in seen.items()
        if len(occurrences) >= threshold and _repeats(key, occurrences)
    )


def _repeats(key: str, occurrences: list[tuple[int, str]]) -> bool:
    if key.count("#") > 1 and not key.strip("# ,.$()|"):
        return False  # "2024  2023": a table's column header, not a running header
    if len({line for _, line in occurrences}) == 1:
        return True
    # Varying numbers: a page-number footer's last number moves with the physical page.
    offsets = Counter()
    for number, line in occurrences:
        numbers = _DIGITS.findall(line)
        if numbers:
            offsets[int(numbers[-1]) - number] += 1
    return bool(offsets) and offsets.most_common(1)[0][1] >= len(occurrences) * 0.8
