"""Where a cited passage is drawn: the boxes of its lines, from the chunks' line boxes.

A chunk's `boxes` hold one box per line of its text, per page (documents/chunking.py), so
the lines of a citation's snippet map to boxes without reading the PDF again.
"""

from documents.models import Chunk


def _chunk_lines(text: str, boxes: dict) -> list[tuple[str, int | None, list | None]]:
    """(line, page, box) for each non-empty line of a chunk; page and box None when the
    chunk has no boxes (ingested before they were kept)."""
    lines = text.split("\n")
    placed = [(int(page), box) for page in sorted(boxes, key=int) for box in boxes[page]]
    if len(placed) != len(lines):
        placed = [(None, None)] * len(lines)
    return [(line, page, box) for line, (page, box) in zip(lines, placed, strict=True) if line]


def _snippet_span(lines: list[str], snippet: str) -> tuple[int, int] | None:
    """The first run of consecutive lines whose space-joined text starts with the snippet
    (selectors.best_snippet joins whole lines and may cut the last one at a word)."""
    target = snippet.removesuffix("…").strip()
    if not target:
        return None
    for start in range(len(lines)):
        joined = ""
        for end in range(start, len(lines)):
            joined = lines[end] if end == start else f"{joined} {lines[end]}"
            if joined.startswith(target):
                return start, end
            if not target.startswith(joined):
                break
    return None


def _grouped(placed) -> list[dict]:
    """[{page, boxes}] by page, each box once (chunks overlap, and a line split for size
    repeats its box)."""
    pages: dict[int, list[list[float]]] = {}
    for page, box in placed:
        if page is not None and box not in pages.setdefault(page, []):
            pages[page].append(box)
    return [{"page": page, "boxes": boxes} for page, boxes in sorted(pages.items()) if boxes]


def passages_highlights(*, tenant, passages: list[tuple[tuple[int, ...], str]]) -> list[list]:
    """For each (chunk ids in reading order, snippet): the highlights of the snippet's lines,
    `[{page, boxes: [[x0, y0, x1, y1], …]}]`, or of the first chunk when the snippet is not
    found line by line; [] when the chunks have no boxes. One query for all passages."""
    wanted = {chunk_id for chunk_ids, _ in passages for chunk_id in chunk_ids}
    rows = {
        chunk_id: (text, boxes)
        for chunk_id, text, boxes in Chunk.objects.for_tenant(tenant)
        .filter(id__in=wanted)
        .values_list("id", "text", "boxes")
    }
    out = []
    for chunk_ids, snippet in passages:
        per_chunk = [_chunk_lines(*rows[c]) for c in chunk_ids if c in rows]
        lines = [line for chunk in per_chunk for line in chunk]
        span = _snippet_span([text for text, _, _ in lines], snippet)
        if span is not None:
            chosen = lines[span[0] : span[1] + 1]
        else:
            chosen = per_chunk[0] if per_chunk else []
        out.append(_grouped((page, box) for _, page, box in chosen))
    return out
