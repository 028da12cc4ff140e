"""The sql route: answer from the figures of the tenant's tables (documents/facts.py).

The chat model writes one SELECT over the views ``facts`` and ``filings``; the platform checks
it (sqlglot) and runs it read-only, as a restricted role, in a transaction bound to the
tenant; a refused or failed statement goes back to the model with the reason, at most
``max_sql_attempts`` times per question. Rows become numbered passages that carry their
document, page and cell box, and the model answers from them citing rows. No rows: the
question goes on to financial_docs when the tenant has it.

Offline (the simulated local provider) no model writes SQL: ``offline_lookup_sql`` builds a
deterministic "line item + period" lookup, and the answer lists the figures found with their
periods and pages, labelled as an offline lookup. It computes nothing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from agents import prompts
from agents.self_rag import messages
from documents.facts import MAX_ROWS, VIEWS_DOC, SqlFailed, SqlRejected

OFFLINE_LABEL = "Offline lookup over the extracted tables (no model; nothing computed):"
NO_FACTS = "No figure in the tables extracted from your documents answers this question."
PROVENANCE = ("document_id", "page")

# Words of a question that name no line item.
_STOP = frozenset(
    """
    a an and are as at by did do does for from had has have how in is it its of on or our
    the their this to was were what which with year years fiscal fy quarter q1 q2 q3 q4
    company company's reported report reports value amount figure figures much many
    between change compare compared versus vs difference during ended ending end period
    annual quarterly statement statements million millions billion billions usd dollars
    """.split()
)
_WORD = re.compile(r"[a-z][a-z&'-]{2,}")
_YEAR = re.compile(r"\b(?:fy\s?)?((?:19|20)\d{2})\b", re.IGNORECASE)
_SHORT_YEAR = re.compile(r"\bfy\s?(\d{2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class FactPassage:
    """A row of the route's result as a passage: its text is the row's columns, and it
    carries where its figure is printed (page and the cell's box) for the citation."""

    text: str
    document_id: str | None
    title: str = ""
    page: int | None = None
    page_label: str = ""
    highlights: list = field(default_factory=list)
    score: float = 1.0
    chunk_id: int | None = None
    chunk_ids: tuple = ()

    @property
    def snippet(self) -> str:
        return self.text[:300]

    @property
    def cited(self) -> bool:
        return bool(self.document_id) and self.page is not None


def question_terms(question: str, *, companies: list[str] = ()) -> list[str]:
    """The words of ``question`` that may name a line item (not the company's name)."""
    skip = set(_STOP)
    for company in companies:
        skip.update(_WORD.findall(company.lower()))
    seen: list[str] = []
    for word in _WORD.findall(question.lower()):
        word = word.strip("'-").removesuffix("'s")
        if len(word) >= 3 and word not in skip and word not in seen:
            seen.append(word)
    return seen


def question_years(question: str) -> list[int]:
    years = {int(y) for y in _YEAR.findall(question)}
    years |= {2000 + int(y) for y in _SHORT_YEAR.findall(question)}
    return sorted(years)


def offline_lookup_sql(
    question: str, *, companies: list[str] = (), document_ids=None, limit: int = 10
) -> str:
    """A deterministic SELECT for a "line item + period" question, or "" when the question
    names no line item: the rows whose label matches most of the question's words (their
    stems), of the years it names (and of ``document_ids``, the query's scope, when given)."""
    words = question_terms(question, companies=companies)
    if not words:
        return ""
    stems = [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words]
    matches = [
        exp.ILike(this=exp.column("line_path"), expression=exp.Literal.string(f"%{stem}%"))
        for stem in stems
    ]
    score = None
    for match in matches:
        term = exp.Case().when(match, exp.Literal.number(1)).else_(exp.Literal.number(0))
        score = term if score is None else exp.Add(this=score, expression=term)
    where = exp.or_(*matches)
    if years := question_years(question):
        where = exp.and_(where, exp.column("fiscal_year").isin(*years))
    shown = ["document_id", "document_title", "company", "line_path", "period"]
    shown += ["value_text", "unit", "page", "cell_id"]
    scored = (
        exp.select(*shown, "fiscal_year", exp.alias_(score, "score")).from_("facts").where(where)
    )
    best = exp.select("max(score)").from_("scored").subquery()
    query = (
        exp.select(*shown)
        .from_("scored")
        .where(exp.column("score").eq(best))
        .order_by("fiscal_year DESC NULLS LAST", "page", "cell_id")
        .limit(limit)
        .with_("scored", as_=scored)
    )
    return query.sql(dialect="postgres")


def row_text(columns: list[str], row: tuple) -> str:
    shown = [
        f"{name}: {value}"
        for name, value in zip(columns, row, strict=True)
        if value not in (None, "") and name not in ("document_id", "cell_id")
    ]
    return "; ".join(shown)


def offline_answer(passages: list[FactPassage]) -> str:
    lines = []
    for number, passage in enumerate(passages, start=1):
        lines.append(f"{passage.text} [{number}]")
    return f"{OFFLINE_LABEL} " + " | ".join(lines)


@dataclass
class SqlAttempt:
    sql: str
    rows: int | None = None
    error: str = ""

    def as_json(self) -> dict:
        out = {"sql": self.sql}
        if self.error:
            out["error"] = self.error
        else:
            out["rows"] = self.rows
        return out


@dataclass
class SqlRouteDeps:
    """What the sql route needs from the platform: run a statement for the asking tenant
    (check + execute, returning documents.facts.FactsResult, raising SqlRejected/SqlFailed),
    turn a result into cited passages, and whether the model is the offline one."""

    run_sql: Callable | None = None
    passages: Callable | None = None  # (FactsResult) -> list[FactPassage]
    max_sql_attempts: int = 2
    offline: bool = False
    companies: list[str] = field(default_factory=list)  # the tenant's, for offline lookups


def answer_with_sql(question: str, chat, deps: SqlRouteDeps) -> dict:
    """The route's work: a state update (answer, relevant passages, fall back or not) and
    the attempts for the trace."""
    attempts: list[SqlAttempt] = []
    failures: list[tuple[str, str]] = []
    passages: list[FactPassage] = []
    tries = 1 if deps.offline else deps.max_sql_attempts
    for _ in range(tries):
        if deps.offline:
            text = offline_lookup_sql(question, companies=deps.companies)
        else:
            system = prompts.SQL_SYSTEM.format(views=VIEWS_DOC, max_rows=MAX_ROWS)
            text = chat.structured(
                messages(system, prompts.sql_user(question, failures)), prompts.SqlQuery
            ).sql.strip()
        if not text:
            attempts.append(SqlAttempt(sql="", error="no statement: the facts cannot answer"))
            break
        try:
            result = deps.run_sql(text)
        except (SqlRejected, SqlFailed) as exc:
            attempts.append(SqlAttempt(sql=text, error=str(exc)))
            failures.append((text, str(exc)))
            continue
        missing = [name for name in PROVENANCE if name not in result.columns]
        if result.rows and missing:
            reason = (
                f"the result has no {', '.join(missing)} column: select document_id and page "
                "for every figure so the answer can cite where it is printed"
            )
            attempts.append(SqlAttempt(sql=result.sql, rows=len(result.rows), error=reason))
            failures.append((text, reason))
            continue
        attempts.append(SqlAttempt(sql=result.sql, rows=len(result.rows)))
        passages = deps.passages(result)
        break
    detail = {"attempts": [a.as_json() for a in attempts]}
    if not passages:
        return {"sql_fallback": True, "passages": [], "detail": detail}
    if deps.offline:
        answer = offline_answer(passages)
    else:
        answer = chat.generate(
            messages(prompts.SQL_ANSWER_SYSTEM, prompts.generate_user(question, passages))
        )
    return {
        "answer": answer,
        "passages": passages,
        "relevant": passages,
        "sql_fallback": False,
        "detail": detail,
    }
