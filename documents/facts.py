"""The facts of a tenant's tables as SQL, for the sql route: two read-only views, the check a
model-written statement must pass, and the one way to run it.

The views (documents/migrations/0007_facts_views.py) are ``security_invoker``: whoever reads
them is subject to the tenant policy of the tables under them. A statement runs
(``run_checked``) in a transaction bound to one tenant by the database
(tenants.row_security.tenant_transaction, read only), as the role ``rag_sql_reader`` (no
login, no BYPASSRLS, SELECT on the views and the columns they read, nothing else), with a
statement timeout. The tenant boundary therefore never depends on the text: a literal with
another tenant's document id finds no row. The check (``check_sql``, sqlglot) is the second
layer: exactly one SELECT, only the views, only the listed functions and casts (no
``set_config``, ``current_setting``, ``pg_sleep``, catalogs), and a LIMIT.
docs/agents.md ("The sql route") and docs/reliability-and-security.md have the why.
"""

import uuid
from dataclasses import dataclass

import sqlglot
import structlog
from django.db import DatabaseError
from sqlglot import exp

from tenants.row_security import tenant_transaction

log = structlog.get_logger(__name__)

READER_ROLE = "rag_sql_reader"
MAX_ROWS = 50
VIEWS = ("facts", "filings")

# What the model is told (agents/prompts.py shows it verbatim); the columns are the views'.
VIEWS_DOC = """\
facts: one row per figure of a table read from the tenant's documents.
  document_id uuid, document_title text, company text, form_type text (10-K, 10-Q, 8-K,
  annual_report, earnings_release), filing_fiscal_year int (the fiscal year of the
  document), table_title text, statement text (income, balance_sheet, cash_flow,
  comprehensive_income, equity; NULL for other tables), line_item text (the row's label,
  e.g. 'Total net revenues'), line_path text (the sections above it and the label,
  joined by ' > ', e.g. 'Net revenues > Cloud Services'), column_header text (as
  printed), period text ('FY2023', 'Q2 2023', 'December 31, 2022'), fiscal_year int,
  period_end date, period_months int (12 for a year, 3 for a quarter; NULL at a date),
  value numeric (scale applied: 6054.8 printed in millions is 6054800000), value_text
  text (as printed), unit text ('USD', 'USD/share', '%', ''), page int (the PDF page).
filings: one row per ready document.
  document_id uuid, title text, filename text, company text, ticker text, form_type text,
  fiscal_year int, fiscal_quarter int, period_end date, pages int."""

ALLOWED_FUNCTIONS = frozenset(
    {
        # sqlglot models these operators as functions too
        "And",
        "Or",
        "Xor",
        "Exists",
        "Sum",
        "Avg",
        "Min",
        "Max",
        "Count",
        "Stddev",
        "Round",
        "Abs",
        "Floor",
        "Ceil",
        "Sign",
        "Pow",
        "Sqrt",
        "Coalesce",
        "Nullif",
        "Greatest",
        "Least",
        "Case",
        "If",
        "Cast",
        "Extract",
        "Lower",
        "Upper",
        "Length",
        "Substring",
        "Trim",
        "Concat",
        "Left",
        "Right",
        "Replace",
        "StrPosition",
        "GroupConcat",
        "ArrayAgg",
        "RowNumber",
        "Rank",
        "DenseRank",
        "Lag",
        "Lead",
    }
)
ALLOWED_CASTS = frozenset(
    {
        exp.DataType.Type.DECIMAL,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.FLOAT,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.DATE,
        exp.DataType.Type.BOOLEAN,
    }
)
_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)


class SqlRejected(Exception):
    """A statement that does not pass the check; the message says why, to the model too."""


class SqlFailed(Exception):
    """A checked statement the database refused or stopped (timeout, unknown column…)."""


@dataclass(frozen=True)
class FactsResult:
    sql: str  # the statement as run (normalised by sqlglot, LIMIT applied)
    columns: list[str]
    rows: list[tuple]


def _function_name(node: exp.Func) -> str:
    return node.name if isinstance(node, exp.Anonymous) else type(node).__name__


