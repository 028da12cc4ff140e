"""Prompts and their structured-output schemas, as named constants.

Passages are always shown to models as ``[n] (title, p. X) text`` blocks; the same
format is parsed back by the offline local model (providers.local_provider).
"""

from typing import Literal

from pydantic import BaseModel, Field

from agents.state import Passage
from tenants.models import ROUTES

Route = Literal[ROUTES]  # the routes a tenant may enable


class RouterQuery(BaseModel):
    """Route a user question to the most relevant datasource."""

    datasource: Route = Field(
        description="financial_docs for questions about the tenant's uploaded filings and "
        "reports; web_search for current events or facts not in those documents; sql for "
        "questions that compute, compare or aggregate figures of the documents' tables (a "
        "change between periods, a ratio, a sum, figures across filings)."
    )


class GradeDocuments(BaseModel):
    """Which retrieved passages are relevant to the question (all graded in one call)."""

    relevant: list[int] = Field(
        description="Numbers of the passages that contain information relevant to the question."
    )


class GradeGeneration(BaseModel):
    """Two verdicts on an answer: is it grounded in the passages, does it answer the question."""

    grounded: bool = Field(description="Every claim in the answer is supported by the passages.")
    answers_question: bool = Field(description="The answer resolves the question.")
    reason: str = Field(default="", description="One short sentence explaining the verdicts.")


class SqlQuery(BaseModel):
    """One PostgreSQL SELECT over the views facts and filings that fetches the figures the
    question needs."""

    sql: str = Field(
        description="One SELECT over the views facts and filings, with document_id and page "
        "for every figure; an empty string when these views cannot answer the question."
    )


class RewrittenQuestion(BaseModel):
    """A question rewritten for better retrieval from financial filings."""

    question: str = Field(description="The improved question.")


ROUTER_SYSTEM = (
    "You route questions for a financial document assistant. Choose one datasource from: "
    "{routes}. Choose sql, when offered, for questions that compute, compare or aggregate "
    "figures (a change between years, a ratio, a total across filings). Prefer "
    "financial_docs for anything else that could be answered from the company's own annual "
    "reports, 10-K filings or financial statements."
)

GRADE_DOCUMENTS_SYSTEM = (
    "You grade retrieved passages from financial filings. For each numbered passage decide "
    "whether it contains information that helps answer the question (figures, tables, notes "
    "or statements on the topic). Return the numbers of the relevant passages; return an empty "
    "list if none is relevant. Do not answer the question."
)

GENERATE_SYSTEM = (
    "You answer questions about financial documents using only the numbered passages. Cite "
    "every claim with the passage number in square brackets, e.g. [2]. Quote figures exactly "
    "as written, with their units and periods. If the passages do not contain the answer, say "
    "so plainly. Be concise: at most five sentences."
)

GRADE_GENERATION_SYSTEM = (
    "You check an answer against the numbered passages it was written from. grounded: true "
    "only if every claim and figure in the answer is supported by the passages. "
    "answers_question: true only if the answer resolves the question."
)

REWRITE_SYSTEM = (
    "You rewrite a question so that a search over annual reports and 10-K filings finds the "
    "evidence: use the terms such filings use (e.g. 'revenue' and 'net sales', 'profit' and "
    "'net income'), name the statement or note, keep every company name, period and figure. "
    "For a metric or ratio (days payable outstanding, quick ratio, free cash flow, capex), "
    "name the line items it is computed from as filings print them; the line items listed "
    "with the question, when given, are those the platform's glossary knows."
)

SQL_SYSTEM = (
    "You write one PostgreSQL SELECT that fetches, from the tables extracted from a tenant's "
    "financial documents, the figures needed to answer the question. Read only these views:\n"
    "{views}\n"
    "Rules: one SELECT (WITH is allowed); no other tables, no schema names, no system "
    "functions; select the figures themselves, one row per figure, each with document_id, "
    "page, line_item, period and value_text (the answer does the arithmetic, so do not "
    "aggregate away where a figure came from); match labels with ILIKE and several spellings "
    "(e.g. '%revenue%' OR '%net sales%'); filter company with ILIKE; at most {max_rows} rows. "
    "If the views cannot answer the question, return an empty sql."
)

SQL_ANSWER_SYSTEM = (
    "You answer a question from the numbered rows a SQL query returned over figures extracted "
    "from financial documents. Use only those rows; cite each figure with its row number in "
    "square brackets, e.g. [2]; give units and periods; show any arithmetic you do (a change, "
    "a ratio) with the figures it uses. If the rows do not answer the question, say so."
)

WEB_ANSWER_SYSTEM = (
    "You answer using only the numbered web search results. Cite each claim with the result "
    "number in square brackets. If the results do not answer the question, say so."
)


def format_passages(passages: list[Passage]) -> str:
    """Number the passages for a prompt: ``[n] (title, p. X) text``."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        blocks.append(f"[{number}] ({passage.title}, p. {passage.page_label}) {passage.text}")
    return "\n\n".join(blocks)


def question_block(question: str) -> str:
    return f"Question: {question}"


def grade_documents_user(question: str, passages: list[Passage]) -> str:
    return f"{question_block(question)}\n\nPassages:\n{format_passages(passages)}"


def generate_user(question: str, passages: list[Passage]) -> str:
    return f"{question_block(question)}\n\nPassages:\n{format_passages(passages)}"


def grade_generation_user(question: str, passages: list[Passage], answer: str) -> str:
    return (
        f"{question_block(question)}\n\nPassages:\n{format_passages(passages)}\n\nAnswer:\n{answer}"
    )


def sql_user(question: str, failures: list[tuple[str, str]]) -> str:
    """The SQL request; `failures` are the earlier attempts of this question and why each
    failed, so the model can correct itself."""
    text = question_block(question)
    for sql, reason in failures:
        text += f"\n\nAn earlier attempt:\n{sql}\nfailed: {reason}"
    return text


def rewrite_user(question: str, line_items: str = "") -> str:
    """The rewrite request; `line_items` are the glossary's printed names for the metrics
    and statements the question names (documents.glossary.expansions)."""
    if not line_items:
        return question_block(question)
    return f"{question_block(question)}\n\nLine items filings print for it: {line_items}"
