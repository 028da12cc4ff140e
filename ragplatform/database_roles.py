"""The two database roles: the tables' owner (migrations, per-tenant index builds) and the
app role the web app and the worker connect as, which row-level security restricts.

DATABASE_URL is the app role; DATABASE_OWNER_URL (optional) the owner, as the database alias
"owner". After each migrate the owner grants the app role what it needs on every table, and
no more: no DDL, no TRUNCATE, and it owns nothing, so the tenant policy always applies to it
(docs/reliability-and-security.md). The embedded database creates the app role itself
(ragplatform.embedded_postgres); for RDS the role is created once by hand (docs/deploy.md).
"""

import contextlib

import structlog
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

log = structlog.get_logger(__name__)

OWNER_ALIAS = "owner"

APP_GRANTS = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    # The sql route's reader (documents/migrations/0007_facts_views.py): the app may
    # SET LOCAL ROLE to it for one read-only transaction.
    "GRANT rag_sql_reader TO {role}",
)


def owner_alias() -> str:
    """The alias to run DDL on: the owner's when configured, else the only one there is."""
    return OWNER_ALIAS if OWNER_ALIAS in settings.DATABASES else "default"


@contextlib.contextmanager
def default_as_owner():
    """The default alias connects as the owner for a while (migrate, creating a test or bench
    database): some migrations (django-tasks-db's) query the default alias whatever alias is
    migrated, and would wait for ever on the owner's locks from a second connection."""
    database = settings.DATABASES["default"]
    owner = settings.DATABASES.get(OWNER_ALIAS)
    if owner is None:
        yield
        return
    app = {name: database[name] for name in ("USER", "PASSWORD")}
    connections["default"].close()
    database.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    try:
        yield
    finally:
        connections["default"].close()
        database.update(app)


def quote_role(role: str) -> str:
    return '"' + role.replace('"', '""') + '"'


def app_role_grant(*, using: str, role: str) -> None:
    """Grant ``role`` the app's privileges on every table and sequence (as their owner)."""
    with connections[using].cursor() as cursor:
        for statement in APP_GRANTS:
            cursor.execute(statement.format(role=quote_role(role)))
    log.info("database.app_role_granted", role=role, database=using)


@receiver(post_migrate)
def _grant_after_migrate(sender, using, **kwargs):
    # Once per migrate: post_migrate is sent for every app with models, after all of them
    # are migrated.
    if sender.name != "tenants":
        return
    role = settings.DATABASE_APP_ROLE
    if role and role != connections[using].settings_dict.get("USER"):
        app_role_grant(using=using, role=role)
