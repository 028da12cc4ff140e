"""An answer lists up to five sources, best first, and says which ones it drew on."""

from agents.services import MAX_CITATIONS, _citations
from documents.retrieval import SearchHit


def hit(page: int) -> SearchHit:
    return SearchHit(
        chunk_id=page,
        document_id="d1",
        title="Filing",
        filename="f.pdf",
        page=page,
        page_end=page,
        page_label=str(page),
        heading="",
        text=f"text of page {page}",
        score=1 / page,
        vector_rank=page,
        text_rank=None,
    )


def test_cited_passages_come_first_then_relevant_then_the_rest_of_retrieval():
    retrieved = [hit(page) for page in range(1, 9)]
    relevant = [retrieved[2], retrieved[5]]  # pages 3 and 6; the answer's [2] is page 6
    citations = _citations("Revenue was 5 [2].", relevant, retrieved)
    assert [c["page"] for c in citations] == [6, 3, 1, 2, 4]
    assert [c["used"] for c in citations] == [True, False, False, False, False]
    assert len(citations) == MAX_CITATIONS


def test_without_references_every_relevant_passage_counts_as_used():
    retrieved = [hit(page) for page in range(1, 4)]
    citations = _citations("No bracketed references.", retrieved[1:], retrieved)
    assert [(c["page"], c["used"]) for c in citations] == [(2, True), (3, True), (1, False)]


def test_out_of_range_references_and_nothing_relevant_cite_retrieval_unused():
    retrieved = [hit(page) for page in range(1, 3)]
    citations = _citations("See [9].", [], retrieved)
    assert [(c["page"], c["used"]) for c in citations] == [(1, False), (2, False)]
