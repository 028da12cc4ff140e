"""Real filings through the public API (not part of `make test`), as a tenant app would.

One fresh tenant uploads every PDF of a folder with `POST /api/v1/documents`, the documents
are ingested (what `manage.py db_worker` runs, here in this process) with a progress bar,
then every question of the folder's `questions.jsonl` is asked verbatim with
`POST /api/v1/query`. A question is a hit when one of the first 5 citations is its document
at one of its evidence pages (1-based physical pages). Prints one line per question, hits@5
and hits@1, ingestion pages/s and query p50/p95.

The default folder is `../shared/financebench-dev` beside the repository: real filings kept
out of the repository (licence: internal evaluation only). Its format: `pdfs/*.pdf` and
`questions.jsonl` lines `{"id", "doc", "question", "evidence_pages", ...}`.

    .venv/bin/python -m bench.filings [DIR] [--docs N] [--only ID ...] [--keep | --reuse DB]
                                      [--sweep]

--docs N keeps the N documents with the most questions (and their questions); --only asks
just the given question ids (and uploads only their documents). --keep leaves the database
for a later `--reuse bench_filings_<pid>`, which skips upload and ingestion. --sweep asks
every question once per retriever variant of SWEEP (settings.RETRIEVAL_PARAMS) and prints
one line per variant.
"""

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "financebench-dev"
TOP = 5


def load(directory: Path, docs: int | None, only: list[str]) -> tuple[list[Path], list[dict]]:
    """The PDFs to upload and the questions to ask, or a clear exit when the folder is not
    a filings folder."""
    questions_file, pdf_dir = directory / "questions.jsonl", directory / "pdfs"
    if not questions_file.is_file() or not pdf_dir.is_dir():
        sys.exit(
            f"error: {directory} is not a filings folder (needs pdfs/ and questions.jsonl). "
            "Pass the folder, e.g. python -m bench.filings ../shared/financebench-dev"
        )
    questions = [json.loads(line) for line in questions_file.read_text().splitlines() if line]
    if only:
        unknown = set(only) - {q["id"] for q in questions}
        if unknown:
            sys.exit(f"error: no such question id(s): {', '.join(sorted(unknown))}")
        questions = [q for q in questions if q["id"] in only]
    names = [name for name, _ in collections.Counter(q["doc"] for q in questions).most_common()]
    if docs:
        names = names[:docs]
        questions = [q for q in questions if q["doc"] in names]
    missing = [name for name in names if not (pdf_dir / name).is_file()]
    if missing:
        sys.exit(f"error: PDFs named by questions.jsonl are missing: {', '.join(missing)}")
    if not only and not docs:
        names = sorted(path.name for path in pdf_dir.glob("*.pdf"))  # the whole library
    return [pdf_dir / name for name in names], questions


def upload_and_ingest(client, paths: list[Path]) -> tuple[dict[str, str], int, float]:
    from tqdm import tqdm

    from documents.models import Document
    from documents.services import document_ingest

    ids = {}
    for path in paths:
        with path.open("rb") as handle:
            response = client.post("/api/v1/documents", {"files": [handle]}, format="multipart")
        if response.status_code != 202:
            sys.exit(
                f"error: upload of {path.name} answered {response.status_code}: "
                f"{response.content!r}"
            )
        ids[path.name] = response.json()["documents"][0]["id"]
    started, pages = time.perf_counter(), 0
    with tqdm(total=len(ids), unit="doc", desc="ingesting", file=sys.stderr) as bar:
        for name, document_id in ids.items():
            bar.set_postfix_str(name[:40])
            document_ingest(document_id=document_id)
            detail = client.get(f"/api/v1/documents/{document_id}").json()
            if detail["status"] != Document.Status.READY:
                print(f"  {name}: {detail['status']} {detail.get('error', '')}", file=sys.stderr)
            pages += detail["pages_total"]
            bar.update(1)
    return ids, pages, time.perf_counter() - started


def ask(client, questions: list[dict], ids: dict[str, str], *, quiet=False) -> tuple[int, int]:
    """Ask every question; print a line per question (unless quiet) and the totals."""
    short = {document_id: Path(name).stem[:28] for name, document_id in ids.items()}
    hits5 = hits1 = 0
    timings = []
    if not quiet:
        print(f"\n  {'question':<22} @5  @1  {'evidence':<34} cited (document:page, best first)")
    for question in questions:
        started = time.perf_counter()
        response = client.post("/api/v1/query", {"question": question["question"]}, format="json")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            print(f"  {question['id']:<22} query answered {response.status_code}")
            continue
        cited = [(c.get("document_id"), c.get("page")) for c in response.json()["citations"]]
        wanted = {(ids.get(question["doc"]), page) for page in question["evidence_pages"]}
        top5, top1 = bool(wanted & set(cited[:TOP])), bool(cited and cited[0] in wanted)
        hits5, hits1 = hits5 + top5, hits1 + top1
        evidence = (
            f"{Path(question['doc']).stem[:28]}:{','.join(map(str, question['evidence_pages']))}"
        )
        shown = " ".join(f"{short.get(d, '?')}:{p}" for d, p in cited[:TOP])
        if quiet:
            continue
        print(
            f"  {question['id']:<22} {'yes' if top5 else ' - ':>3} {'yes' if top1 else ' - ':>3}"
            f"  {evidence:<34} {shown}"
        )
    n = len(questions)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))] if timings else 0
    p50 = statistics.median(timings) if timings else 0
    if quiet:
        print(
            f"hits@5 {hits5:>2}/{n} = {hits5 / max(n, 1):.2f}  @1 {hits1:>2}/{n}  p50 {p50:.0f} ms"
        )
        return hits5, hits1
    print(
        f"\n  {n} questions: hits@5 {hits5}/{n} = {hits5 / max(n, 1):.2f}, "
        f"hits@1 {hits1}/{n} = {hits1 / max(n, 1):.2f}"
    )
    if timings:
        print(f"  query p50 {p50:.0f} ms, p95 {p95:.0f} ms (client side)")
    return hits5, hits1


