"""The sql route: model-written SELECTs over the tenant's facts, checked by sqlglot and run
read-only as rag_sql_reader in a transaction bound to the tenant; refusals with a scripted
model; the offline lookup through the API; another tenant's rows never come back."""

import pytest

from agents.adaptive_rag import AdaptiveDeps, build_graph
from agents.prompts import GradeDocuments, GradeGeneration, RouterQuery, SqlQuery
from agents.services import _fact_passages
from agents.sql_route import NO_FACTS, OFFLINE_LABEL, SqlRouteDeps, offline_lookup_sql
from documents.facts import SqlFailed, SqlRejected, check_sql, run_checked, run_sql
from tests.agents.scripted import FakePassage, ScriptedChat, ScriptedRetriever
from tests.data.pdf_factory import statement_pdf
from tests.fixtures.documents import ingest_pdf
from tests.test_tables import YEARS_PAGE

GOOD_SQL = (
    "SELECT document_id, page, line_item, period, value_text, cell_id FROM facts "
    "WHERE line_item ILIKE '%total net revenues%' ORDER BY period"
)


# --- the check (no database) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DROP VIEW facts", "Only SELECT"),
        ("DELETE FROM facts", "Only SELECT"),
        ("UPDATE facts SET value = 0", "Only SELECT"),
        ("INSERT INTO filings (title) VALUES ('x')", "Only SELECT"),
        ("SELECT 1; SELECT 2", "Exactly one statement"),
        ("SELECT 1; DROP TABLE documents_document", "Exactly one statement"),
        ("SELECT pg_sleep(10)", "pg_sleep is not allowed"),
        ("SELECT * FROM pg_catalog.pg_class", "Schema-qualified"),
        ("SELECT * FROM pg_class", "Unknown table"),
        ("SELECT * FROM information_schema.tables", "Schema-qualified"),
        ("SELECT * FROM documents_chunk", "Unknown table"),
        ("SELECT set_config('app.tenant_id', 'x', true)", "set_config is not allowed"),
        ("SELECT current_setting('app.tenant_id')", "current_setting is not allowed"),
        ("SELECT 'pg_class'::regclass", "Casting to REGCLASS"),
        ("SELECT version()", "not allowed"),
        ("SELECT * INTO stolen FROM facts", "INTO"),
        ("SELECT * FROM facts FOR UPDATE", "Locking"),
        ("WITH facts AS (SELECT 1 AS x) SELECT * FROM facts", "named like a view"),
        ("SELECT * FROM generate_series(1, 3)", "Only the views"),
        ("SELECT value FROM facts LIMIT ALL", "LIMIT must be a whole number"),
        ("", "empty"),
        ("SELEC value FRM facts", "parse"),
    ],
)
def test_the_check_refuses_what_is_not_one_plain_select_of_the_views(text, reason):
    with pytest.raises(SqlRejected, match=reason):
        check_sql(text)


def test_the_check_adds_a_limit_and_caps_a_larger_one():
    assert check_sql("SELECT value FROM facts").endswith("LIMIT 50")
    assert check_sql("SELECT value FROM facts LIMIT 5000").endswith("LIMIT 50")
    assert check_sql("SELECT value FROM facts LIMIT 3").endswith("LIMIT 3")


def test_the_query_scope_restricts_every_read_of_a_view():
    scoped = check_sql(
        "SELECT f.value FROM facts AS f JOIN filings g ON g.document_id = f.document_id",
        document_ids=["00000000-0000-4000-8000-000000000001"],
    )
    assert scoped.count("WHERE document_id IN ('00000000-0000-4000-8000-000000000001')") == 2
    assert "WHERE FALSE" in check_sql("SELECT value FROM facts", document_ids=[])


def test_offline_lookup_is_one_checked_select_of_the_line_item_and_year():
    sql = offline_lookup_sql(
        "What was Contoso's total net revenue in FY2023?", companies=["Contoso"]
    )
    assert "ILIKE '%revenue%'" in sql and "fiscal_year IN (2023)" in sql
    assert "contoso" not in sql.lower()
    assert check_sql(sql)  # the platform's own statement passes the same check
    assert offline_lookup_sql("What is it?") == ""


# --- the database boundary ----------------------------------------------------------------


