"""PDF parsing with pypdfium2: validity checks, page labels, and page text with table rows
kept on one line.

pdfium's own text order follows the content stream, which keeps prose columns in reading
order and, when a table is drawn row by row, a row on one line. When a producer draws a table
column by column, pdfium emits one cell per line; those short lines are merged back into rows
by their position on the page (same baseline, left to right), except across a column gutter:
prose set in two or three columns comes out column by column (see _column_gutters). Headings
(type larger than the page's body text, or bold) are marked with a leading "## " so chunking
can give every chunk its nearest heading; the font is read once per line, which keeps parsing
near raw speed.
"""

import ctypes
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
    # One box per line of `text`, [x0, y0, x1, y1] as fractions of the page as displayed
    # (crop box, rotation applied; origin top-left): where the line is drawn.
    boxes: tuple[tuple[float, float, float, float], ...] = ()
    # Per line of `text`: its words with their boxes when the line may be a table's row or
    # column header (it has a figure or a period word), else None; what documents/tables.py
    # reads tables from. Boxes in PDF user space: `frame` turns one into the frame of
    # `boxes`, so only the words a table uses pay for it.
    words: tuple[tuple[tuple[str, tuple[float, float, float, float]], ...] | None, ...] = ()
    frame: Callable[[tuple], tuple[float, float, float, float]] | None = field(
        default=None, compare=False, repr=False
    )


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


@dataclass(slots=True)
class _Row:
    """Short lines on one baseline: one line of the page, or the cells of a table row."""

    top: float
    bottom: float
    # (left, right, text, slot, first, box, last): slot is how many entries the page had
    # when the line was read, first the text index of its first character; both keep stream
    # order when a row is split at a column gutter. box is the line's loose box
    # (_loose_box), last the text index of its last character.
    parts: list[tuple[float, float, str, int, int, tuple, int]]
    size: float
    first: int  # text index of the row's first character


HEADING_MARK = "## "


def _is_bold(handle, index: int, name: ctypes.Array) -> bool:
    pdfium_c.FPDFText_GetFontInfo(handle, index, name, len(name), None)
    font = name.value.lower()
    return b"bold" in font or b"black" in font


_NUMBER = re.compile(r"\d[\d,.]*")


def _looks_like_heading(line: str) -> bool:
    if not 2 <= len(line) <= 90 or "  " in line or line[-1] in ",;" or not line[0].isalnum():
        return False
    # "Note 12" is a heading; "Total revenue 1,482.3 1,301.7" (a bold table row) is not.
    if len(line.split()) > 14 or len(_NUMBER.findall(line)) > 1:
        return False
    return sum(map(str.isdigit, line)) <= len(line) * 0.3


Box = tuple[float, float, float, float]  # (left, bottom, right, top) in PDF user space


def _loose_box(handle, rect: pdfium_c.FS_RECTF, first: int, last: int) -> Box:
    """The box from character `first` to `last` of one line: their loose boxes (the font's
    ascent to descent, so a highlight covers the line as a reader sees it)."""
    pdfium_c.FPDFText_GetLooseCharBox(handle, first, rect)
    left, top, bottom = rect.left, rect.top, rect.bottom
    pdfium_c.FPDFText_GetLooseCharBox(handle, last, rect)
    return (
        min(left, rect.left),
        min(bottom, rect.bottom),
        max(rect.right, left),
        max(top, rect.top),
    )


def _union(boxes) -> Box:
    lefts, bottoms, rights, tops = zip(*boxes, strict=True)
    return min(lefts), min(bottoms), max(rights), max(tops)


Segments = tuple[tuple[int, int], ...]  # (first, last) text indices of a line's pieces


