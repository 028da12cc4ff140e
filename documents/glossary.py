"""Analysts' metric and statement names, expanded into the words filings print.

A question asks for "days payable outstanding" or "capex"; the page says "Accounts payable",
"Cost of sales", "Purchases of property, plant and equipment". Retrieval searches with the
question and these expansions (no model call), so the page is found whichever provider the
tenant uses; a remote model's transform_query does the same kind of rewrite on a retry.
"""

import re

# (pattern over the lower-cased question, the line items and statement the metric is read from)
METRICS: tuple[tuple[str, str], ...] = (
    (
        r"\bcapex\b|capital expenditures?|capital spending|capital[- ]intensive",
        "purchases of property, plant and equipment additions to property capital "
        "expenditures cash flow statement investing activities",
    ),
    (
        r"\bpp&?n?e\b|ppne|property,? plant,? and equipment|fixed assets",
        "property, plant and equipment net accumulated depreciation balance sheet",
    ),
    (
        r"days payable|\bdpo\b",
        "accounts payable cost of sales cost of goods sold inventories balance sheet "
        "income statement",
    ),
    (
        r"days (sales|receivables?)|\bdso\b",
        "accounts receivable net revenue net sales balance sheet income statement",
    ),
    (
        r"days inventory|inventory turnover|\bdio\b",
        "inventories cost of sales cost of goods sold balance sheet",
    ),
    (
        r"quick ratio|acid[- ]test",
        "cash and cash equivalents marketable securities short-term investments accounts "
        "receivable total current assets total current liabilities balance sheet",
    ),
    (
        r"current ratio|working capital|liquidity",
        "total current assets total current liabilities balance sheet",
    ),
    (
        r"free cash ?flows?|\bfcf\b",
        "net cash provided by operating activities purchases of property, plant and "
        "equipment capital expenditures cash flow statement",
    ),
    (
        r"operating cash ?flows?|cash from operations|cash ?flows? from operating",
        "net cash provided by operating activities cash flow statement",
    ),
    (
        r"dividend payout|dividends? paid|dividends? per share",
        "dividends paid cash dividends declared per share net income",
    ),
    (
        r"gross (profit )?margin|gross profit",
        "gross profit net sales revenue cost of sales cost of goods sold income statement",
    ),
    (
        r"operating (profit )?margin|operating income|\bebit\b",
        "operating income operating profit net sales revenue income statement",
    ),
    (
        r"\bebitda\b",
        "operating income depreciation and amortization cash flow statement income statement",
    ),
    (
        r"net (profit )?margin|net income|net earnings|\bprofit\b",
        "net income net earnings attributable revenue income statement",
    ),
    (
        r"effective tax rate|income tax",
        "provision for income taxes income before income taxes effective tax rate",
    ),
    (
        r"return on assets|\broa\b",
        "net income total assets balance sheet income statement",
    ),
    (
        r"return on equity|\broe\b",
        "net income total shareholders equity balance sheet income statement",
    ),
    (
        r"debt to equity|leverage|total debt|long[- ]term debt|net debt",
        "long-term debt short-term borrowings current maturities total debt total equity "
        "balance sheet",
    ),
    (
        r"interest coverage",
        "interest expense operating income income statement",
    ),
    (
        r"asset turnover",
        "net sales revenue total assets balance sheet income statement",
    ),
    (
        r"cost of goods sold|\bcogs\b",
        "cost of sales cost of goods sold cost of revenue income statement",
    ),
    (
        r"\brevenue|\bsales\b|top line",
        "net sales total revenues net revenues income statement",
    ),
    (
        r"\beps\b|earnings per share",
        "earnings per share basic diluted net income per share income statement",
    ),
    (
        r"share repurchases?|buybacks?|repurchase of (common )?stock",
        "repurchases of common stock treasury stock purchased cash flow statement",
    ),
    (
        r"\bd&a\b|depreciation|amortization",
        "depreciation and amortization cash flow statement",
    ),
    (
        r"inventor(y|ies)",
        "inventories balance sheet",
    ),
    (
        r"total assets",
        "total assets balance sheet",
    ),
)

# The statement a question tells us to use, as chunk contexts label it (chunking.STATEMENTS).
STATEMENT_NAMES: tuple[tuple[str, str], ...] = (
    (r"cash ?flows? statements?|statements? of cash ?flows?", "Cash flow statement"),
    (
        r"balance sheets?|statements? of financial position",
        "Balance sheet (statement of financial position)",
    ),
    (
        r"income statements?|statements? of (income|operations|earnings)|p&l|profit and loss",
        "Income statement (statement of operations, profit and loss)",
    ),
)
# Names filings print as they are ("revenue", "net income"): the full-text leg already
# matches them, and their expansions there only pull in every statement that has a total.
PRINTED_AS_ASKED = frozenset(
    pattern
    for pattern, _ in METRICS
    if pattern.startswith(
        (r"\brevenue", r"net (profit )?margin", r"inventor", r"total assets", r"cost of goods")
    )
)
_METRICS = [(re.compile(pattern), words, pattern in PRINTED_AS_ASKED) for pattern, words in METRICS]
_STATEMENT_NAMES = [(re.compile(pattern), label) for pattern, label in STATEMENT_NAMES]


def expansions(question: str, *, full_text: bool = False) -> str:
    """The words and statement labels to search with besides the question's own; for the
    full-text leg (`full_text`), without those of names printed as asked."""
    text = question.lower()
    found = [
        words
        for pattern, words, printed in _METRICS
        if pattern.search(text) and not (full_text and printed)
    ]
    return " ".join(dict.fromkeys(found + _named_statements(text)))


def _named_statements(text: str) -> list[str]:
    """The statement labels whose names the lower-cased text contains."""
    return [label for pattern, label in _STATEMENT_NAMES if pattern.search(text)]


def statements_asked(question: str, *, metrics: bool = True) -> list[str]:
    """The chunk-context labels (chunking.STATEMENTS) of the primary statements a question
    names ("use the cash flow statement", "P&L") and, with `metrics`, of those its metrics
    are read from (DPO: the balance sheet and the income statement), first named first."""
    text = question.lower()
    found = _named_statements(text)
    if metrics:
        words = " ".join(words for pattern, words, _ in _METRICS if pattern.search(text))
        found += _named_statements(words)
    return list(dict.fromkeys(found))
