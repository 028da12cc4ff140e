"""Embedded PostgreSQL (with pgvector) for local runs and tests, via pgserver.

Started by the entry points (ragplatform.startup) when no DATABASE_URL is configured, never
by importing the settings. The server keeps its data under the project (``.data/pg``) and
stops when the last process that started it exits. Its bootstrap role (``postgres``) is a
superuser, which row-level security never restricts: it owns the tables and runs the
migrations; the app connects as ``rag_app`` (APP_ROLE), created here.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

EMBEDDED_DATABASE = "postgres"
APP_ROLE = "rag_app"
# Not the owner of anything, no SUPERUSER, no BYPASSRLS: the tenant policy applies to it.
# Local sockets trust their users (pgserver's initdb --auth=trust), so no password.
_CREATE_APP_ROLE = f"""
DO $$ BEGIN
  CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- another process made it
END $$
"""


def start(pgdata: Path) -> str:
    """Start (or attach to) the embedded server and return a libpq URI for it."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import pgserver

    # pgserver logs every step at INFO on the root logger; keep start-up quiet.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri(EMBEDDED_DATABASE)


def app_role_url(owner_uri: str) -> str:
    """Create the app role if needed; the URI of the same database as that role."""
    import psycopg

    with psycopg.connect(owner_uri, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(_CREATE_APP_ROLE)
    parts = urlsplit(owner_uri)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}:@{host}"))
