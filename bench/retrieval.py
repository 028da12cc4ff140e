"""Retrieval benchmarks (not part of `make test`).

1. Quality: the sample generator's long filings (100+ pages each: contents pages with page
   numbers, running headers, EDGAR-style tables, footnotes, tables continued across pages, a
   two-column page, highlights repeating figures) or the PDFs in `--filings DIR` (questions
   in DIR/facts.yaml) are ingested and every fact's question is asked through
   `hybrid_search`; prints evidence-page recall@1/@5 for the hybrid retriever beside each
   leg alone (vector only, full-text only) as the baseline, with contents pages demoted and
   not, how many questions cite a contents page, and each question's ranks.
2. Scale: 100k chunks across 10 tenants (one holding 1 %), local-embedder vectors; prints
   p50/p99 latency of the HNSW query and of the whole hybrid_search, and recall@10 of the
   HNSW query against an exact scan (no index) of the same tenant: first over the shared
   index only (the baseline), then with the per-tenant indexes the worker builds.

    .venv/bin/python -m bench.retrieval [--chunks 100000] [--skip-scale] [--skip-quality]
                                        [--filings DIR]
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.database import scratch_database  # first: it sets Django up

# isort: split

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from documents.chunking import is_contents_listing
from documents.models import Chunk, Document, DocumentPage
from documents.retrieval import DEFAULT_PARAMS, hybrid_search
from documents.retrieval.search import vector_ef_search
from documents.services import document_ingest, document_upload
from documents.tenant_indexes import index_name, tenant_index_state, tenant_vector_index_ensure
from providers.local_provider import LocalEmbedder, LocalHashEmbedder
from samples.make_financial_pdfs import generate
from tenants.services import tenant_create


def quality(filings: Path | None = None) -> None:
    if filings:
        # Real filings kept outside the repository: DIR/*.pdf and DIR/facts.yaml (the same
        # fields as samples/facts.yaml: id, document, question, page, also_pages).
        facts = yaml.safe_load((filings / "facts.yaml").read_text())["facts"]
        out = filings
    else:
        out = Path(tempfile.mkdtemp(prefix="filings-"))
        facts = generate(out, long=True)
    tenant = tenant_create(name="Bench quality", slug="bench-quality")
    documents = {}
    for path in sorted(out.glob("*.pdf")):
        result = document_upload(
            tenant=tenant, files=[SimpleUploadedFile(path.name, path.read_bytes())]
        )
        document = result.documents[0]
        document_ingest(document_id=document.pk)
        document.refresh_from_db()
        documents[path.name] = document
        print(f"  {path.name}: {document.pages_total} pages, status {document.status}")
    contents_pages = {
        (str(page.document_id), page.number)
        for page in DocumentPage.objects.for_tenant(tenant)
        if is_contents_listing(page.text)
    }
    print(f"  contents/index pages: {sorted(n for _, n in contents_pages)}")
    initial = {str(document.pk): name[0] for name, document in documents.items()}
    embedder = LocalEmbedder()
    print("\nFusion settings (evidence-page recall@5, hybrid):")
    print(f"  {'RRF k':>6} {'depth/k':>8} {'page':>5} {'@5':>6}")
    for rrf_k in (10, 60):
        for depth in (1, 2.5, 6):
            for page_score in ("max", "sum"):
                params = DEFAULT_PARAMS.variant(
                    rrf_k=rrf_k, fusion_depth_per_result=depth, page_score=page_score
                )
                found = sum(
                    (str(documents[f["document"]].pk), f["page"])
                    in [
                        (h.document_id, h.page)
                        for h in _search(tenant, f["question"], embedder, params)
                    ]
                    for f in facts
                )
                print(f"  {rrf_k:>6} {depth:>8} {page_score:>5} {found / len(facts):>6.2f}")
    legs = {
        "hybrid (RRF)": {},
        "vector only": {"text_weight": 0},
        "full-text only": {"vector_weight": 0},
    }
    for setting in (False, True):
        print(
            f"\nEvidence-page recall over {len(facts)} questions (top-k distinct pages), "
            f"contents pages {'demoted' if setting else 'not demoted'}:"
        )
        print(f"  {'retriever':<16} {'@1':>6} {'@5':>6} {'@5 any page':>12} {'contents@5':>11}")
        ranks: dict[str, list] = {}
        for label, leg in legs.items():
            params = DEFAULT_PARAMS.variant(demote_contents_pages=setting, **leg)
            at1 = at5 = at5_any = cited_contents = 0
            for fact in facts:
                hits = _search(tenant, fact["question"], embedder, params)
                doc_id = str(documents[fact["document"]].pk)
                ranked = [(h.document_id, h.page) for h in hits]
                target = (doc_id, fact["page"])
                accepted = {(doc_id, p) for p in [fact["page"], *fact.get("also_pages", [])]}
                at1 += ranked[:1] == [target]
                at5 += target in ranked[:5]
                at5_any += bool(accepted & set(ranked[:5]))
                cited_contents += bool(contents_pages & set(ranked[:5]))
                ranks.setdefault(fact["id"], []).append(
                    ranked.index(target) + 1 if target in ranked else None
                )
                if not leg:
                    ranks[fact["id"]].append(
                        [
                            f"{'*' if hit in contents_pages else ''}{initial[hit[0]]}{hit[1]}"
                            for hit in ranked
                        ]
                    )
            n = len(facts)
            print(
                f"  {label:<16} {at1 / n:>6.2f} {at5 / n:>6.2f} {at5_any / n:>12.2f} "
                f"{cited_contents:>11}"
            )
        print("  (contents@5: questions with a contents/index page among the top 5)")
        print(f"\n  {'question':<30} {'page':>5} {'hybrid':>7} {'vector':>7} {'text':>5}  cited")
        for fact in facts:
            hybrid, cited, vector, text = ranks[fact["id"]]
            print(
                f"  {fact['id'][:30]:<30} {fact['page']:>5} {hybrid or '-':>7} "
                f"{vector or '-':>7} {text or '-':>5}  {' '.join(cited)}"
            )
        print("  (cited: hybrid's pages in rank order, by file initial; * = contents/index page)")


def _search(tenant, question, embedder, params):
    return hybrid_search(tenant=tenant, query=question, embedder=embedder, k=5, params=params)


WORDS = (
    "revenue profit margin segment copper lithium iron ore cloud devices services debt notes "
    "lease tax dividend cash flow capital expenditure goodwill impairment inventory receivables "
    "payables provisions equity shares buyback employees safety production guidance outlook "
    "risk currency interest covenant facility maturity acquisition subsequent event audit "
    "remuneration director chair strategy customers suppliers region quarter annual growth"
).split()


VOCABULARY = WORDS + [f"term{i}" for i in range(20_000)]
# Word frequencies follow Zipf's law, as in real text: a few words everywhere, most rare.
ZIPF = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


# Real passages are about something: half of a "topics" passage's words come from one of
# TOPICS small vocabularies (a note, a segment, a risk), the rest from the Zipf background,
# so vectors form clusters the way embeddings of real filings do. The "zipf" corpus (background
# words only) makes every vector nearly alike, the worst case for any ANN index.
TOPICS = 500
TOPIC_WORDS = 30


def _text(rng: random.Random, corpus: str = "topics") -> str:
    count = rng.randint(60, 160)
    if corpus == "zipf":
        words = rng.choices(VOCABULARY, weights=ZIPF, k=count)
    else:
        topic = random.Random(rng.randrange(TOPICS)).sample(VOCABULARY, TOPIC_WORDS)
        words = rng.choices(topic, k=count // 2) + rng.choices(
            VOCABULARY, weights=ZIPF, k=count - count // 2
        )
        rng.shuffle(words)
    return " ".join(words) + f" {rng.randint(100, 9999)}.{rng.randint(0, 9)} million"


def scale(total: int, corpus: str) -> None:
    from pgvector import Vector
    from pgvector.psycopg import register_vector

    rng = random.Random(7)
    # 100k synthetic vectors: the hashing embedder makes them in seconds (the sentence
    # model would take over an hour); the index and filter costs measured are the same.
    embedder = LocalHashEmbedder()
    tenants = [tenant_create(name=f"Bench {i}", slug=f"bench-{i}") for i in range(10)]
    # Tenant 0 holds 1 %; the other nine share the rest.
    shares = [max(1, total // 100)] + [(total - total // 100) // 9] * 9
    docs = []
    for tenant in tenants:
        docs.append(
            Document.objects.create(
                tenant=tenant,
                title=f"{tenant.slug} report",
                filename="r.pdf",
                sha256=f"{tenant.pk.hex:0<64}",
                bytes=1,
                status="ready",
            )
        )
    print(
        f"\nInserting {sum(shares):,} {corpus!r} chunks across 10 tenants "
        f"(tenant 0 holds {shares[0]:,})…"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS chunk_embedding_hnsw")
        register_vector(cursor.connection)
        columns = (
            "tenant_id, document_id, ordinal, page_start, page_end, page_label, heading, "
            "context, text, token_count, embedding, embedding_model, next_embedding_model"
        )
        with cursor.connection.cursor().copy(
            f"COPY documents_chunk ({columns}) FROM STDIN"
        ) as copy:
            for tenant, document, count in zip(tenants, docs, shares, strict=True):
                for ordinal in range(count):
                    text = _text(rng, corpus)
                    vector = embedder._embed(text)
                    copy.write_row(
                        (
                            tenant.pk,
                            document.pk,
                            ordinal,
                            1 + ordinal // 3,
                            1 + ordinal // 3,
                            "",
                            "",
                            document.title,
                            text,
                            len(text.split()),
                            Vector(vector).to_text(),
                            embedder.model_id,
                            "",
                        )
                    )
        print(f"  copied in {time.perf_counter() - started:.0f}s; building HNSW index…")
        started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE INDEX chunk_embedding_hnsw ON documents_chunk "
            "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute("ANALYZE documents_chunk")
        print(f"  index built in {time.perf_counter() - started:.0f}s")

    measured = (("tenant with 1 %", tenants[0]), ("tenant with 11 %", tenants[5]))
    print("\n  Shared HNSW index only (the baseline):")
    for label, tenant in measured:
        _measure(label, tenant, rng, embedder)
    print("\n  Building per-tenant indexes as the worker does after ingestion…")
    for tenant in tenants:
        started = time.perf_counter()
        outcome = tenant_vector_index_ensure(tenant=tenant)
        print(f"    {tenant.slug}: {outcome} ({time.perf_counter() - started:.1f}s)")
    print("\n  With per-tenant indexes (what hybrid_search uses):")
    for label, tenant in measured:
        _measure(label, tenant, rng, embedder)


def remeasure() -> None:
    """The scale measurements again on a kept database (with whatever indexes it has)."""
    from tenants.models import Tenant

    rng = random.Random(7)
    # 100k synthetic vectors: the hashing embedder makes them in seconds (the sentence
    # model would take over an hour); the index and filter costs measured are the same.
    embedder = LocalHashEmbedder()
    for tenant in Tenant.objects.filter(slug__startswith="bench-"):
        print(f"  {tenant.slug}: indexes {tenant_vector_index_ensure(tenant=tenant)}")
    for label, slug in (("tenant with 1 %", "bench-0"), ("tenant with 11 %", "bench-5")):
        _measure(label, Tenant.objects.get(slug=slug), rng, embedder)


def _measure(label: str, tenant, rng: random.Random, embedder) -> None:
    from pgvector import Vector

    # Questions share some words with one of the tenant's passages, in another order.
    sources = list(
        Chunk.objects.for_tenant(tenant).order_by("?").values_list("text", flat=True)[:200]
    )
    queries = [" ".join(rng.sample(text.split(), 8)) for text in sources]
    ann_ms, exact_ms, hybrid_ms, recalls = [], [], [], []
    # The candidate-list size hybrid_search uses for this tenant.
    with connection.cursor() as cursor:
        state = tenant_index_state(cursor, tenant.pk)
    ef = vector_ef_search(state, DEFAULT_PARAMS.candidates(10))
    for query in queries:
        vector = Vector(embedder.embed_query(query)).to_text()
        ann, t_ann = _nearest(tenant, vector, embedder.model_id, exact=False, ef_search=ef)
        exact, t_exact = _nearest(tenant, vector, embedder.model_id, exact=True)
        ann_ms.append(t_ann)
        exact_ms.append(t_exact)
        recalls.append(len(set(ann) & set(exact)) / max(1, len(exact)))
        started = time.perf_counter()
        hits = hybrid_search(tenant=tenant, query=query, embedder=embedder, k=10)
        hybrid_ms.append((time.perf_counter() - started) * 1000)
        assert len(hits) == 10, len(hits)
    plan = _plan(tenant, Vector(embedder.embed_query(queries[0])).to_text(), embedder.model_id)
    print(f"\n  {label} ({len(queries)} queries, k=10; planner uses the {plan}):")
    print(
        f"    HNSW query      p50 {_p(ann_ms, 50):6.2f} ms  p99 {_p(ann_ms, 99):6.2f} ms"
        f"  (ef_search {ef}, as hybrid_search sets it)"
    )
    print(f"    exact scan      p50 {_p(exact_ms, 50):6.2f} ms  p99 {_p(exact_ms, 99):6.2f} ms")
    print(f"    hybrid_search   p50 {_p(hybrid_ms, 50):6.2f} ms  p99 {_p(hybrid_ms, 99):6.2f} ms")
    print(f"    recall@10 of HNSW vs exact: {statistics.mean(recalls):.3f}")
    if plan.startswith("tenant btree"):
        return
    # How recall and latency trade against ef_search for this index (first 100 queries).
    sweep = []
    for ef_value in (40, 80, 160, 320):
        times, hits = [], []
        for query in queries[:100]:
            vector = Vector(embedder.embed_query(query)).to_text()
            ann, t_ann = _nearest(
                tenant, vector, embedder.model_id, exact=False, ef_search=ef_value
            )
            exact, _ = _nearest(tenant, vector, embedder.model_id, exact=True)
            times.append(t_ann)
            hits.append(len(set(ann) & set(exact)) / max(1, len(exact)))
        sweep.append(f"{ef_value}: p99 {_p(times, 99):.1f} ms, recall {statistics.mean(hits):.3f}")
    print("    ef_search sweep  " + "; ".join(sweep))


NEAREST_SQL = """
            WITH nearest AS MATERIALIZED (
                SELECT id, embedding <=> %s::vector AS distance FROM documents_chunk
                WHERE tenant_id = %s AND embedding_model = %s
                ORDER BY embedding <=> %s::vector LIMIT 10
            ) SELECT id FROM nearest ORDER BY distance
            """


def _plan(tenant, vector: str, model: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute("EXPLAIN " + NEAREST_SQL, [vector, tenant.pk, model, vector])
        plan = " ".join(row[0] for row in cursor.fetchall())
    if index_name(tenant.pk) in plan:
        return "tenant's own HNSW index"
    return "shared HNSW index" if "chunk_embedding_hnsw" in plan else "tenant btree + exact sort"


def _nearest(tenant, vector: str, model: str, *, exact: bool, ef_search: int = 60):
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if exact:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        else:
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(f"SET LOCAL hnsw.ef_search = {ef_search:d}")
        cursor.execute(NEAREST_SQL, [vector, tenant.pk, model, vector])
        ids = [row[0] for row in cursor.fetchall()]
    return ids, (time.perf_counter() - started) * 1000


def _p(values, percentile):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percentile / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--filings",
        type=Path,
        help="measure quality on DIR/*.pdf with DIR/facts.yaml instead of the generated filings",
    )
    parser.add_argument(
        "--corpus",
        choices=["topics", "zipf"],
        default="topics",
        help="scale corpus: topic-clustered passages (like real filings) or Zipf noise",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", default="", help="measure a database kept by --keep (no quality, no insert)"
    )
    args = parser.parse_args()
    with scratch_database("retrieval", keep=args.keep, reuse=args.reuse):
        if args.reuse:
            remeasure()
            return
        if not args.skip_quality:
            quality(args.filings)
        if not args.skip_scale:
            scale(args.chunks, args.corpus)


if __name__ == "__main__":
    main()