def check_sql(text: str, *, max_rows: int = MAX_ROWS, document_ids=None) -> str:
    """The statement to run for ``text``, or SqlRejected with the reason. With
    ``document_ids`` (the query's scope) each view it reads shows those documents only."""
    text = (text or "").strip().rstrip(";").strip()
    if not text:
        raise SqlRejected("The statement is empty.")
    try:
        statements = [s for s in sqlglot.parse(text, read="postgres") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise SqlRejected(f"The statement does not parse: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise SqlRejected(f"Exactly one statement is allowed; this text has {len(statements)}.")
    tree = statements[0]
    if not isinstance(tree, _ROOTS):
        raise SqlRejected(f"Only SELECT is allowed, not {tree.key.upper()}.")
    for node in tree.walk():
        if isinstance(node, exp.Command | exp.DDL | exp.DML):
            raise SqlRejected(f"Only SELECT is allowed, not {node.key.upper()}.")
        if isinstance(node, exp.Into):
            raise SqlRejected("SELECT … INTO creates a table; it is not allowed.")
        if isinstance(node, exp.Lock):
            raise SqlRejected("Locking clauses (FOR UPDATE/SHARE) are not allowed.")
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    if shadowed := sorted(ctes & set(VIEWS)):
        raise SqlRejected(f"A WITH query may not be named like a view ({shadowed[0]}).")
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise SqlRejected("Only the views facts and filings can be read.")
        if table.args.get("db") or table.args.get("catalog"):
            raise SqlRejected(
                f"Schema-qualified names ({table.sql(dialect='postgres')}) are not allowed; "
                "read the views facts and filings."
            )
        name = table.name.lower()
        if name not in VIEWS and name not in ctes:
            raise SqlRejected(f"Unknown table {table.name}: read only the views facts, filings.")
    for node in tree.find_all(exp.Func):
        name = _function_name(node)
        if name not in ALLOWED_FUNCTIONS:
            raise SqlRejected(f"The function {name.lower()} is not allowed here.")
        if isinstance(node, exp.Cast) and node.to.this not in ALLOWED_CASTS:
            raise SqlRejected(f"Casting to {node.to.sql(dialect='postgres')} is not allowed.")
    if document_ids is not None:
        tree = _scoped(tree, [str(d) for d in document_ids])
    limit = tree.args.get("limit")
    if limit is not None:
        given = limit.expression
        if not (isinstance(given, exp.Literal) and given.is_int):
            raise SqlRejected("LIMIT must be a whole number.")
        if int(given.this) > max_rows:
            tree = tree.limit(max_rows, copy=True)
    else:
        tree = tree.limit(max_rows, copy=True)
    return tree.sql(dialect="postgres")


def _scoped(tree: exp.Expression, document_ids: list[str]) -> exp.Expression:
    """``tree`` with each read of a view replaced by the view restricted to the documents."""
    ids = [exp.Literal.string(str(uuid.UUID(d))) for d in document_ids]

    def restrict(node):
        if not (isinstance(node, exp.Table) and node.name.lower() in VIEWS):
            return node
        view = node.name.lower()
        only = exp.column("document_id").isin(*ids) if ids else exp.false()
        inner = exp.select("*").from_(view).where(only)
        return inner.subquery(alias=node.alias or view)

    return tree.transform(restrict)


def run_checked(*, tenant, sql: str, timeout_ms: int) -> FactsResult:
    """Run a statement that passed ``check_sql`` over ``tenant``'s facts only."""
    try:
        with tenant_transaction(tenant, read_only=True) as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            (previous,) = cursor.fetchone()
            cursor.execute(f"SET LOCAL ROLE {READER_ROLE}")
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            cursor.execute(sql)
            columns = [column.name for column in cursor.description or []]
            rows = cursor.fetchmany(MAX_ROWS)
            # SET LOCAL lasts to the end of the outermost transaction: when this one is
            # nested (a test's), the role and the timeout must not outlive the statement.
            cursor.execute("RESET ROLE")
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "statement timeout" in reason:
            reason = f"The statement ran longer than {timeout_ms} ms and was stopped."
        log.info("sql_route.statement_failed", reason=reason)
        raise SqlFailed(reason) from exc
    return FactsResult(sql=sql, columns=columns, rows=[tuple(row) for row in rows])


def run_sql(*, tenant, text: str, timeout_ms: int, document_ids=None) -> FactsResult:
    """Check ``text`` and run it for ``tenant`` (and ``document_ids``, the query's scope):
    SqlRejected or SqlFailed say why not."""
    sql = check_sql(text, document_ids=document_ids)
    return run_checked(tenant=tenant, sql=sql, timeout_ms=timeout_ms)


@dataclass(frozen=True)
class Provenance:
    """Where a result row's figure is printed, from the tenant's own rows (never from the
    result's text alone): the document's title, the page and its label, the cell's box."""

    document_id: str
    title: str
    page: int
    page_label: str
    highlights: list


def provenance(*, tenant, result: FactsResult) -> list[Provenance | None]:
    """One entry per row of ``result``: where it is printed, or None when the row names no
    document and page of ``tenant``'s (an aggregate, or an id that is not the tenant's)."""
    from documents.models import Document, DocumentPage, TableCell

    names = {name: index for index, name in enumerate(result.columns)}
    if "document_id" not in names or "page" not in names:
        return [None] * len(result.rows)

    def _field(row, name):
        index = names.get(name)
        return None if index is None else row[index]

    wanted = {str(_field(row, "document_id")) for row in result.rows if _field(row, "page")}
    titles = dict(
        Document.objects.for_tenant(tenant)
        .filter(id__in=[w for w in wanted if _is_uuid(w)])
        .values_list("id", "title")
    )
    titles = {str(key): title for key, title in titles.items()}
    labels = {
        (str(document_id), number): label
        for document_id, number, label in DocumentPage.objects.for_tenant(tenant)
        .filter(document_id__in=list(titles))
        .values_list("document_id", "number", "label")
    }
    cell_ids = [cell for row in result.rows if isinstance(cell := _field(row, "cell_id"), int)]
    boxes = {
        cell_id: (str(document_id), page, box)
        for cell_id, document_id, page, box in TableCell.objects.for_tenant(tenant)
        .filter(id__in=cell_ids)
        .values_list("id", "document_id", "page", "box")
    }
    out: list[Provenance | None] = []
    for row in result.rows:
        document_id, page = str(_field(row, "document_id")), _field(row, "page")
        if document_id not in titles or not isinstance(page, int):
            out.append(None)
            continue
        highlights = []
        cell = boxes.get(_field(row, "cell_id"))
        if cell and cell[0] == document_id and cell[1] == page and cell[2]:
            highlights = [{"page": page, "boxes": [cell[2]]}]
        out.append(
            Provenance(
                document_id=document_id,
                title=titles[document_id],
                page=page,
                page_label=labels.get((document_id, page)) or str(page),
                highlights=highlights,
            )
        )
    return out


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
