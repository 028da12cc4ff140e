"""The sql route's views over the tenant's tables (documents/facts.py) and its reader role.

``security_invoker``: a reader of the views is subject to the tenant policy of the tables
below them (not the owner's rights, unlike documents_chunk_text). ``rag_sql_reader`` may
only SELECT the views and the columns they read; it cannot log in and does not bypass
row-level security. The app role is granted membership after migrate
(ragplatform/database_roles.py) so it can ``SET LOCAL ROLE`` to it for one transaction.
"""

from django.db import migrations

READER = "rag_sql_reader"

FACTS = """
CREATE VIEW facts WITH (security_invoker = true) AS
SELECT
    c.document_id,
    d.title AS document_title,
    d.company,
    d.form_type,
    d.fiscal_year AS filing_fiscal_year,
    t.title AS table_title,
    NULLIF(t.statement, '') AS statement,
    c.label AS line_item,
    array_to_string(ARRAY(SELECT jsonb_array_elements_text(c.label_path)), ' > ') AS line_path,
    c.header AS column_header,
    c.period,
    c.fiscal_year,
    c.period_end,
    c.period_months,
    c.value,
    c.raw AS value_text,
    c.unit,
    c.page,
    c.id AS cell_id
FROM documents_tablecell c
JOIN documents_table t ON t.id = c.table_id
JOIN documents_document d ON d.id = c.document_id
WHERE d.status = 'ready'
"""

FILINGS = """
CREATE VIEW filings WITH (security_invoker = true) AS
SELECT id AS document_id, title, filename, company, ticker, form_type, fiscal_year,
       fiscal_quarter, period_end, pages_total AS pages
FROM documents_document
WHERE status = 'ready'
"""

READER_SQL = [
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') THEN
            CREATE ROLE {READER} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
    END $$""",
    f"GRANT SELECT ON facts, filings TO {READER}",
    # security_invoker: the reader needs the columns the views read, and only those.
    f"GRANT SELECT (id, tenant_id, table_id, document_id, label, label_path, header, period, "
    f"fiscal_year, period_end, period_months, value, raw, unit, page) "
    f"ON documents_tablecell TO {READER}",
    f"GRANT SELECT (id, tenant_id, title, statement) ON documents_table TO {READER}",
    f"GRANT SELECT (id, tenant_id, title, filename, company, ticker, form_type, fiscal_year, "
    f"fiscal_quarter, period_end, pages_total, status) ON documents_document TO {READER}",
    # The migrating role may run the route itself (a deployment whose app still connects
    # as the owner); a superuser needs no membership, a CREATEROLE owner (RDS) does.
    f"GRANT {READER} TO CURRENT_USER",
]


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_tables_row_security")]

    operations = [
        migrations.RunSQL(FACTS, "DROP VIEW IF EXISTS facts"),
        migrations.RunSQL(FILINGS, "DROP VIEW IF EXISTS filings"),
        # The role is the cluster's (other databases, test databases, may use it): kept on
        # the way back; its grants on this database's views go with the views.
        migrations.RunSQL(READER_SQL, migrations.RunSQL.noop),
    ]
