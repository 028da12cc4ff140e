"""Malformed and hostile PDFs, made at test time: `corpus()` is every case as (name, category,
bytes), built in about a second, nothing stored (tests/test_hostile_pdfs.py, bench/hostile.py).

The cases start from a small valid filing made with reportlab (truncated, bytes flipped at
seeded positions) or are written as PDF syntax by `pdf()`, which keeps the cross-reference
table right unless a case breaks it on purpose.
"""

import functools
import io
import random
import zlib
from dataclasses import dataclass

from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from tests.data.pdf_factory import filler, make_pdf

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = b"BT /F1 12 Tf 72 720 Td (Hostile fixture page with a line of text) Tj ET"


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    data: bytes

    @property
    def filename(self) -> str:
        return f"{self.name}.pdf"


def pdf(objects: list[bytes], *, trailer: bytes = b"", header: bytes = HEADER) -> bytes:
    """A PDF of the given object bodies (object n is objects[n - 1]; object 1 the catalog),
    with a correct cross-reference table."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, length: bytes | None = None) -> bytes:
    length = b"%d" % len(data) if length is None else length
    return b"<< /Length %s %s >>\nstream\n%s\nendstream" % (length, extra, data)


def one_page(
    *,
    page_extra: bytes = b"",
    catalog_extra: bytes = b"",
    content: bytes = TEXT,
    resources: bytes = b"/Font << /F1 %s >>" % FONT,
    media_box: bytes = b"[0 0 612 792]",
    more: tuple[bytes, ...] = (),
    trailer: bytes = b"",
) -> bytes:
    """A one-page PDF with a line of text; `more` are objects 5, 6, ... for the extras."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R "
            b"/Resources << %s >> %s >>" % (media_box, resources, page_extra),
            stream(content),
            *more,
        ],
        trailer=trailer,
    )


@functools.cache
def valid_filing(tag: str = "base") -> bytes:
    """A small valid filing (three pages of text, a running header): what the damaged cases
    start from, and the good document of each test batch."""
    return make_pdf(
        [[f"# Hostile corpus {tag} part {n}", *filler(f"{tag} part {n}", 8)] for n in (1, 2, 3)],
        title=f"Hostile corpus {tag}",
        header="HOSTILE CORPUS FIXTURE",
    )


# --- damaged copies of a valid filing ------------------------------------------------------


