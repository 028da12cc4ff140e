"""A document's page as a PNG, rendered with pypdfium2, with chunks' line boxes highlighted.

The request is checked first (the tenant's ready document, the page in range, highlight
chunks of this document), which fixes an ETag without rendering: a client that sends it
back gets 304, another client gets the bytes from the page-image cache, and only a first
request renders. pdfium is not thread-safe, so every call into it holds one lock; opened
PDFs are kept (a few per process) so consecutive pages of a filing skip the storage read.
"""

import hashlib
import io
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import pypdfium2 as pdfium
import structlog
from django.conf import settings
from django.core.cache import caches
from PIL import Image, ImageChops

from documents import storage
from documents.models import Chunk, Document
from documents.selectors import DocumentNotReady, document_get
from ragplatform.exceptions import DomainError, NotFound

log = structlog.get_logger(__name__)

# Part of every ETag: change it when the drawing changes, so cached images are not reused.
RENDER_VERSION = "1"
# A highlighter's yellow, multiplied into the page so the text stays black on it.
HIGHLIGHT_RGB = (255, 226, 64)
# Pixels added around each line box (the boxes are tight to the font's ascent and descent).
HIGHLIGHT_PAD_PX = 2
OPEN_PDFS = 4


class PageImageInvalid(DomainError):
    code = "invalid_page_image"
    status_code = 400


@dataclass(frozen=True)
class PageImage:
    """A checked request for a page image: what to draw, and the ETag of the result."""

    document: Document
    number: int
    width: int
    boxes: tuple[tuple[float, float, float, float], ...]

    @property
    def etag(self) -> str:
        # The document's id (one tenant's) as well as its bytes: two tenants with the same
        # PDF never share an ETag or a cached image.
        key = json.dumps(
            [
                RENDER_VERSION,
                str(self.document.pk),
                self.document.sha256,
                self.number,
                self.width,
                self.boxes,
            ]
        )
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


# One `highlight` value: chunk ids, comma-separated, nothing else (ASCII digits: int() would
# refuse some of what str.isdigit() takes).
CHUNK_IDS_PATTERN = re.compile(r"^[0-9]{1,18}(,[0-9]{1,18})*$")


def parse_chunk_ids(values: list[str]) -> list[int]:
    """Chunk ids from `highlight` query values (comma-separated and/or repeated)."""
    ids = []
    for value in values:
        if not CHUNK_IDS_PATTERN.fullmatch(value):
            raise PageImageInvalid(
                f"highlight must be chunk ids (the citations' chunk_id), comma-separated, "
                f"not {value[:40]!r}."
            )
        ids += [int(part) for part in value.split(",")]
    limit = settings.PAGE_IMAGE_MAX_HIGHLIGHTS
    if len(ids) > limit:
        raise PageImageInvalid(f"{len(ids)} highlight ids; the limit is {limit}.")
    return list(dict.fromkeys(ids))


def page_image_request(
    *, tenant, document_id, number: int, width: int | None, highlight: list[int]
) -> PageImage:
    """Check a page-image request: the tenant's document (404 otherwise), ready (409), the
    page in range (404), and highlight ids that are chunks of this document (400, the same
    for another tenant's chunk as for one that never existed). `width` is capped."""
    document = document_get(tenant=tenant, document_id=document_id)
    if document.status != Document.Status.READY:
        raise DocumentNotReady(
            f"The document is {document.status}; its pages can be drawn once it is ready."
        )
    if not 1 <= number <= document.pages_total:
        raise NotFound(
            f"Page {number} is not in this document: it has {document.pages_total} page(s).",
            code="page_not_found",
        )
    width = settings.PAGE_IMAGE_DEFAULT_WIDTH if width is None else width
    if width < settings.PAGE_IMAGE_MIN_WIDTH:
        raise PageImageInvalid(
            f"width must be at least {settings.PAGE_IMAGE_MIN_WIDTH} pixels.", code="invalid_width"
        )
    width = min(width, settings.PAGE_IMAGE_MAX_WIDTH)
    found = dict(
        Chunk.objects.for_tenant(tenant)
        .filter(document=document, id__in=highlight)
        .values_list("id", "boxes")
    )
    missing = [chunk_id for chunk_id in highlight if chunk_id not in found]
    if missing:
        raise PageImageInvalid(
            f"No such chunk in this document: {', '.join(map(str, missing[:10]))}.",
            code="unknown_highlight",
        )
    boxes = []
    for chunk_id in highlight:
        for box in found[chunk_id].get(str(number), []):
            if (box := tuple(box)) not in boxes:
                boxes.append(box)
    return PageImage(document=document, number=number, width=width, boxes=tuple(boxes))


_lock = threading.Lock()
_open: OrderedDict[tuple[str, str], pdfium.PdfDocument] = OrderedDict()


def _pdf(document: Document) -> pdfium.PdfDocument:
    """The opened PDF (call with _lock held); the least recently used one is closed."""
    key = (str(document.pk), document.sha256)
    pdf = _open.get(key)
    if pdf is not None:
        _open.move_to_end(key)
        return pdf
    try:
        data = storage.pdf_read(key=document.storage_key)
    except OSError as exc:
        raise NotFound("The document's file is no longer stored.", code="file_missing") from exc
    pdf = pdfium.PdfDocument(data)
    _open[key] = pdf
    while len(_open) > OPEN_PDFS:
        _, evicted = _open.popitem(last=False)
        evicted.close()
    return pdf


def _render(image: PageImage) -> bytes:
    with _lock:
        page = _pdf(image.document)[image.number - 1]
        try:
            width, height = page.get_size()  # as displayed: crop box, rotation applied
            scale = min(image.width / width, settings.PAGE_IMAGE_MAX_HEIGHT / height)
            bitmap = page.render(scale=scale)
            picture = bitmap.to_pil().convert("RGB")
        finally:
            page.close()
    size_x, size_y = picture.size
    for x0, y0, x1, y1 in image.boxes:
        area = (
            max(0, int(x0 * size_x) - HIGHLIGHT_PAD_PX),
            max(0, int(y0 * size_y) - HIGHLIGHT_PAD_PX),
            min(size_x, int(x1 * size_x + 0.999) + HIGHLIGHT_PAD_PX),
            min(size_y, int(y1 * size_y + 0.999) + HIGHLIGHT_PAD_PX),
        )
        if area[2] > area[0] and area[3] > area[1]:
            region = picture.crop(area)
            tint = Image.new("RGB", region.size, HIGHLIGHT_RGB)
            picture.paste(ImageChops.multiply(region, tint), area)
    out = io.BytesIO()
    # Level 1: about a third of level 6's time for a few per cent more bytes on text pages.
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def page_image_png(image: PageImage) -> bytes:
    """The PNG for a checked request, from the page-image cache or rendered now."""
    cache = caches[settings.PAGE_IMAGE_CACHE]
    key = f"page-image:{image.etag.strip(chr(34))}"
    png = cache.get(key)
    if png is None:
        png = _render(image)
        cache.set(key, png, settings.PAGE_IMAGE_CACHE_SECONDS)
        log.info(
            "page_image.rendered",
            document_id=str(image.document.pk),
            page=image.number,
            width=image.width,
            highlights=len(image.boxes),
            bytes=len(png),
        )
    return png
