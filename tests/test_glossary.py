"""Analysts' metric names expand into the words filings print."""

from documents.glossary import expansions, statements_asked


def test_metric_names_expand_to_line_items_and_their_statement():
    assert "purchases of property, plant and equipment" in expansions("FY2018 capex for 3M?")
    assert "accounts payable" in expansions("What is the days payable outstanding (DPO)?")
    assert "total current liabilities" in expansions("Compute the quick ratio")
    assert "Cash flow statement" in expansions("Use the cash flow statement.")


def test_names_printed_as_asked_are_not_expanded_for_full_text():
    assert "net sales" in expansions("What was total revenue?")
    assert expansions("What was total revenue?", full_text=True) == ""


def test_a_question_without_metric_names_expands_to_nothing():
    assert expansions("Who is the chief executive?") == ""


def test_statements_asked_are_those_named_then_those_the_metrics_are_read_from():
    cash = "Cash flow statement"
    balance = "Balance sheet (statement of financial position)"
    income = "Income statement (statement of operations, profit and loss)"
    assert statements_asked("FY2018 capex? Use the statement of cash flows.") == [cash]
    assert statements_asked("What is the DPO? Use the P&L.") == [income, balance]
    assert statements_asked("What is the DPO?", metrics=False) == []
    assert statements_asked("Who is the new CEO?") == []


def test_cash_flow_written_as_one_word_is_the_same_metric_and_statement():
    assert "capital expenditures" in expansions("Is free cashflow conversion improving?")
    assert statements_asked("Use the cashflow statement.") == ["Cash flow statement"]