# The retriever variants --sweep compares (documents.retrieval.params field changes).
SWEEP = {
    "defaults": {},
    "rrf_k 10": {"rrf_k": 10},
    "rrf_k 30": {"rrf_k": 30},
    "vector x1.5": {"vector_weight": 1.5},
    "vector x2": {"vector_weight": 2.0},
    "text x1.5": {"text_weight": 1.5},
    "vector only": {"text_weight": 0},
    "full-text only": {"vector_weight": 0},
    "depth 2k": {"fusion_depth_per_result": 2.0},
    "depth 3k": {"fusion_depth_per_result": 3.0},
    "page sum": {"page_score": "sum"},
    "no glossary (vector)": {"expand_vector": False},
    "no glossary (text)": {"expand_text": False},
    "contents kept": {"demote_contents_pages": False},
    "depth 3k + sum": {"fusion_depth_per_result": 3.0, "page_score": "sum"},
    "depth 3k + vector x2": {"fusion_depth_per_result": 3.0, "vector_weight": 2.0},
    "depth 3k + sum + vector x2": {
        "fusion_depth_per_result": 3.0,
        "page_score": "sum",
        "vector_weight": 2.0,
    },
    "depth 4k + vector x2": {"fusion_depth_per_result": 4.0, "vector_weight": 2.0},
    "vector x2 + 1 reserved": {"vector_weight": 2.0, "reserved_per_leg": 1},
    "vector x2 + 2 reserved": {"vector_weight": 2.0, "reserved_per_leg": 2},
    "1 reserved": {"reserved_per_leg": 1},
    "no reserved": {"reserved_per_leg": 0},
    "weights 1/1, no reserved": {"vector_weight": 1.0, "reserved_per_leg": 0},
    "statement leg x1": {"statement_weight": 1.0},
    "statement leg x2": {"statement_weight": 2.0},
    "statement leg x1, named only": {"statement_weight": 1.0, "statement_metrics": False},
    "statement leg x1, 1 reserved": {"statement_weight": 1.0, "reserved_per_leg": 1},
    "statement leg x0.5": {"statement_weight": 0.5},
    "statement leg x3": {"statement_weight": 3.0},
    "statement leg x2, named only": {"statement_weight": 2.0, "statement_metrics": False},
    "no statement leg": {"statement_weight": 0.0},
    "statement leg x4": {"statement_weight": 4.0},
    "statement leg x3, named only": {"statement_weight": 3.0, "statement_metrics": False},
    "statement leg x3, 1 reserved": {"statement_weight": 3.0, "reserved_per_leg": 1},
}


def sweep(client, questions: list[dict], ids: dict[str, str], names: list[str]) -> None:
    from django.test import override_settings

    unknown = set(names) - set(SWEEP)
    if unknown:
        sys.exit(f"error: no such variant(s): {', '.join(sorted(unknown))}; see SWEEP")
    print(f"\n  {'variant':<22} result ({len(questions)} questions)")
    for name, changes in SWEEP.items():
        if names and name not in names:
            continue
        print(f"  {name:<22} ", end="", flush=True)
        with override_settings(RETRIEVAL_PARAMS=changes):
            ask(client, questions, ids, quiet=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.filings", description=__doc__.splitlines()[0]
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--docs", type=int, help="only the N documents with most questions")
    parser.add_argument("--only", nargs="+", default=[], metavar="ID", help="question ids")
    parser.add_argument("--provider", default="local", choices=["local", "openai", "bedrock"])
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", default="", metavar="DB", help="a database left by --keep")
    parser.add_argument(
        "--sweep",
        nargs="*",
        metavar="VARIANT",
        help="compare the retriever variants of SWEEP (all, or the ones named)",
    )
    args = parser.parse_args()
    paths, questions = load(args.directory.resolve(), args.docs, args.only)

    from bench.database import scratch_database  # first: it sets Django up

    # isort: split

    from django.test import override_settings
    from rest_framework.test import APIClient

    from tenants.services import api_key_issue, tenant_create

    with (
        scratch_database("filings", keep=args.keep, reuse=args.reuse),
        override_settings(ALLOWED_HOSTS=["*"]),
    ):
        from documents.models import Document
        from tenants.models import Tenant

        tenant = Tenant.objects.filter(slug="bench-filings").first() or tenant_create(
            name="Bench filings",
            slug="bench-filings",
            provider=args.provider,
            requests_per_minute=100_000,
        )
        _, key = api_key_issue(tenant=tenant, name="bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        if args.reuse:
            ids = {d.filename: str(d.pk) for d in Document.objects.for_tenant(tenant)}
            print(f"  reusing {args.reuse}: {len(ids)} documents")
        else:
            print(f"  uploading {len(paths)} PDFs from {args.directory}", file=sys.stderr)
            ids, pages, seconds = upload_and_ingest(client, paths)
            print(
                f"  ingested {len(ids)} documents, {pages} pages in {seconds:.0f} s: "
                f"{pages / max(seconds, 1e-9):.2f} pages/s"
            )
        if args.sweep is not None:
            sweep(client, questions, ids, args.sweep)
        else:
            ask(client, questions, ids)


if __name__ == "__main__":
    main()
