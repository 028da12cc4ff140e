"""Page images through the tenant API (not part of `make test`): a 10-K's pages drawn as PNG
at 1,000 px with a cited chunk highlighted, first request (rendered), again from the
page-image cache, and again with the ETag (304); beside the bare pypdfium2 render + PNG.
Targets: first request p50 <= 150 ms, from the cache <= 10 ms.

    .venv/bin/python -m bench.page_images [PDF] [--pages 30] [--width 1000]

PDF defaults to the first filing in ../shared/financebench-dev/pdfs (kept outside the
repository), else the sample generator's long 10-K. Requests go through Django's test
client: the whole stack (middleware, API-key authentication, rate limit, view) without
a socket.
"""

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.database import scratch_database  # first: it sets Django up

# isort: split

import pypdfium2 as pdfium
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents import page_images
from documents.models import Chunk
from documents.services import document_ingest, document_upload
from samples.make_financial_pdfs import generate
from tenants.models import Tenant
from tenants.services import api_key_issue, tenant_create

FILINGS = Path(__file__).resolve().parent.parent.parent / "shared" / "financebench-dev" / "pdfs"


def default_pdf() -> Path:
    real = sorted(FILINGS.glob("*10K*.pdf")) if FILINGS.is_dir() else []
    if real:
        return real[0]
    out = Path(tempfile.mkdtemp(prefix="filings-"))
    generate(out, long=True)
    return next(path for path in sorted(out.glob("*.pdf")) if "10k" in path.name)


def bare_render(data: bytes, numbers: list[int], width: int) -> list[float]:
    """ms per page: pypdfium2 render to the width, PNG (level 1), nothing else."""
    pdf = pdfium.PdfDocument(data)
    times = []
    for number in numbers:
        started = time.perf_counter()
        page = pdf[number - 1]
        image = page.render(scale=width / page.get_width()).to_pil()
        image.save(io.BytesIO(), "PNG", compress_level=1)
        page.close()
        times.append((time.perf_counter() - started) * 1000)
    pdf.close()
    return times


def figures(label: str, times: list[float], target: str = "") -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"  {label:<44} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms"
        f"   max {times[-1]:7.1f} ms  {target}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.page_images")
    parser.add_argument("pdf", nargs="?", type=Path)
    parser.add_argument("--pages", type=int, default=30, help="pages to draw (spread evenly)")
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database to --reuse")
    parser.add_argument("--reuse", default="", help="a database kept by --keep")
    args = parser.parse_args()
    path = args.pdf or default_pdf()
    data = path.read_bytes()
    with scratch_database("page_images", keep=args.keep, reuse=args.reuse):
        tenant = Tenant.objects.filter(slug="bench-pages").first() or tenant_create(
            name="Bench pages", slug="bench-pages", requests_per_minute=100000
        )
        _, key = api_key_issue(tenant=tenant, name="bench")
        started = time.perf_counter()
        (document,) = document_upload(
            tenant=tenant, files=[SimpleUploadedFile(path.name, data)]
        ).documents
        document_ingest(document_id=document.pk)  # nothing to do when reused
        document.refresh_from_db()
        print(
            f"{path.name}: {document.pages_total} pages, ingested in "
            f"{time.perf_counter() - started:.1f} s (status {document.status})"
        )
        step = max(1, document.pages_total // args.pages)
        numbers = list(range(1, document.pages_total + 1, step))[: args.pages]
        # The first chunk of each page, as a citation's chunk_id would be.
        chunk_of = {}
        for chunk_id, page in (
            Chunk.objects.for_tenant(tenant)
            .filter(document=document, page_start__in=numbers)
            .order_by("ordinal")
            .values_list("id", "page_start")
        ):
            chunk_of.setdefault(page, chunk_id)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

        def url(number: int) -> str:
            highlight = f"&highlight={chunk_of[number]}" if number in chunk_of else ""
            return (
                f"/api/v1/documents/{document.pk}/pages/{number}/image?width={args.width}"
                f"{highlight}"
            )

        client.get(url(numbers[0]))  # warm up the process (imports, first open)
        caches["page_images"].clear()
        first, cached, revalidated, sizes, detail, service = [], [], [], [], [], []
        for number in numbers:
            started = time.perf_counter()
            client.get(f"/api/v1/documents/{document.pk}")
            detail.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get(url(number))
            first.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
            sizes.append(len(response.content))
            started = time.perf_counter()
            again = client.get(url(number))
            cached.append((time.perf_counter() - started) * 1000)
            assert again.content == response.content
            started = time.perf_counter()
            not_modified = client.get(url(number), HTTP_IF_NONE_MATCH=response["ETag"])
            revalidated.append((time.perf_counter() - started) * 1000)
            assert not_modified.status_code == 304
            started = time.perf_counter()
            image = page_images.page_image_request(
                tenant=tenant,
                document_id=document.pk,
                number=number,
                width=args.width,
                highlight=[chunk_of[number]] if number in chunk_of else [],
            )
            page_images.page_image_png(image)
            service.append((time.perf_counter() - started) * 1000)
        print(
            f"{len(numbers)} pages at {args.width} px, {len(chunk_of)} with a highlighted "
            f"chunk; PNG {statistics.median(sizes) / 1024:.0f} KB median"
        )
        figures("bare pypdfium2 render + PNG (baseline)", bare_render(data, numbers, args.width))
        figures("API, first request (rendered)", first, "target p50 <= 150 ms")
        figures("API, again (page-image cache)", cached, "target <= 10 ms")
        figures("API, again with If-None-Match (304)", revalidated)
        figures("API, document detail (the platform's floor)", detail)
        figures("service alone, from the cache (checks + cache)", service)


if __name__ == "__main__":
    main()
