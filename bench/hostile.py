"""Hostile PDFs through the API (not part of `make test`): every file of the test corpus
(tests/hostile_pdfs.py) uploaded and ingested under the parse limits, each followed by a good one.

On a scratch database, as the web app and the worker would (here, in this process): one
`POST /api/v1/documents` per file, then ingestion (`document_ingest`) if it was accepted, and
a good filing the same way after each. Prints one line per file: its outcome (the upload's
HTTP status with its error code, or 202 and the status it ended in with its error code), the
seconds it took (upload and ingestion) and the parse child's peak memory; then the totals:
files tried, outcomes by kind, the good filings ready, this process's peak RSS and the
children's, the slowest file, and what a parse child costs to start and to call. The limits
are the settings' (PDF_PARSE_MEMORY_MB, ...); --memory-mb and --timeout-s change the parse's.

    .venv/bin/python -m bench.hostile [--only TEXT ...] [--memory-mb N] [--timeout-s S]
"""

import argparse
import collections
import logging
import resource
import statistics
import time

from bench.database import scratch_database  # first: it sets Django up

# isort: split

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from documents import bounded_parsing
from documents.models import Document
from documents.parsing import inspect_pdf
from documents.services import document_ingest
from tenants.services import api_key_issue, tenant_create
from tests.hostile_pdfs import corpus, valid_filing


class ChildEvents(logging.Handler):
    """The parse children's peak memory, from bounded_parsing's log events."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.peak_mb = 0

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg if isinstance(record.msg, dict) else {}
        self.peak_mb = max(self.peak_mb, event.get("peak_rss_mb", 0))


def child_costs() -> tuple[float, float, float]:
    """Seconds to start a parse child (its first call), and the median seconds of an upload
    check through a running child and in this process, on the good filing."""
    data = valid_filing("start-up")
    bounded_parsing.close_idle()
    started = time.perf_counter()
    bounded_parsing.inspect_pdf(data, filename="a.pdf", max_pages=10)
    start = time.perf_counter() - started

    def median(function) -> float:
        times = []
        for _ in range(30):
            started = time.perf_counter()
            function(data, filename="a.pdf", max_pages=10)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    return start, median(bounded_parsing.inspect_pdf), median(inspect_pdf)


def upload_and_ingest(client, filename: str, data: bytes) -> str:
    """The file's outcome: "HTTP 400 <code>" when the upload is rejected, else "HTTP 202, "
    and its status once ingested, with its error code."""
    response = client.post(
        "/api/v1/documents",
        {"files": [SimpleUploadedFile(filename, data)]},
        format="multipart",
    )
    body = response.json()
    if response.status_code != 202:
        codes = [entry["error"]["code"] for entry in body.get("rejected", ())]
        return f"HTTP {response.status_code} {' '.join(codes) or body['error']['code']}"
    document_id = body["documents"][0]["id"]
    document_ingest(document_id=document_id)
    document = Document.objects.get(pk=document_id)
    return f"HTTP 202, {document.status} {document.error_code}".rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile")
    parser.add_argument("--only", nargs="+", default=[], help="cases whose name has this text")
    parser.add_argument("--memory-mb", type=int, help="PDF_PARSE_MEMORY_MB for this run")
    parser.add_argument("--timeout-s", type=float, help="PDF_PARSE_TIMEOUT_S for this run")
    args = parser.parse_args()
    limits = {}
    if args.memory_mb:
        limits["PDF_PARSE_MEMORY_MB"] = args.memory_mb
    if args.timeout_s:
        limits["PDF_PARSE_TIMEOUT_S"] = args.timeout_s
    started = time.perf_counter()
    cases = [case for case in corpus() if not args.only or any(o in case.name for o in args.only)]
    print(f"{len(cases)} hostile files made in {time.perf_counter() - started:.1f} s")

    events = ChildEvents()
    child_log = logging.getLogger("documents.bounded_parsing")
    child_log.addHandler(events)
    child_log.setLevel(logging.DEBUG)
    child_log.propagate = False  # read here, not printed
    with scratch_database("hostile"), override_settings(ALLOWED_HOSTS=["*"], **limits):
        print(
            f"limits: upload check {settings.PDF_INSPECT_TIMEOUT_S:g} s, "
            f"{settings.PDF_INSPECT_MEMORY_MB} MB; parse {settings.PDF_PARSE_TIMEOUT_S:g} s, "
            f"{settings.PDF_PARSE_MEMORY_MB} MB; {settings.PDF_PARSE_CONCURRENCY} at once\n"
        )
        tenant = tenant_create(
            name="Bench hostile", slug="bench-hostile", requests_per_minute=100_000
        )
        _, key = api_key_issue(tenant=tenant, name="bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        rows, good_ready = [], 0
        print(f"  {'file':<42} {'KB':>6}  {'outcome':<30} {'seconds':>7} {'child MB':>8}")
        for number, case in enumerate(cases):
            events.peak_mb = 0
            started = time.perf_counter()
            outcome = upload_and_ingest(client, case.filename, case.data)
            seconds = time.perf_counter() - started
            rows.append((case, outcome, seconds, events.peak_mb))
            print(
                f"  {case.name:<42} {len(case.data) // 1024:>6}  {outcome:<30} {seconds:7.2f} "
                f"{events.peak_mb or '':>8}",
                flush=True,
            )
            # The worker's next document, after each hostile one.
            good = upload_and_ingest(client, f"good-{number}.pdf", valid_filing(f"bench {number}"))
            good_ready += good == "HTTP 202, ready"
        unfinished = Document.objects.filter(
            status__in=[Document.Status.QUEUED, Document.Status.PROCESSING]
        ).count()
        start, through_child, in_process = child_costs()
    bounded_parsing.close_idle()

    kinds = collections.Counter(outcome for _, outcome, _, _ in rows)
    slowest = max(rows, key=lambda row: row[2])
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"\n{len(rows)} files tried; outcomes:")
    for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:>3}  {kind}")
    print(f"good filings after them ready: {good_ready}/{len(rows)}; left unfinished: {unfinished}")
    child_peak = max(row[3] for row in rows)
    print(f"peak RSS: this process (web app and worker) {own} MB; parse children {child_peak} MB")
    print(
        f"  (getrusage of the children: {children} MB, which Linux counts from the RSS of "
        "this process when each child started)"
    )
    print(f"slowest file: {slowest[0].name}, {slowest[2]:.2f} s ({slowest[1]})")
    print(
        f"parse child: starts in {start * 1000:.0f} ms; an upload check through it "
        f"{through_child * 1000:.1f} ms (median) against {in_process * 1000:.1f} ms in process"
    )


if __name__ == "__main__":
    main()