def _truncated() -> list[Case]:
    base = valid_filing()
    cases = [
        Case(f"truncated-at-{share:02d}pct", "truncated", base[: len(base) * share // 100])
        for share in (1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99)
    ]
    xref = base.rindex(b"\nxref\n") + 1
    cases += [
        Case("truncated-in-xref", "truncated", base[: xref + 40]),
        Case("truncated-before-startxref", "truncated", base[: base.rindex(b"startxref")]),
        Case("truncated-no-eof-marker", "truncated", base[: base.rindex(b"%%EOF")]),
    ]
    return cases


def _flipped(data: bytes, spans: list[tuple[int, int]], *, seed: int, flips: int) -> bytes:
    """`flips` random bytes XOR-ed with a random non-zero value, inside `spans`."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        start, end = rng.choice(spans)
        out[rng.randrange(start, end)] ^= rng.randrange(1, 256)
    return bytes(out)


def _stream_spans(data: bytes) -> list[tuple[int, int]]:
    spans, at = [], 0
    while (start := data.find(b"stream\n", at)) >= 0:
        end = data.index(b"endstream", start)
        spans.append((start + 7, end))
        at = end + 9
    return spans


def _byte_flips() -> list[Case]:
    base = valid_filing()
    start = base.rindex(b"\nxref\n") + 1
    xref = [(start, base.index(b"trailer", start))]
    streams = _stream_spans(base)
    cases = [
        Case(f"flipped-xref-seed{seed}", "byte flips", _flipped(base, xref, seed=seed, flips=8))
        for seed in range(1, 7)
    ]
    cases += [
        Case(
            f"flipped-streams-seed{seed}",
            "byte flips",
            _flipped(base, streams, seed=seed, flips=16),
        )
        for seed in range(1, 7)
    ]
    cases.append(
        Case(
            "flipped-anywhere-seed1",
            "byte flips",
            _flipped(base, [(0, len(base))], seed=1, flips=64),
        )
    )
    return cases


# --- hand-written structures ---------------------------------------------------------------


def _wrong_lengths() -> list[Case]:
    real = len(TEXT)

    def with_length(length: bytes, *more: bytes) -> bytes:
        return pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 %s >> >> >>" % FONT,
                stream(TEXT, length=length),
                *more,
            ]
        )

    return [
        Case("length-too-short", "wrong length", with_length(b"%d" % (real - 20))),
        Case("length-past-the-end", "wrong length", with_length(b"%d" % (real + 100_000))),
        Case("length-zero", "wrong length", with_length(b"0")),
        Case("length-negative", "wrong length", with_length(b"-500")),
        Case("length-huge", "wrong length", with_length(b"999999999999")),
        Case("length-missing-object", "wrong length", with_length(b"99 0 R")),
        Case("length-not-a-number", "wrong length", with_length(b"/Twelve")),
        Case("length-refers-to-itself", "wrong length", with_length(b"4 0 R")),
    ]


def _loops() -> list[Case]:
    page = b"<< /Type /Page /Parent %s /MediaBox [0 0 612 792] /Contents 4 0 R >>"
    return [
        Case(
            "parent-is-itself",
            "reference loop",
            pdf(
                [
                    b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 2 0 R >>",
                    page % b"3 0 R",
                    stream(TEXT),
                ]
            ),
        ),
        Case(
            "kids-contain-their-parent",
            "reference loop",
            pdf(
                [
                    b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                    page % b"2 0 R",
                    stream(TEXT),
                ]
            ),
        ),
        Case(
            "two-page-trees-in-a-cycle",
            "reference loop",
            pdf(
                [
                    b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [5 0 R] /Count 1 /Parent 5 0 R >>",
                    page % b"5 0 R",
                    stream(TEXT),
                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 /Parent 2 0 R >>",
                ]
            ),
        ),
        Case(
            "page-count-lies",
            "reference loop",
            pdf(
                [
                    b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R 3 0 R 3 0 R] /Count 1000000 >>",
                    page % b"2 0 R",
                    stream(TEXT),
                ]
            ),
        ),
        Case(
            "form-xobject-draws-itself",
            "reference loop",
            one_page(
                content=TEXT + b" /X1 Do",
                resources=b"/XObject << /X1 5 0 R >> /Font << /F1 %s >>" % FONT,
                more=(
                    stream(
                        b"/X1 Do " + TEXT,
                        b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] "
                        b"/Resources << /XObject << /X1 5 0 R >> >>",
                    ),
                ),
            ),
        ),
        Case(
            "outline-next-is-a-cycle",
            "reference loop",
            one_page(
                catalog_extra=b"/Outlines 5 0 R",
                more=(
                    b"<< /Type /Outlines /First 6 0 R /Last 7 0 R /Count 2 >>",
                    b"<< /Title (One) /Parent 5 0 R /Next 7 0 R /Prev 7 0 R /Dest [3 0 R /Fit] >>",
                    b"<< /Title (Two) /Parent 5 0 R /Next 6 0 R /Prev 6 0 R /Dest [3 0 R /Fit] >>",
                ),
            ),
        ),
        Case("xref-prev-points-to-itself", "reference loop", _prev_loop()),
        Case(
            "page-labels-tree-cycle",
            "reference loop",
            one_page(
                catalog_extra=b"/PageLabels 5 0 R",
                more=(b"<< /Kids [5 0 R] >>",),
            ),
        ),
    ]


def _prev_loop() -> bytes:
    data = one_page()
    startxref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    return data.replace(b"/Root 1 0 R", b"/Root 1 0 R /Prev %d" % startxref)


def _deep_nesting() -> list[Case]:
    depth = 100_000
    return [
        Case(
            "arrays-nested-100k-deep",
            "deep nesting",
            one_page(page_extra=b"/Deep " + b"[" * depth + b"]" * depth),
        ),
        Case(
            "dictionaries-nested-100k-deep",
            "deep nesting",
            one_page(page_extra=b"/Deep " + b"<< /A " * depth + b">> " * depth),
        ),
        Case(
            "unclosed-arrays-100k",
            "deep nesting",
            one_page(page_extra=b"/Deep " + b"[" * depth),
        ),
        Case(
            "graphics-state-saved-100k-times",
            "deep nesting",
            one_page(content=b"q " * depth + TEXT + b" Q" * depth),
        ),
        Case("form-xobjects-chained-500-deep", "deep nesting", _xobject_chain(500)),
    ]


def _xobject_chain(depth: int) -> bytes:
    """Each Form XObject draws the next one (objects 5 ...), the last draws text."""
    return _form_chain(depth, call=b"/X Do", leaf=TEXT)


def _form_chain(depth: int, *, call: bytes, leaf: bytes) -> bytes:
    """One page whose content `call`s Form XObject 5, each form `call`s the next one and the
    last (object 4 + depth) draws `leaf` in the page's font."""
    forms = []
    for level in range(depth):
        last = level == depth - 1
        content = leaf if last else call
        resources = (
            b"/Font << /F1 %s >>" % FONT if last else b"/XObject << /X %d 0 R >>" % (6 + level)
        )
        forms.append(
            stream(
                content,
                b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >>"
                % resources,
            )
        )
    return one_page(content=call, resources=b"/XObject << /X 5 0 R >>", more=tuple(forms))


# --- decompression bombs -------------------------------------------------------------------


def _adler32_of_repeats(byte: int, count: int) -> int:
    """zlib.adler32 of `count` copies of `byte`, without making them."""
    modulus = 65521
    low = (1 + count * byte) % modulus
    high = (count + byte * (count * (count + 1) // 2)) % modulus
    return (high << 16) | low


@functools.cache
def flate_bomb(megabytes: int, byte: int = 0x20) -> bytes:
    """A zlib stream of `megabytes` MiB of one byte (spaces: a valid, empty content stream),
    about a thousandth of that in size, made in milliseconds: after the first MiB, deflate
    writes the same bytes for each MiB of the same input, so they are repeated, not computed."""
    chunk = bytes([byte]) * (1 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4]  # the final block; its checksum is for 2 MiB, not all
    checksum = _adler32_of_repeats(byte, megabytes << 20).to_bytes(4, "big")
    return first + repeat * (megabytes - 1) + end + checksum


BOMB_MB = 4096  # inflated size of each bomb: four times the default PDF_PARSE_MEMORY_MB


def _bombs() -> list[Case]:
    bomb = flate_bomb(BOMB_MB)
    double = zlib.compress(bomb, 9)
    font_dict = (
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 "
        b"/FontDescriptor 6 0 R /ToUnicode 5 0 R >>"
    )
    return [
        Case(
            "flate-bomb-content-stream",
            "decompression bomb",
            _bomb_page(stream(bomb, b"/Filter /FlateDecode")),
        ),
        Case(
            "flate-bomb-twice-compressed",
            "decompression bomb",
            _bomb_page(stream(double, b"/Filter [/FlateDecode /FlateDecode]")),
        ),
        Case(
            "flate-bomb-in-tounicode-cmap",
            "decompression bomb",
            pdf(
                [
                    b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 7 0 R >> >> >>",
                    stream(TEXT),
                    stream(bomb, b"/Filter /FlateDecode"),
                    b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] "
                    b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 "
                    b"/FontFile2 8 0 R >>",
                    font_dict,
                    stream(bomb, b"/Filter /FlateDecode /Length1 %d" % (BOMB_MB << 20)),
                ]
            ),
        ),
        Case(
            "flate-bomb-in-metadata-stream",
            "decompression bomb",
            one_page(
                catalog_extra=b"/Metadata 5 0 R",
                more=(stream(bomb, b"/Type /Metadata /Subtype /XML /Filter /FlateDecode"),),
            ),
        ),
        Case(
            "flate-bomb-image-never-drawn-for-text",
            "decompression bomb",
            one_page(
                resources=b"/XObject << /Im 5 0 R >> /Font << /F1 %s >>" % FONT,
                more=(
                    stream(
                        bomb,
                        b"/Type /XObject /Subtype /Image /Width 65536 /Height 65536 "
                        b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                    ),
                ),
            ),
        ),
        Case("flate-bomb-cross-reference-stream", "decompression bomb", _xref_stream_bomb(bomb)),
    ]


def _bomb_page(contents: bytes) -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            contents,
        ]
    )


def _xref_stream_bomb(bomb: bytes) -> bytes:
    """A PDF 1.5 file whose cross-reference stream inflates to gigabytes."""
    out = bytearray(b"%PDF-1.5\n")
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    out += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(out)
    out += b"3 0 obj\n" + stream(
        bomb, b"/Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
    )
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _blank_pages(count: int, *, tree: bool) -> bytes:
    """`count` blank pages sharing one content stream, compactly (about 100 bytes a page)."""
    first_page = 4
    pages = [
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
        % (2 if not tree else first_page + count + n // 100)
        for n in range(count)
    ]
    if not tree:
        kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(count))
        root = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
        return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", root, stream(b""), *pages])
    groups = (count + 99) // 100
    middles = [
        b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>"
        % (
            b" ".join(
                b"%d 0 R" % (first_page + n) for n in range(g * 100, min(count, g * 100 + 100))
            ),
            min(100, count - g * 100),
        )
        for g in range(groups)
    ]
    kids = b" ".join(b"%d 0 R" % (first_page + count + g) for g in range(groups))
    root = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", root, stream(b""), *pages, *middles])


def _many_pages() -> list[Case]:
    return [
        Case("blank-pages-10000", "many pages", _blank_pages(10_000, tree=False)),
        Case("blank-pages-10000-in-a-tree", "many pages", _blank_pages(10_000, tree=True)),
        Case("blank-pages-2000", "many pages", _blank_pages(2000, tree=True)),
    ]


def _page_boxes() -> list[Case]:
    boxes = {
        "media-box-14400": b"[0 0 14400 14400]",
        "media-box-a-billion-points": b"[0 0 1000000000 1000000000]",
        # pdfium's text page grows with the page's area up to 2^31 points: about 550 MB.
        "media-box-at-the-int32-limit": b"[0 0 2147483000 2147483000]",
        "media-box-negative": b"[-1000000 -1000000 -10 -10]",
        "media-box-inverted": b"[612 792 0 0]",
        "media-box-empty": b"[0 0 0 0]",
        "media-box-nan-and-infinity": b"[0 0 nan inf]",
        "media-box-overflowing-numbers": b"[0 0 99999999999999999999999999 1e308]",
        "media-box-too-few-numbers": b"[0 0 612]",
    }
    cases = [Case(name, "page box", one_page(media_box=box)) for name, box in boxes.items()]
    cases.append(
        Case(
            "crop-box-outside-the-page-rotated-45",
            "page box",
            one_page(page_extra=b"/CropBox [5000 5000 9000 9000] /Rotate 45 /UserUnit 75000"),
        )
    )
    return cases


def _active_content() -> list[Case]:
    js = b"<< /Type /Action /S /JavaScript /JS (app.alert('hostile'); while (true) {}) >>"
    return [
        Case("javascript-open-action", "javascript", one_page(catalog_extra=b"/OpenAction " + js)),
        Case(
            "javascript-page-open-action",
            "javascript",
            one_page(page_extra=b"/AA << /O %s >>" % js),
        ),
        Case(
            "javascript-names-tree",
            "javascript",
            one_page(
                catalog_extra=b"/Names << /JavaScript << /Names [(run) 5 0 R] >> >>",
                more=(js,),
            ),
        ),
        Case(
            "launch-action",
            "javascript",
            one_page(
                catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) "
                b"/P (/c calc) >> >>"
            ),
        ),
        Case(
            "javascript-uri-link",
            "javascript",
            one_page(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] "
                b"/A << /S /URI /URI (javascript:alert(1)) >> >>]"
            ),
        ),
    ]