def _page_lines(textpage: pdfium.PdfTextPage, text: str) -> list[tuple[str, Box, Segments]]:
    """pdfium's lines, with same-baseline short lines (table cells) merged into one row and
    headings (larger or bold type) marked with a leading "## ", each with its box and the
    text indices of its pieces, left to right. `text` is the page's text (get_text_range)."""
    # Most lines are prose (longer than _CELL_MAX_CHARS): one font-size call each, for the
    # page's body size, and two box calls. Only short lines pay for tight character boxes,
    # row merging and the heading test.
    handle = textpage.raw
    font_size = pdfium_c.FPDFText_GetFontSize
    char_box = pdfium_c.FPDFText_GetCharBox
    box = [ctypes.c_double() for _ in range(4)]
    left_, right_, bottom_, top_ = box
    rect = pdfium_c.FS_RECTF()
    # Prose lines as they are (line, box, segments), short ones as rows.
    entries: list[tuple[str, Box, Segments] | _Row] = []
    bands: dict[int, list[_Row]] = {}
    sizes: dict[float, int] = {}  # characters per exact font size
    prose_starts: list[int] = []  # text index of each prose line, for _column_gutters
    merged = False
    offset = 0
    for raw_line in text.split("\r\n"):
        start = offset
        offset += len(raw_line) + 2
        # Most lines are normal already; str.isprintable() is False for every whitespace
        # character but " ", so this skips " ".join(raw_line.split()) only when it is a no-op.
        if (
            raw_line.isprintable()
            and "  " not in raw_line
            and raw_line[:1] != " "
            and raw_line[-1:] != " "
        ):
            line = raw_line
        else:
            line = " ".join(raw_line.split())
        if not line:
            continue
        first = start + len(raw_line) - len(raw_line.lstrip()) if raw_line[0].isspace() else start
        last = start + len(raw_line.rstrip()) - 1
        size = font_size(handle, first)
        sizes[size] = sizes.get(size, 0) + len(line)
        if len(line) > _CELL_MAX_CHARS:
            entries.append((line, _loose_box(handle, rect, first, last), ((first, last),)))
            prose_starts.append(start)
            continue
        char_box(handle, first, *box)
        left, bottom, top = left_.value, bottom_.value, top_.value
        char_box(handle, last, *box)
        right = right_.value
        bottom, top = min(bottom, bottom_.value), max(top, top_.value)
        middle = (top + bottom) / 2
        key = int(middle // 4)
        row = _row_for(bands, key, middle, left, right)
        slot = len(entries)
        if row is None:
            row = _Row(top=top, bottom=bottom, parts=[], size=size, first=first)
            entries.append(row)
            bands.setdefault(key, []).append(row)
        else:
            merged = True
        row.parts.append(
            (left, right, line, slot, first, _loose_box(handle, rect, first, last), last)
        )
    if merged:
        gutters = _column_gutters(entries, textpage, text, prose_starts)
        if gutters:
            entries = _split_at_gutters(entries, gutters, handle)
    body = _body_size(sizes)
    font_name = ctypes.create_string_buffer(96)
    lines = []
    for entry in entries:
        if entry.__class__ is tuple:
            lines.append(entry)
            continue
        line = _join(entry.parts)
        # The font name (for bold) is read only for lines that could be headings.
        if (
            len(entry.parts) == 1
            and entry.size >= body * 0.95
            and _looks_like_heading(line)
            and (entry.size >= body * 1.1 or _is_bold(handle, entry.first, font_name))
        ):
            line = HEADING_MARK + line
        parts = entry.parts
        lines.append(
            (
                line,
                parts[0][5] if len(parts) == 1 else _union(p[5] for p in parts),
                tuple((p[4], p[6]) for p in parts),  # sorted left to right by _join
            )
        )
    return lines


def _row_for(
    bands: dict[int, list[_Row]], key: int, middle: float, left: float, right: float
) -> _Row | None:
    """The first row on this baseline (its box spans `middle`) that no part overlaps."""
    for k in (key - 1, key, key + 1):
        for row in bands.get(k, ()):
            if row.bottom <= middle <= row.top and all(
                right <= part_left + 1 or left >= part_right - 1
                for part_left, part_right, *_ in row.parts
            ):
                return row
    return None


def _body_size(sizes: dict[float, int]) -> float:
    """The font size (to 0.1 pt) of most of the page's characters; the first on a tie."""
    rounded: dict[float, int] = {}
    for size, count in sizes.items():
        key = round(size, 1)
        rounded[key] = rounded.get(key, 0) + count
    return max(rounded, key=rounded.__getitem__) if rounded else 0.0


def _join(parts: list[tuple]) -> str:
    if len(parts) == 1:
        return parts[0][2]
    parts.sort()
    out = [parts[0][2]]
    for (_, previous_right, *_), (left, _, text, *_) in itertools.pairwise(parts):
        # A wide gap is a table column: two spaces keep the row readable in snippets.
        out.append("  " if left - previous_right > 8 else " ")
        out.append(text)
    return "".join(out)


# A column gutter is at least this wide (points; a word space is about 3) and is seen between
# lines of text on at least this many rows.
_GUTTER_MIN_WIDTH = 8.0
_GUTTER_MIN_ROWS = 3


@dataclass(frozen=True, slots=True)
class _Gutter:
    """The x-range between two text columns, and the heights (exclusive) where it holds."""

    left: float
    right: float
    low: float
    high: float


def _is_prose(text: str) -> bool:
    """Several words of running text: a line of a text column, not a table cell."""
    return len(text) >= 20 and text.count(" ") >= 3 and sum(map(str.isdigit, text)) * 5 < len(text)


def _is_figure(text: str) -> bool:
    """A table cell: a figure ("1,482.3", "(842.1)", "12.4%", "FY24", "$", "—") or a tiny one."""
    return len(text) <= 3 or sum(map(str.isalpha, text)) * 2 < len(text) - text.count(" ")


def _column_gutters(
    entries: list[tuple[str, Box, Segments] | _Row],
    textpage: pdfium.PdfTextPage,
    text: str,
    prose_starts: list[int],
) -> list[_Gutter]:
    """The gutters between prose columns on the page, if it sets text in columns.

    Evidence for a gutter is a merged row with text on both sides of a wide gap, prose
    (`_is_prose`) on at least one side and no figure (`_is_figure`) on either: the left and
    right column lines that share a baseline (one of them may end a paragraph). Gaps that
    overlap on at least _GUTTER_MIN_ROWS rows make one gutter, the x-range they all share:
    from the longest left-column line to where the next column starts (three columns: two
    gutters). A gutter holds above and below its evidence rows up to the first line that
    spans it (a full-width heading, paragraph or table row), so a page can have full-width
    text or tables above or below its columns. A table's rows of label and figures are no
    evidence, and are kept whole even across a gutter (`_row_pieces`).
    """
    rows = [entry for entry in entries if entry.__class__ is _Row]
    gaps: list[tuple[float, float, float]] = []  # (left, right, height of the row)
    for row in rows:
        if len(row.parts) < 2:
            continue
        row.parts.sort()
        for before, after in itertools.pairwise(row.parts):
            if (
                after[0] - before[1] >= _GUTTER_MIN_WIDTH
                and (_is_prose(before[2]) or _is_prose(after[2]))
                and not _is_figure(before[2])
                and not _is_figure(after[2])
            ):
                gaps.append((before[1], after[0], (row.top + row.bottom) / 2))
    if len(gaps) < _GUTTER_MIN_ROWS:
        return []
    gaps.sort(key=lambda gap: gap[0] + gap[1])
    clusters: list[tuple[float, float, list[float]]] = []
    for left, right, height in gaps:
        if clusters and left < clusters[-1][1] and right > clusters[-1][0]:
            shared_left, shared_right, heights = clusters[-1]
            heights.append(height)
            clusters[-1] = (max(shared_left, left), min(shared_right, right), heights)
        else:
            clusters.append((left, right, [height]))
    clusters = [cluster for cluster in clusters if len(cluster[2]) >= _GUTTER_MIN_ROWS]
    if not clusters:
        return []
    boxes = [
        (left, right, (row.top + row.bottom) / 2) for row in rows for left, right, *_ in row.parts
    ]
    boxes += (_prose_box(textpage, text, start) for start in prose_starts)
    gutters = []
    for gutter_left, gutter_right, heights in clusters:
        lowest, highest = min(heights), max(heights)
        low, high = float("-inf"), float("inf")
        for left, right, height in boxes:
            if left < gutter_left and right > gutter_right:  # spans the gutter
                if height < lowest:
                    low = max(low, height)
                elif height > highest:
                    high = min(high, height)
        gutters.append(_Gutter(gutter_left, gutter_right, low, high))
    return gutters


def _prose_box(textpage: pdfium.PdfTextPage, text: str, start: int) -> tuple[float, float, float]:
    """(left, right, height) of the prose line starting at index `start` of the page's text."""
    end = text.find("\r\n", start)
    line = text[start:] if end < 0 else text[start:end]
    first = start + len(line) - len(line.lstrip())
    left, bottom, _, top = textpage.get_charbox(first)
    _, _, right, _ = textpage.get_charbox(start + len(line.rstrip()) - 1)
    return left, right, (top + bottom) / 2


def _split_at_gutters(
    entries: list[tuple[str, Box, Segments] | _Row], gutters: list[_Gutter], handle
) -> list[tuple[str, Box, Segments] | _Row]:
    """The entries with each merged row cut where it crosses a gutter between two parts that
    are not figures; a cut-off piece moves to where its first line was in pdfium's order,
    which is reading order when each column is drawn top to bottom."""
    out: list[tuple[str, Box, Segments] | _Row] = []
    later: dict[int, list[tuple[int, _Row]]] = {}  # slot -> (first, piece)
    for index, entry in enumerate(entries):
        if index in later:
            out.extend(piece for _, piece in sorted(later.pop(index)))
        if entry.__class__ is _Row and len(entry.parts) > 1:
            pieces = _row_pieces(entry, gutters, handle)
            entry = pieces[0]
            for piece in pieces[1:]:
                slot = min(part[3] for part in piece.parts)
                later.setdefault(slot, []).append((piece.first, piece))
        out.append(entry)
    for slot in sorted(later):
        out.extend(piece for _, piece in sorted(later[slot]))
    return out


def _row_pieces(row: _Row, gutters: list[_Gutter], handle) -> list[_Row]:
    """The row cut at the gutters it crosses, pieces in the order pdfium read them."""
    height = (row.top + row.bottom) / 2
    here = [gutter for gutter in gutters if gutter.low < height < gutter.high]
    if not here:
        return [row]
    row.parts.sort()
    groups = [[row.parts[0]]]
    for before, after in itertools.pairwise(row.parts):
        # A column's lines end before the next column starts (the gutter's right), and the
        # next column's start after the longest line of evidence (its left).
        if (
            any(before[1] < gutter.right and after[0] > gutter.left for gutter in here)
            and not _is_figure(before[2])
            and not _is_figure(after[2])
        ):
            groups.append([after])
        else:
            groups[-1].append(after)
    if len(groups) == 1:
        return [row]
    pieces = []
    for parts in groups:
        first = min(part[4] for part in parts)
        size = pdfium_c.FPDFText_GetFontSize(handle, first)
        pieces.append(_Row(top=row.top, bottom=row.bottom, parts=parts, size=size, first=first))
    pieces.sort(key=lambda piece: piece.first)
    return pieces


# Normalised boxes keep 4 decimals: a tenth of a pixel on a page drawn 1,000 px wide.
BOX_DECIMALS = 4


def _page_frame(page: pdfium.PdfPage):
    """A function from a box in PDF user space to [x0, y0, x1, y1] as fractions of the page
    as it is displayed (pdfium's and PDF.js's view: the crop box, rotated by /Rotate),
    origin top-left, clamped to the page."""
    left, bottom, right, top = page.get_bbox()
    width, height = (right - left) or 1.0, (top - bottom) or 1.0
    rotation = page.get_rotation() % 360

    def upright(box: Box) -> tuple[float, float, float, float]:
        # rotation 0 (most pages), the same values as `frame` with fewer calls: it runs for
        # every line and every table figure.
        a = (box[0] - left) / width
        b = (box[2] - left) / width
        c = (top - box[3]) / height
        d = (top - box[1]) / height
        x0, x1 = (a, b) if a <= b else (b, a)
        y0, y1 = (c, d) if c <= d else (d, c)
        return (
            round(0.0 if x0 < 0.0 else 1.0 if x0 > 1.0 else x0, BOX_DECIMALS),
            round(0.0 if y0 < 0.0 else 1.0 if y0 > 1.0 else y0, BOX_DECIMALS),
            round(0.0 if x1 < 0.0 else 1.0 if x1 > 1.0 else x1, BOX_DECIMALS),
            round(0.0 if y1 < 0.0 else 1.0 if y1 > 1.0 else y1, BOX_DECIMALS),
        )

    def frame(box: Box) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        # Each rotation maps the user-space box onto the displayed page's fractions.
        if rotation == 90:
            xs, ys = (
                ((y0 - bottom) / height, (y1 - bottom) / height),
                (
                    (x0 - left) / width,
                    (x1 - left) / width,
                ),
            )
        elif rotation == 180:
            xs, ys = (
                ((right - x0) / width, (right - x1) / width),
                (
                    (y0 - bottom) / height,
                    (y1 - bottom) / height,
                ),
            )
        elif rotation == 270:
            xs, ys = (
                ((top - y0) / height, (top - y1) / height),
                (
                    (right - x0) / width,
                    (right - x1) / width,
                ),
            )
        else:
            xs, ys = (
                ((x0 - left) / width, (x1 - left) / width),
                (
                    (top - y0) / height,
                    (top - y1) / height,
                ),
            )
        return (
            round(min(max(min(xs), 0.0), 1.0), BOX_DECIMALS),
            round(min(max(min(ys), 0.0), 1.0), BOX_DECIMALS),
            round(min(max(max(xs), 0.0), 1.0), BOX_DECIMALS),
            round(min(max(max(ys), 0.0), 1.0), BOX_DECIMALS),
        )

    return upright if rotation == 0 else frame


# A line whose words get boxes: it has a figure, or a word of a column header ("Three Months
# Ended", "Fiscal Year", "(in millions)"). Other lines (prose, labels) are placed by their
# line box alone.
_TABLE_WORDS = re.compile(
    r"\d|ended|months|weeks|quarter|year|fiscal|thousands|millions|billions", re.IGNORECASE
)
_WORD = re.compile(r"\S+")
# Prose is longer than this; a longer line is a table row only when it ends with a figure.
_ROW_MAX_CHARS = 160
_ENDS_WITH_FIGURE = re.compile(r"\d[%)]?$|\)$|[\u2014\u2013-]$")


_FIGURE_WORD = re.compile(r"[\d$()%\u2014\u2013-]")
_YEAR_WORD = re.compile(r"^(FY)?(19|20)\d\d,?$")


def _line_words(textpage: pdfium.PdfTextPage, text: str, lines) -> tuple:
    """Each line's words and their boxes (documents/tables.py reads tables from them), for
    the lines that may belong to a table; None for the others (most of a prose page). A row
    that ends in figures gets boxes for its figures only (its label is placed by the line's
    box); a header line for every word."""
    handle = textpage.raw
    rect = pdfium_c.FS_RECTF()
    out = []
    for line, _, segments in lines:
        ends_with_figure = _ENDS_WITH_FIGURE.search(line) is not None
        if (
            len(line) > _CELL_MAX_CHARS and (len(line) > _ROW_MAX_CHARS or not ends_with_figure)
        ) or not _TABLE_WORDS.search(line):
            out.append(None)
            continue
        spans = [
            (match.group(), *match.span())
            for first, last in segments
            for match in _WORD.finditer(text, first, last + 1)
        ]
        if ends_with_figure:
            tail = len(spans)
            while tail and _FIGURE_WORD.search(spans[tail - 1][0]):
                tail -= 1
            # A header ending in years ("(in millions) Maturity Rate 2023 2022", "December
            # 31, 2020 December 31, 2019") keeps every word; prose ending in a year does not.
            years = sum(bool(_YEAR_WORD.match(word)) for word, _, _ in spans[tail:])
            if not (years >= 2 or (years and len(line) <= 60)):
                spans = spans[tail:]
        out.append(
            tuple((word, _loose_box(handle, rect, start, end - 1)) for word, start, end in spans)
        )
    return tuple(out)


def _page(pdf: pdfium.PdfDocument, index: int) -> pdfium.PdfPage:
    try:
        return pdf[index]
    except pdfium.PdfiumError as exc:
        # A page tree that loops or names a missing page: pdfium counts the page, cannot load it.
        raise PdfRejected(
            f"Page {index + 1} of the PDF is damaged and cannot be read.", code="corrupt_pdf"
        ) from exc


def extract_pages(data: bytes) -> Iterator[ParsedPage]:
    """Each page's text, its lines' boxes and its table words (ParsedPage.words), in page
    order. The PDF must already have passed inspect_pdf."""
    pdf = _open(data)
    try:
        for index in range(len(pdf)):
            page = _page(pdf, index)
            try:
                frame = _page_frame(page)
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                    lines = _page_lines(textpage, text)
                    words = _line_words(textpage, text, lines)
                finally:
                    textpage.close()
            finally:
                page.close()
            try:
                label = pdf.get_page_label(index) or ""
            except pdfium.PdfiumError:
                label = ""
            yield ParsedPage(
                number=index + 1,
                label=label.strip()[:64],
                text="\n".join(line for line, _, _ in lines),
                boxes=tuple(frame(box) for _, box, _ in lines),
                words=words,
                frame=frame,
            )
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
