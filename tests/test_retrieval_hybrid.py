"""hybrid_search: page-cited hits, tenant isolation in SQL, k results for a small tenant,
only ready documents, only vectors of the query's embedding model."""

import random

import pytest

from documents.models import Chunk, Document
from documents.retrieval import DEFAULT_PARAMS, SearchHit, best_snippet, hybrid_search
from providers.local_provider import LocalEmbedder, LocalHashEmbedder
from tests.data.pdf_factory import filler, make_pdf
from tests.fixtures.documents import ingest_pdf

pytestmark = pytest.mark.django_db


def ingest(tenant, pages, name="report.pdf", **kwargs) -> Document:
    return ingest_pdf(tenant, make_pdf(pages, **kwargs), name=name)


def report_pages(company: str) -> list[list[str]]:
    return [
        ["Cover page", company],
        ["# Chair's letter", *filler("chair", 20)],
        [
            "# Segment information",
            "2024 A$ million  Revenue  EBITDA",
            "Iron Ore  812.4  402.6",
            f"Spodumene concentrate ({company})  248.1  61.9",
        ],
        ["# Outlook", *filler("outlook", 20)],
    ]


def test_hit_cites_the_page_label_title_and_a_snippet(tenant_a):
    document = ingest(
        tenant_a, report_pages("Northwind"), title="Northwind Annual Report", labels_from=2
    )
    hits = hybrid_search(
        tenant=tenant_a, query="How much spodumene revenue?", embedder=LocalEmbedder(), k=3
    )
    top = hits[0]
    assert isinstance(top, SearchHit)
    assert (top.document_id, top.page, top.page_end, top.page_label) == (
        str(document.pk),
        3,
        3,
        "2",
    )
    assert top.title == "Northwind Annual Report"
    assert top.filename == "report.pdf"
    assert "Spodumene concentrate (Northwind) 248.1 61.9" in top.snippet
    assert len(top.snippet) <= 300
    assert top.score > 0 and top.text_rank == 1
    assert len({(h.document_id, h.page) for h in hits}) == len(hits)  # one hit per page


def test_other_tenants_chunks_never_come_back(tenant_a, tenant_b, neighbour):
    alpha = ingest(tenant_a, report_pages("Alpha"))
    mine = ingest(tenant_b, report_pages("Beta"))
    for query in ("spodumene revenue Alpha", "chair outlook", "Beta", "Alpha", "Neighbour"):
        hits = hybrid_search(tenant=tenant_b, query=query, embedder=LocalEmbedder(), k=8)
        assert hits
        assert {h.document_id for h in hits} == {str(mine.pk)}
    # Nor the neighbour's, for the tenant beside it.
    hits = hybrid_search(
        tenant=tenant_a, query="Neighbour Holdings dividend", embedder=LocalEmbedder(), k=8
    )
    assert {h.document_id for h in hits} == {str(alpha.pk)}


def test_a_small_tenant_still_gets_k_results_among_many_rows(tenant_a, tenant_b):
    embedder = LocalHashEmbedder()  # thousands of rows: the fast lexical embedder
    rng = random.Random(3)
    words = "revenue margin copper lithium debt lease tax cash equity growth".split()
    big = Document.objects.create(
        tenant=tenant_b, title="big", filename="b.pdf", sha256="b" * 64, bytes=1, status="ready"
    )
    small = Document.objects.create(
        tenant=tenant_a, title="small", filename="s.pdf", sha256="a" * 64, bytes=1, status="ready"
    )
    rows = []
    for ordinal in range(2000):
        owner = small if ordinal % 100 == 0 else big  # tenant_a holds 1 %
        text = " ".join(rng.choice(words) for _ in range(30))
        rows.append(
            Chunk(
                tenant_id=owner.tenant_id,
                document=owner,
                ordinal=ordinal,
                page_start=ordinal + 1,
                page_end=ordinal + 1,
                text=text,
                embedding=embedder._embed(text),
                embedding_model=embedder.model_id,
            )
        )
    Chunk.objects.bulk_create(rows, batch_size=500)
    hits = hybrid_search(tenant=tenant_a, query="zzz unrelated words", embedder=embedder, k=8)
    assert len(hits) == 8
    assert {h.document_id for h in hits} == {str(small.pk)}