def _embedded_files() -> list[Case]:
    payload = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."
    spec = (
        b"<< /Type /Filespec /F (invoice.exe) /UF (invoice.exe) /EF << /F 5 0 R >> >>",
        stream(payload, b"/Type /EmbeddedFile /Subtype /application#2Foctet-stream"),
    )
    return [
        Case(
            "embedded-file-executable",
            "embedded file",
            one_page(
                catalog_extra=b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 6 0 R] >> >>",
                more=(spec[1], spec[0]),
            ),
        ),
        Case(
            "file-attachment-annotation",
            "embedded file",
            one_page(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /FileAttachment "
                b"/Rect [72 600 90 620] /FS 6 0 R >>]",
                more=(spec[1], spec[0]),
            ),
        ),
        Case(
            "embedded-file-is-a-bomb",
            "embedded file",
            one_page(
                catalog_extra=b"/Names << /EmbeddedFiles << /Names [(bomb.bin) 6 0 R] >> >>",
                more=(
                    stream(flate_bomb(BOMB_MB), b"/Type /EmbeddedFile /Filter /FlateDecode"),
                    b"<< /Type /Filespec /F (bomb.bin) /EF << /F 5 0 R >> >>",
                ),
            ),
        ),
    ]


def _encrypted_filing(user: str, owner: str, strength: int) -> bytes:
    buffer = io.BytesIO()
    encryption = StandardEncryption(user, ownerPassword=owner, strength=strength)
    pdf_canvas = canvas.Canvas(buffer, encrypt=encryption, invariant=True)
    pdf_canvas.setFont("Helvetica", 12)
    for line, text in enumerate(filler(f"encrypted {user or 'open'} {strength}", 8)):
        pdf_canvas.drawString(72, 720 - line * 16, text)
    pdf_canvas.showPage()
    pdf_canvas.save()
    return buffer.getvalue()