@pytest.fixture
def two_statements(tenant_a, tenant_b):
    """A real statement PDF ingested by tenant A and by tenant B (other figures)."""
    mine = ingest_pdf(tenant_a, statement_pdf([YEARS_PAGE]), name="a-statement.pdf")
    theirs_page = [
        (label, tuple(v.replace("3", "7") for v in values) if values else None, indent)
        for label, values, indent in YEARS_PAGE
    ]
    theirs = ingest_pdf(tenant_b, statement_pdf([theirs_page]), name="b-statement.pdf")
    return mine, theirs


@pytest.mark.django_db(transaction=True)
def test_a_tenant_reads_only_its_own_facts_whatever_the_statement_says(two_statements, tenant_a):
    mine, theirs = two_statements
    result = run_sql(
        tenant=tenant_a, text="SELECT DISTINCT document_id FROM facts", timeout_ms=2000
    )
    assert {str(row[0]) for row in result.rows} == {str(mine.id)}
    stolen = run_sql(
        tenant=tenant_a,
        text=f"SELECT value_text FROM facts WHERE document_id = '{theirs.id}'",  # noqa: S608
        timeout_ms=2000,
    )
    assert stolen.rows == []
    filings = run_sql(tenant=tenant_a, text="SELECT title FROM filings", timeout_ms=2000)
    assert len(filings.rows) == 1


@pytest.mark.django_db(transaction=True)
def test_the_reader_role_cannot_read_the_tables_even_past_the_check(two_statements, tenant_a):
    with pytest.raises(SqlFailed, match="permission denied"):
        run_checked(tenant=tenant_a, sql="SELECT text FROM documents_chunk", timeout_ms=2000)
    with pytest.raises(SqlFailed, match=r"read-only|permission denied"):
        run_checked(tenant=tenant_a, sql="DELETE FROM documents_tablecell", timeout_ms=2000)


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_runs_too_long_is_stopped_with_a_clear_reason(tenant_a):
    forever = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    )
    with pytest.raises(SqlFailed, match="longer than 200 ms"):
        run_sql(tenant=tenant_a, text=forever, timeout_ms=200)


@pytest.mark.django_db(transaction=True)
def test_rows_cite_their_document_page_and_cell_box(two_statements, tenant_a):
    mine, _ = two_statements
    result = run_sql(tenant=tenant_a, text=GOOD_SQL, timeout_ms=2000)
    passages = _fact_passages(tenant_a, result)
    assert [p.page for p in passages] == [1, 1, 1]
    assert {p.document_id for p in passages} == {str(mine.id)}
    assert "5,399.5" in " ".join(p.text for p in passages)
    (highlight,) = passages[0].highlights
    assert highlight["page"] == 1 and len(highlight["boxes"][0]) == 4


# --- the graph with a scripted model ------------------------------------------------------


def graph_for(tenant, chat, routes, *, attempts=2, retriever=None):
    deps = AdaptiveDeps(
        chat=chat,
        retrieve=retriever or ScriptedRetriever([FakePassage("Revenue was 4.2.")]),
        enabled_routes=routes,
        sql=SqlRouteDeps(
            run_sql=lambda text: run_sql(tenant=tenant, text=text, timeout_ms=500),
            passages=lambda result: _fact_passages(tenant, result),
            max_sql_attempts=attempts,
        ),
    )
    return build_graph(deps)


def ask_graph(graph, question="What was the change in total net revenues from 2022 to 2023?"):
    return graph.invoke(
        {"question": question, "trace": [], "limits_hit": []}, {"recursion_limit": 40}
    )