def test_documents_that_are_not_ready_are_not_searched(tenant_a):
    document = ingest(tenant_a, report_pages("Gamma"))
    Document.objects.filter(pk=document.pk).update(status="processing")
    assert hybrid_search(tenant=tenant_a, query="spodumene", embedder=LocalEmbedder()) == []


def test_vectors_of_another_embedding_model_are_not_compared(tenant_a):
    ingest(tenant_a, report_pages("Delta"))
    Chunk.objects.filter(tenant=tenant_a).update(embedding_model="other-model-v1")
    hits = hybrid_search(tenant=tenant_a, query="spodumene concentrate", embedder=LocalEmbedder())
    assert hits  # full-text still finds it
    assert all(h.vector_rank is None for h in hits)


def test_empty_query_returns_nothing(tenant_a):
    assert hybrid_search(tenant=tenant_a, query="  ", embedder=LocalEmbedder()) == []


def test_snippet_prefers_the_line_with_the_query_terms():
    text = "\n".join([*filler("intro", 8), "Lithium  248.1  61.9", *filler("end", 8)])
    snippet = best_snippet(text, {"lithiu"})
    assert "Lithium  248.1  61.9" in snippet
    assert len(snippet) <= 300


def test_a_page_passage_holds_every_matched_chunk_of_the_page_in_order(tenant_a):
    ingest(
        tenant_a,
        [
            ["Cover page", "Contoso"],
            [
                "# Research and development",
                *filler("rnd", 80),
                "Research and development expense  842.6  790.3",
            ],
        ],
    )
    assert Chunk.objects.for_tenant(tenant_a).filter(page_start=2).count() > 1
    hits = hybrid_search(
        tenant=tenant_a,
        query="research and development expense",
        embedder=LocalEmbedder(),
        k=2,
    )
    page = next(hit for hit in hits if hit.page == 2)
    assert page.text.startswith("Research and development")  # the heading's chunk
    assert "842.6" in page.text  # the table row's chunk


def test_a_dense_page_passage_is_capped_for_the_prompt(tenant_a):
    ingest(
        tenant_a,
        [
            ["Cover page", "Contoso"],
            [
                "# Research and development",
                *filler("rnd", 80),
                "Research and development expense  842.6  790.3",
            ],
        ],
    )
    hits = hybrid_search(
        tenant=tenant_a,
        query="research and development expense",
        embedder=LocalEmbedder(),
        k=2,
        params=DEFAULT_PARAMS.variant(max_passage_chars=200),
    )
    page = next(hit for hit in hits if hit.page == 2)
    best_alone = Chunk.objects.for_tenant(tenant_a).get(pk=page.chunk_id).text
    assert page.text == best_alone  # only the best chunk fits the cap


def test_common_terms_score_but_rare_terms_choose_the_candidates(tenant_a):
    pages = [
        [f"# Review {n}", f"Revenue of division {n} rose.", *filler(f"p{n}", 6)] for n in range(6)
    ]
    pages[4].append("Lithium revenue reached 248.1 million.")
    ingest(tenant_a, pages)
    common = DEFAULT_PARAMS.variant(common_term_chunks=3)  # "revenue" is now common

    hits = hybrid_search(
        tenant=tenant_a, query="lithium revenue", embedder=LocalEmbedder(), k=3, params=common
    )
    assert hits[0].page == 5
    assert hits[0].text_rank == 1

    only_common = hybrid_search(
        tenant=tenant_a, query="revenue", embedder=LocalEmbedder(), k=3, params=common
    )
    assert any(hit.text_rank for hit in only_common)  # all-common questions still match


