"""Per-tenant indexes: a partial HNSW index and a partial GIN index (`WHERE tenant_id = …`)
for each large tenant that holds a minority of the chunks.

The shared HNSW index walks every tenant's vectors; a tenant-filtered query over it needs
about k / share candidates (a tenant with 11 % of the rows: 9x), which made the vector leg's
p99 several times the budget. The shared GIN index returns every tenant's chunks holding a
term, which the tenant filter then throws away. Small tenants don't need indexes of their
own (the planner reads their few rows through the tenant btree), and a tenant with most of
the rows is served well by the shared ones. In between, partial indexes hold only that
tenant's rows (pgvector's documented answer to filtering on a column with few distinct
values). The planner picks them when the query's `tenant_id = <literal>` implies the index's
predicate, which is how Django's psycopg cursor sends parameters.

Built CONCURRENTLY (writes go on) by the ingestion worker after a document is ready, and by
`manage.py tenant_vector_indexes`, on the tables' owner's connection (DDL needs the owner, and
the decision counts every tenant's chunks, which row-level security hides from the app role;
ragplatform/database_roles.py). An advisory lock keeps two workers from building the same
indexes; a build that died half-way leaves an INVALID index, which the next run drops and
rebuilds.
"""

import contextlib
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.db import connection, connections

from documents.advisory_locks import session_lock
from ragplatform.database_roles import owner_alias
from tenants.row_security import all_tenants_scope

log = structlog.get_logger(__name__)

VECTOR_PREFIX = "chunk_hnsw_t_"
TEXT_PREFIX = "chunk_gin_t_"
# A tenant holding more than this share of all chunks is served by the shared indexes.
MAX_SHARE_FOR_OWN_INDEX = 0.5
# HNSW builds far faster when the graph fits in maintenance_work_mem (1024-dim vectors take
# about 4.5 kB each with their graph links: 512 MB holds ~100k).
BUILD_MAINTENANCE_WORK_MEM = "512MB"


def index_name(tenant_id) -> str:
    """The tenant's own vector (HNSW) index."""
    return f"{VECTOR_PREFIX}{tenant_id.hex}"


def text_index_name(tenant_id) -> str:
    """The tenant's own full-text (GIN) index."""
    return f"{TEXT_PREFIX}{tenant_id.hex}"


def _definitions(tenant_id) -> dict[str, str]:
    # The tenant id is a UUID from our own row, formatted by Python: safe to inline (DDL takes
    # no parameters).
    where = f"WHERE tenant_id = '{tenant_id}'::uuid"
    return {
        index_name(tenant_id): "USING hnsw (embedding vector_cosine_ops) "
        f"WITH (m = 16, ef_construction = 64) {where}",
        text_index_name(tenant_id): f"USING gin (search_vector) {where}",
    }


@dataclass(frozen=True)
class TenantIndexState:
    tenant_chunks: int
    all_chunks: int
    index: str  # the vector index: "valid", "invalid" (a build died) or "missing"
    text_index: str = "missing"  # the full-text index, likewise

    @property
    def share(self) -> float:
        return self.tenant_chunks / max(self.all_chunks, 1)

    @property
    def wanted(self) -> bool:
        return (
            self.tenant_chunks >= settings.TENANT_VECTOR_INDEX_MIN_CHUNKS
            and self.share <= MAX_SHARE_FOR_OWN_INDEX
        )

    @property
    def complete(self) -> bool:
        return self.index == self.text_index == "valid"


# The tenant's chunk count (exact, through the tenant btree), the table's (the planner's
# estimate, free; or an exact count, for decisions) and the state of the tenant's own
# indexes. hybrid_search folds it into its first statement to size ef_search.
STATE_SQL = """
SELECT (SELECT count(*) FROM documents_chunk WHERE tenant_id = %(tenant)s),
       {all_chunks},
       (SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END
          FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
         WHERE c.relname = %(index)s AND c.relkind = 'i'),
       (SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END
          FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
         WHERE c.relname = %(text_index)s AND c.relkind = 'i')
"""
ESTIMATED_ALL = (
    "(SELECT greatest(reltuples, 1)::bigint FROM pg_class WHERE oid = 'documents_chunk'::regclass)"
)
COUNTED_ALL = "(SELECT count(*) FROM documents_chunk)"


