"""Tenant row-level security on documents, pages and chunks; the full-text leg's view."""

from django.db import migrations

from tenants.row_security import EnableRowSecurity

# Row-level security makes the planner apply the policy before any condition whose operator
# is not leakproof, and `@@` (ts_match_vq) is not: under the policy the GIN indexes are never
# used, and a term lookup reads every row of the tenant (17 ms instead of 0.04 ms on a 20k-row
# tenant). This view applies the policy's own rule as a plain WHERE, as its owner (the tables'
# owner, whom ENABLE ROW LEVEL SECURITY does not restrict), so the planner may use the GIN
# indexes; with no tenant set it shows no rows, like the table. Only retrieval's full-text SQL
# reads it (documents/retrieval/sql.py); not security_barrier, so it is not for SQL we did
# not write (the SQL route reads views of its own).
CHUNK_TEXT_VIEW = """
CREATE OR REPLACE VIEW documents_chunk_text AS
SELECT id, tenant_id, document_id, on_contents_page, search_vector
FROM documents_chunk
WHERE (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
       OR current_setting('app.all_tenants', true) = 'on')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_chunk_and_page_boxes"),
    ]

    operations = [
        EnableRowSecurity("Document"),
        EnableRowSecurity("DocumentPage"),
        EnableRowSecurity("Chunk"),
        migrations.RunSQL(CHUNK_TEXT_VIEW, reverse_sql="DROP VIEW IF EXISTS documents_chunk_text"),
    ]