def test_hnsw_candidate_list_grows_with_how_small_a_share_the_tenant_holds():
    from documents.retrieval.search import MAX_EF_SEARCH, ef_search

    assert ef_search(60, 100_000, 100_000) == 60  # a single tenant: the limit is enough
    assert ef_search(60, 11_000, 100_000) == 545  # an 11 % tenant needs ~9x the candidates
    assert ef_search(60, 100, 100_000) == MAX_EF_SEARCH  # capped (the planner scans exactly)
    assert ef_search(60, 0, 0) == 60  # empty table: still a valid setting


def test_the_vector_query_runs_with_the_scan_settings_sized_for_the_tenant(tenant_a, tenant_b):
    from django.db import connection

    from documents.retrieval.search import vector_ef_search
    from documents.tenant_indexes import TenantIndexState

    ingest(tenant_a, report_pages("Alpha"))
    ingest(tenant_b, report_pages("Beta"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_chunk")  # the table size is the planner's estimate
        cursor.execute("SELECT set_config('hnsw.ef_search', '7', false)")
    hybrid_search(tenant=tenant_a, query="spodumene", embedder=LocalEmbedder(), k=8)
    a_rows = Chunk.objects.for_tenant(tenant_a).count()
    expected = vector_ef_search(
        TenantIndexState(a_rows, Chunk.objects.count(), "missing"), limit=48
    )
    assert expected > 48  # A holds about half the rows: more candidates than the limit
    with connection.cursor() as cursor:
        cursor.execute("SHOW hnsw.ef_search")
        assert cursor.fetchone()[0] == str(expected)
        cursor.execute("SHOW hnsw.iterative_scan")
        assert cursor.fetchone()[0] == "relaxed_order"


def contents_report() -> list[list[str]]:
    """A filing whose contents page lists every section title with its page."""
    sections = [
        ("Chair's letter", "chair"),
        ("Operating and financial review", "review"),
        ("Directors' report", "directors"),
        ("Remuneration report", "pay"),
        ("Five-year summary", "history"),
        ("Notes to the financial statements", "notes"),
    ]
    contents = ["# Contents"] + [
        f"{title} {'.' * 20} {page}" for page, (title, _) in enumerate(sections, start=3)
    ]
    pages = [["Northwind Minerals Annual Report 2024"], contents]
    for title, topic in sections:
        pages.append([f"# {title}", *filler(topic, 14)])
    pages[5].append("Total remuneration of the Managing Director was A$2.4 million.")
    return pages


def test_a_contents_page_is_not_cited_above_the_page_with_the_evidence(tenant_a):
    ingest(tenant_a, contents_report())

    hits = hybrid_search(
        tenant=tenant_a,
        query="What total remuneration did the remuneration report show for the directors?",
        embedder=LocalEmbedder(),
        k=3,
    )
    pages = [hit.page for hit in hits]
    assert pages[0] == 6  # the remuneration report page
    assert 2 not in pages  # the contents page is behind every page with matching text


def test_contents_listings_are_told_from_tables_and_prose():
    from documents.chunking import is_contents_listing

    contents = (
        "## Table of Contents\nPage\nItem 1. Business 4\nItem 1A. Risk Factors 12\n"
        "Item 7. Management's Discussion and Analysis of Financial Condition and\n"
        "Results of Operations 38\nItem 7A. Quantitative and Qualitative Disclosures "
        "About Market Risk . . . . 52\nItem 8. Financial Statements 55\nItem 9A. Controls and "
        "Procedures 97"
    )
    front_matter = "Chair's letter ii\nHighlights iii\nDirectors' report 1\nNotes 12\nIndex 99"
    table = (
        "A$ million 2024 2023\nRevenue 1,482.3 1,301.7\nCost of sales (842.1) (702.5)\n"
        "Gross profit 640.2 599.2\nFinance costs (24.9) (21.4)\nIncome tax (92.1) (79.5)"
    )
    counts = "Employees by region\nPilbara 812\nGoldfields 421\nAtacama 248\nOffice 97\nChile 40"
    assert is_contents_listing(contents)
    assert is_contents_listing(front_matter)
    assert not is_contents_listing(table)
    assert not is_contents_listing(counts)  # numbers that do not ascend are not pages
    assert not is_contents_listing("\n".join(filler("prose", 8)))


def test_a_question_about_the_fourth_quarter_finds_the_q4_column(tenant_a):
    pages = [
        [
            "# Our results may fluctuate from quarter to quarter",
            f"Revenue in any quarter may fall short of the revenue of the quarter before {why}.",
            *filler(why, 6),
        ]
        for why in ("seasonally", "in downturns", "after price cuts", "on delays", "abroad")
    ]
    pages.append(
        [
            "# Results by period (unaudited)",
            "(in millions)  Q1  Q2  Q3  Q4",
            "Net revenues  1,398.7  1,451.0  1,502.7  1,702.4",
            *filler("unaudited", 8),
        ]
    )
    ingest(tenant_a, pages)

    hits = hybrid_search(
        tenant=tenant_a,
        query="What were revenues in the fourth quarter?",
        embedder=LocalEmbedder(),
        k=3,
    )
    q4_page = [hit for hit in hits if hit.page == 6]
    assert q4_page and q4_page[0].text_rank == 1  # the full-text leg's best match


def test_period_variants_name_the_same_period_as_filings_print_it():
    from documents.retrieval.text import period_variants

    assert period_variants("revenue in the fourth quarter of 2023") == "Q4"
    assert period_variants("Q2 operating income") == "second quarter"
    assert period_variants("capital expenditure in FY2024 and FY'23") == "2024 2023"
    assert period_variants("How many employees?") == ""


def test_chunks_on_contents_pages_are_flagged_at_ingestion_and_by_the_backfill(tenant_a):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("documents.migrations.0002_chunk_on_contents_page")
    ingest(tenant_a, contents_report())
    flagged = set(
        Chunk.objects.for_tenant(tenant_a)
        .filter(on_contents_page=True)
        .values_list("page_start", flat=True)
    )
    assert flagged == {2}

    Chunk.objects.for_tenant(tenant_a).update(on_contents_page=False)  # as before 0002
    backfill.flag_existing_contents_pages(apps, None)
    assert set(
        Chunk.objects.for_tenant(tenant_a)
        .filter(on_contents_page=True)
        .values_list("page_start", flat=True)
    ) == {2}


def statement_report(company: str) -> list[list[str]]:
    return [
        ["Cover page", f"{company} annual report"],
        [
            "# Liquidity and capital resources",
            "Capital expenditures rose as we expanded capacity; capital expenditures are "
            "expected to stay high.",
            *filler("liquidity", 10),
        ],
        [
            "Consolidated Statements of Cash Flows",
            "(in millions) 2024 2023",
            "Net cash provided by operating activities 1,200 1,100",
            "Purchases of property, plant and equipment (400) (350)",
            "Net cash used in investing activities (420) (365)",
        ],
        ["# Outlook", *filler("outlook", 20)],
    ]


def test_the_statement_leg_brings_the_statement_the_question_names(tenant_a, tenant_b):
    mine = ingest(tenant_a, statement_report("Northwind"))
    ingest(tenant_b, statement_report("Contoso"))
    question = "What were capital expenditures in 2024? Use the cash flow statement."
    with_leg = DEFAULT_PARAMS.variant(statement_weight=1.0)
    hits = hybrid_search(
        tenant=tenant_a, query=question, embedder=LocalEmbedder(), k=3, params=with_leg
    )
    led = [hit for hit in hits if hit.statement_rank]
    assert [(hit.document_id, hit.page, hit.statement_rank) for hit in led] == [
        (str(mine.pk), 3, 1)
    ]
    assert {hit.document_id for hit in hits} == {str(mine.pk)}  # never tenant B's statement
    # No statement asked, or the leg weighted 0: no statement leg.
    plain = hybrid_search(
        tenant=tenant_a,
        query="What is the outlook?",
        embedder=LocalEmbedder(),
        k=3,
        params=with_leg,
    )
    off = hybrid_search(
        tenant=tenant_a,
        query=question,
        embedder=LocalEmbedder(),
        k=3,
        params=DEFAULT_PARAMS.variant(statement_weight=0),
    )
    assert not any(hit.statement_rank for hit in plain + off)
