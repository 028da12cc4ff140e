"""The suite's base: a loopback-only network and the fake servers (tests.fakes.fixtures);
tenant A with the neighbour beside it, tenant B, their keys and clients
(tests.fixtures.tenants); media in a temporary directory and PDF ingestion
(tests.fixtures.documents). The neighbour's data is there to be leaked.

The database, as in production: the test database is created and migrated by the tables'
owner, then the suite connects as the app role, which row-level security restricts. Fixtures
and asserts read as operator (the all-tenants scope is this process's default); the code
under test enters its own scope — an API request its key's tenant, a task its document's —
and sees only that tenant's rows, as the worker and the web app do."""

import os

import pytest

pytest_plugins = [
    "tests.fakes.fixtures",
    "tests.fixtures.tenants",
    "tests.fixtures.documents",
]

_CREDENTIALS = ("USER", "PASSWORD")


def _connect_as(database: dict, credentials: dict) -> None:
    from django.db import connections

    database.update(credentials)
    connections["default"].close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database per pytest process, so parallel runs on one server never collide."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_rag_{os.getpid()}"
    # Live-server threads must not keep connections open, or the test database can't be dropped.
    database["CONN_MAX_AGE"] = 0
    if owner := settings.DATABASES.get("owner"):
        # Django creates (and later drops) the test database on the default alias.
        _connect_as(database, {name: owner[name] for name in _CREDENTIALS})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the owner has created and migrated the test database: connect as the app role."""
    from django.conf import settings
    from django.db import connection

    from ragplatform.database_roles import quote_role
    from tenants import row_security

    database = settings.DATABASES["default"]
    owner = {name: database[name] for name in _CREDENTIALS}
    role = settings.DATABASE_APP_ROLE
    with django_db_blocker.unblock():
        if role:
            # Test-only privileges: flushing between transactional tests truncates, and tests
            # ANALYZE to show the planner a table's size (PostgreSQL 17+: MAINTAIN). The
            # production app role has neither (autovacuum analyzes).
            privileges = "TRUNCATE, MAINTAIN" if connection.pg_version >= 170000 else "TRUNCATE"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"GRANT {privileges} ON ALL TABLES IN SCHEMA public TO {quote_role(role)}"
                )
            _connect_as(database, {"USER": role, "PASSWORD": ""})
    row_security.set_process_default(row_security.Scope(all_tenants=True), actor="tests")
    yield
    with django_db_blocker.unblock():
        row_security.set_process_default(row_security.NO_SCOPE, actor="tests")
        _connect_as(database, owner)
