"""Chunks of a primary financial statement say which statement they are part of."""

from documents.chunking import PageText, plan_chunks, statement_of


def test_statement_titles_are_recognised_even_when_extraction_splits_a_word():
    assert statement_of(["3M Company and Subsidiaries", "## Consolidated Balance Shee t"])[0] == (
        "balance_sheet"
    )
    assert statement_of(["CONSOLIDATED STATEMENTS OF CASH FLOWS", "(in millions)"])[0] == (
        "cash_flow"
    )
    assert statement_of(["Consolidated Statement of Operations"])[0] == "income"
    assert statement_of(["Consolidated Statements of Comprehensive Income"])[0] == (
        "comprehensive_income"
    )
    assert statement_of(["Consolidated Statements of Shareholders' Equity"])[0] == "equity"


def test_running_text_and_notes_are_not_statements():
    prose = (
        "The consolidated statements of cash flows and the balance sheets referred to above "
        "present fairly, in all material respects, the financial position of the company."
    )
    assert statement_of([prose]) == ("", "")
    assert statement_of(["Notes to Consolidated Financial Statements"]) == ("", "")
    assert statement_of(["Total net revenues 6,054.8 5,554.9 balance sheet"]) == ("", "")
    # A title below the top of the page is a mention, not the page's statement.
    assert statement_of([f"line {n}" for n in range(20)] + ["Balance Sheets"]) == ("", "")


def test_chunk_context_carries_the_statement_for_embedding_and_search():
    pages = [
        PageText(1, "", "Consolidated Statements of Cash Flows\nNet income 5,363 4,869"),
        PageText(2, "", "Item 7. Management's Discussion\nRevenue grew in every segment."),
    ]
    first, second = plan_chunks(pages, title="Acme 10-K")
    assert "Cash flow statement" in first.context
    assert "Cash flow statement" in first.embedding_input
    assert "statement" not in second.context.lower()