def state_query(tenant_id, *, exact: bool = False) -> tuple[str, dict]:
    """The SQL and parameters of the state query (four columns), for callers that fold it
    into a statement of their own; `exact` counts the whole table instead of trusting the
    planner's estimate (which lags until ANALYZE): for decisions, not per query."""
    sql = STATE_SQL.format(all_chunks=COUNTED_ALL if exact else ESTIMATED_ALL)
    return sql, {
        "tenant": tenant_id,
        "index": index_name(tenant_id),
        "text_index": text_index_name(tenant_id),
    }


def state_from_row(
    tenant_chunks: int, all_chunks: int, index: str | None, text_index: str | None
) -> TenantIndexState:
    # reltuples is an estimate that lags behind inserts; the tenant's own count is exact.
    return TenantIndexState(
        tenant_chunks,
        max(all_chunks, tenant_chunks),
        index or "missing",
        text_index or "missing",
    )


def tenant_index_state(cursor, tenant_id, *, exact: bool = False) -> TenantIndexState:
    """The tenant's chunk count, all chunks and the state of its own indexes."""
    cursor.execute(*state_query(tenant_id, exact=exact))
    return state_from_row(*cursor.fetchone())


def tenant_vector_index_ensure(*, tenant) -> str:
    """Build the tenant's own indexes if it now needs them; returns what happened.

    Must run outside a transaction (CREATE INDEX CONCURRENTLY cannot run inside one)."""
    # The caller's transaction would hold the locks a concurrent build waits for.
    if connection.in_atomic_block:
        return "skipped: inside a transaction"
    with _owner_cursor(f"per-tenant indexes of {tenant.slug}") as cursor:
        state = tenant_index_state(cursor, tenant.pk, exact=True)
        if state.complete:
            return "exists"
        if not state.wanted:
            return "not needed"
        with session_lock(f"documents.tenant_index:{tenant.pk}") as acquired:
            if not acquired:
                return "another worker is building it"
            return _build(cursor, tenant)


@contextlib.contextmanager
def _owner_cursor(reason: str):
    """A cursor as the tables' owner, which sees every tenant's rows (audited)."""
    using = owner_alias()
    with (
        all_tenants_scope(actor="tenant-indexes", reason=reason, using=using),
        connections[using].cursor() as cursor,
    ):
        yield cursor


def _build(cursor, tenant) -> str:
    # Re-read under the lock: another worker may have finished meanwhile.
    state = tenant_index_state(cursor, tenant.pk, exact=True)
    if state.complete:
        return "exists"
    states = {index_name(tenant.pk): state.index, text_index_name(tenant.pk): state.text_index}
    cursor.execute(f"SET maintenance_work_mem = '{BUILD_MAINTENANCE_WORK_MEM}'")
    try:
        for name, definition in _definitions(tenant.pk).items():
            if states[name] == "valid":
                continue
            if states[name] == "invalid":
                cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            log.info("tenant_index.building", tenant=tenant.slug, index=name)
            cursor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON documents_chunk {definition}'
            )
    finally:
        cursor.execute("RESET maintenance_work_mem")
    log.info("tenant_index.built", tenant=tenant.slug, chunks=state.tenant_chunks)
    return "built"


def tenant_vector_index_drop(*, tenant_id) -> list[str]:
    """Drop a tenant's own indexes (its tenant is gone or shrank); returns those dropped."""
    if connection.in_atomic_block:
        raise RuntimeError("tenant_vector_index_drop must run outside a transaction")
    dropped = []
    with connections[owner_alias()].cursor() as cursor:
        for name in _definitions(tenant_id):
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if cursor.fetchone()[0]:
                cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
                dropped.append(name)
    return dropped


def tenant_index_names() -> list[str]:
    """Every per-tenant index on the chunk table (valid or not)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'documents_chunk' "
            "AND (indexname LIKE %s OR indexname LIKE %s) ORDER BY indexname",
            [VECTOR_PREFIX + "%", TEXT_PREFIX + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def tenant_id_of_index(name: str) -> str:
    """The hex tenant id a per-tenant index name carries."""
    return name.removeprefix(VECTOR_PREFIX).removeprefix(TEXT_PREFIX)
