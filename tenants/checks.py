"""System checks: every tenant-owned table is under the tenant row-level security policy, and
the app connects as a role that policy restricts."""

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from ragplatform.database_roles import OWNER_ALIAS
from tenants.row_security import POLICY_NAME, EnableRowSecurity
from tenants.scoping import TenantOwned

# Models with a tenant key that are not TenantOwned, and why they need no policy.
ROW_SECURITY_EXEMPT = {
    # Request counts per tenant and minute: no tenant content, written by the throttle.
    "tenants.RequestCounter",
}


def tenant_owned_models() -> list:
    return [model for model in apps.get_models() if issubclass(model, TenantOwned)]


def _migrated_with_row_security() -> set[tuple[str, str]]:
    """(app label, model name) of every EnableRowSecurity operation on disk."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    found = set()
    for (app_label, _), migration in loader.disk_migrations.items():
        for operation in migration.operations:
            if isinstance(operation, EnableRowSecurity):
                found.add((app_label, operation.model_name.lower()))
    return found


@checks.register()
def row_security_migrations_check(app_configs=None, **kwargs):
    """Each TenantOwned model has an EnableRowSecurity operation in its app's migrations, and
    each other model with a tenant key is TenantOwned or exempt with a reason."""
    errors = []
    migrated = _migrated_with_row_security()
    for model in tenant_owned_models():
        meta = model._meta
        if (meta.app_label, meta.model_name) not in migrated:
            errors.append(
                checks.Error(
                    f"{meta.label} is TenantOwned but no migration enables row-level "
                    "security on its table.",
                    hint=f"Add tenants.row_security.EnableRowSecurity({meta.object_name!r}) "
                    f"to a migration of {meta.app_label}, after the one that creates it.",
                    obj=model,
                    id="tenants.E001",
                )
            )
    tenant_model = apps.get_model("tenants", "Tenant")
    for model in apps.get_models():
        if issubclass(model, TenantOwned) or model._meta.label in ROW_SECURITY_EXEMPT:
            continue
        if any(
            field.is_relation and field.many_to_one and field.related_model is tenant_model
            for field in model._meta.get_fields()
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has a key to Tenant but is not TenantOwned.",
                    hint="Inherit tenants.scoping.TenantOwned (and enable row-level "
                    "security), or add it to tenants.checks.ROW_SECURITY_EXEMPT with a reason.",
                    obj=model,
                    id="tenants.E002",
                )
            )
    return errors


def tables_without_policy(using: str = "default") -> list[str]:
    """Tenant-owned tables of the database that lack row-level security or the policy."""
    tables = sorted(model._meta.db_table for model in tenant_owned_models())
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND c.relrowsecurity "
            "AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid "
            "AND p.polname = %s)",
            [tables, POLICY_NAME],
        )
        protected = {row[0] for row in cursor.fetchall()}
    return [table for table in tables if table not in protected]


@checks.register(checks.Tags.database)
def row_security_database_check(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default`: the migrated tables carry the policy."""
    errors = []
    for using in databases or []:
        missing = tables_without_policy(using)
        if missing:
            errors.append(
                checks.Error(
                    f"Tenant-owned tables without the {POLICY_NAME} policy: {', '.join(missing)}.",
                    hint="Run manage.py migrate.",
                    id="tenants.E003",
                )
            )
    return errors


# Who the app connects as, from the server's point of view.
_ROLE_SQL = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relname = ANY(%s))
FROM pg_roles r WHERE r.rolname = current_user
"""


def app_role_problems(using: str = "default") -> list[str]:
    """Why the connection's role would not be restricted by row-level security, if it would
    not (a superuser, BYPASSRLS, or the owner of a tenant-owned table)."""
    tables = [model._meta.db_table for model in tenant_owned_models()]
    with connections[using].cursor() as cursor:
        cursor.execute(_ROLE_SQL, [tables])
        name, superuser, bypass, owned = cursor.fetchone()
    problems = []
    if superuser:
        problems.append(f"{name} is a superuser")
    if bypass:
        problems.append(f"{name} has BYPASSRLS")
    if owned:
        problems.append(f"{name} owns {owned} tenant-owned table(s)")
    return problems


@checks.register(checks.Tags.database)
def app_role_check(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default`: the app's connections are restricted. An error
    once the roles are split (DATABASE_OWNER_URL set: the app role must then be restricted),
    a warning while the app still connects as the owner (a deployment before docs/deploy.md's
    "Database roles"); nothing while the default alias is the owner on purpose (migrate)."""
    if "default" not in (databases or []):
        return []
    owner = settings.DATABASES.get(OWNER_ALIAS)
    if owner and connections["default"].settings_dict.get("USER") == owner.get("USER"):
        return []  # migrate (ragplatform.database_roles.default_as_owner) is running
    problems = app_role_problems("default")
    if not problems:
        return []
    level, code = (checks.Error, "E010") if owner else (checks.Warning, "W010")
    return [
        level(
            "Row-level security does not restrict the app's database role: "
            + "; ".join(problems)
            + ".",
            hint="Connect as a role without SUPERUSER or BYPASSRLS that owns no tables "
            "(DATABASE_URL), and migrate as the owner (DATABASE_OWNER_URL): docs/deploy.md.",
            id=f"ragplatform.{code}",
        )
    ]