def _encrypted() -> list[Case]:
    return [
        Case("encrypted-user-password-rc4-40", "encrypted", _encrypted_filing("pw", "owner", 40)),
        Case("encrypted-user-password-rc4-128", "encrypted", _encrypted_filing("pw", "owner", 128)),
        # An empty user password opens without asking: such a file may well be ingested.
        Case("encrypted-empty-user-password-40", "encrypted", _encrypted_filing("", "owner", 40)),
        Case("encrypted-empty-user-password-128", "encrypted", _encrypted_filing("", "owner", 128)),
        Case(
            "encrypted-unknown-security-handler",
            "encrypted",
            one_page(
                more=(b"<< /Filter /NoSuchHandler /V 9 /R 9 /O (x) /U (y) /P -1 >>",),
                trailer=b"/Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff> <00>]",
            ),
        ),
    ]


def _not_pdfs() -> list[Case]:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    zip_ = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20 + b"report.pdf"
    return [
        Case("png-named-pdf", "not a pdf", png + b"\x00" * 100),
        Case("zip-named-pdf", "not a pdf", zip_),
        Case(
            "html-named-pdf", "not a pdf", b"<!doctype html><html><body>Annual report</body></html>"
        ),
        Case("jpeg-named-pdf", "not a pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64),
        Case("elf-executable-named-pdf", "not a pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 57),
        Case("gzip-named-pdf", "not a pdf", zlib.compress(valid_filing())),
        Case("pdf-header-after-2kb", "not a pdf", b" " * 2048 + valid_filing()),
        Case(
            "pdf-header-then-garbage", "not a pdf", b"%PDF-1.7\n" + random.Random(7).randbytes(4096)
        ),
    ]


def _empty_ish() -> list[Case]:
    return [
        Case("zero-bytes", "empty", b""),
        Case("one-byte", "empty", b"%"),
        Case("header-only", "empty", b"%PDF-1.7\n"),
        Case("header-and-eof-only", "empty", b"%PDF-1.7\n%%EOF\n"),
        Case("a-megabyte-of-nul-bytes", "empty", b"\x00" * (1 << 20)),
        Case(
            "no-pages",
            "empty",
            pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]),
        ),
    ]