@pytest.mark.django_db(transaction=True)
def test_a_refused_statement_goes_back_to_the_model_and_the_second_answers(
    two_statements, tenant_a
):
    chat = ScriptedChat(
        structured=[
            RouterQuery(datasource="sql"),
            SqlQuery(sql="DROP VIEW facts"),
            SqlQuery(sql=GOOD_SQL),
        ],
        answers=["Revenue grew from 4,953.7 [2] to 5,399.5 [3]."],
    )
    state = ask_graph(graph_for(tenant_a, chat, ["financial_docs", "sql"]))
    assert state["route"] == "sql"
    assert chat.calls == ["RouterQuery", "SqlQuery", "SqlQuery", "generate"]
    assert "Only SELECT is allowed, not DROP" in chat.prompts[2]  # the reason went back
    (step,) = [t for t in state["trace"] if t["node"] == "sql_agent"]
    assert step["attempts"][0]["error"].startswith("Only SELECT")
    assert step["attempts"][1]["rows"] == 3 and "LIMIT 50" in step["attempts"][1]["sql"]
    assert "5,399.5" in chat.prompts[-1]  # the rows reached the answer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "hostile",
    [
        "SELECT pg_sleep(5)",
        "SELECT * FROM pg_catalog.pg_roles",
        "SELECT set_config('app.all_tenants', 'on', true)",
        "SELECT value FROM facts; DELETE FROM facts",
        "SELECT lo_import('/etc/passwd')",
    ],
)
def test_hostile_statements_use_up_the_attempts_and_never_return_rows(
    two_statements, tenant_a, hostile
):
    chat = ScriptedChat(structured=[SqlQuery(sql=hostile), SqlQuery(sql=hostile)])
    state = ask_graph(graph_for(tenant_a, chat, ["sql"]))
    assert state["answer"] == NO_FACTS
    assert chat.calls == ["SqlQuery", "SqlQuery"]  # max_sql_attempts, then no more calls
    assert not state.get("relevant")


@pytest.mark.django_db(transaction=True)
def test_another_tenants_document_id_finds_nothing_and_falls_back_to_documents(
    two_statements, tenant_a
):
    _, theirs = two_statements
    # What a model could write: another tenant's id as a literal.
    steal = f"SELECT document_id, page, value_text FROM facts WHERE document_id = '{theirs.id}'"  # noqa: S608
    chat = ScriptedChat(
        structured=[
            RouterQuery(datasource="sql"),
            SqlQuery(sql=steal),
            GradeDocuments(relevant=[1]),
            GradeGeneration(grounded=True, answers_question=True),
        ]
    )
    state = ask_graph(graph_for(tenant_a, chat, ["financial_docs", "sql"], attempts=1))
    assert state["route"] == "financial_docs"
    assert [t["node"] for t in state["trace"]][:3] == ["route_question", "sql_agent", "retrieve"]
    assert all(getattr(p, "document_id", None) != str(theirs.id) for p in state["relevant"])


@pytest.mark.django_db(transaction=True)
def test_rows_without_document_and_page_are_sent_back_for_provenance(two_statements, tenant_a):
    chat = ScriptedChat(
        structured=[SqlQuery(sql="SELECT sum(value) FROM facts"), SqlQuery(sql=GOOD_SQL)],
        answers=["It is 5,399.5 [3]."],
    )
    state = ask_graph(graph_for(tenant_a, chat, ["sql"]))
    assert "select document_id and page" in chat.prompts[1]
    assert state["answer"] == "It is 5,399.5 [3]."


def test_the_model_may_say_the_facts_cannot_answer():
    chat = ScriptedChat(structured=[SqlQuery(sql="")])
    deps = SqlRouteDeps(run_sql=lambda text: pytest.fail("nothing to run"), passages=list)
    graph = build_graph(AdaptiveDeps(chat=chat, retrieve=None, enabled_routes=["sql"], sql=deps))
    assert ask_graph(graph)["answer"] == NO_FACTS


# --- through the API, offline ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_offline_lookup_through_the_api_lists_the_figures_with_pages(
    two_statements, tenant_a, client_a
):
    mine, _ = two_statements
    tenant_a.enabled_routes = ["financial_docs", "sql"]
    tenant_a.save()
    response = client_a.post(
        "/api/v1/query",
        {"question": "What was the change in total net revenues from 2022 to 2023?"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["route"] == "sql"
    assert OFFLINE_LABEL in body["answer"]
    assert "5,399.5" in body["answer"] and "4,953.7" in body["answer"]
    assert "5,799.5" not in body["answer"]  # tenant B's figure for the same line
    cited = body["citations"]
    assert cited and {c["document_id"] for c in cited} == {str(mine.id)}
    assert cited[0]["page"] == 1 and cited[0]["highlights"][0]["boxes"]
    (step,) = [t for t in body["trace"] if t["node"] == "sql_agent"]
    assert step["attempts"][0]["rows"] >= 2