def glyph_fan_out_pdf(*, levels: int = 3, fan: int = 100, glyphs: int = 100) -> bytes:
    """One page that draws a Form XObject `fan` times, which draws the next `fan` times, and
    so on `levels` deep; the last draws `glyphs` letters: fan ** levels * glyphs characters
    (a hundred million by default) from a few kilobytes. Extracting the text takes time and
    memory in proportion, so it never finishes within the limits."""
    letters = b"".join(
        b"BT /F1 4 Tf %d %d Td (%c) Tj ET\n" % (10 + n % 150 * 4, 780 - n // 150 * 4, 65 + n % 26)
        for n in range(glyphs)
    )
    return _form_chain(levels, call=b"/X Do " * fan, leaf=letters)


def corpus() -> list[Case]:
    """Every case, names unique."""
    cases = [
        *_truncated(),
        *_byte_flips(),
        *_wrong_lengths(),
        *_loops(),
        *_deep_nesting(),
        *_bombs(),
        *_many_pages(),
        *_page_boxes(),
        *_active_content(),
        *_embedded_files(),
        *_encrypted(),
        *_not_pdfs(),
        *_empty_ish(),
        Case("text-forms-fan-out-100-million-glyphs", "amplification", glyph_fan_out_pdf()),
    ]
    assert len({case.name for case in cases}) == len(cases)
    return cases
