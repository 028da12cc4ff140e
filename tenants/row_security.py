"""Tenant isolation in PostgreSQL: row-level security keyed by per-connection settings.

Every tenant-owned table (a TenantOwned model) has the policy ``tenant_isolation``: a row is
visible and writable only when its ``tenant_id`` equals the setting ``app.tenant_id``, or when
``app.all_tenants`` is ``on`` (the operator path: the admin, the platform admin API, operator
commands; each entry is logged as ``tenant_isolation.all_tenants``). With neither set a query
sees no rows and writes none: it fails closed. docs/reliability-and-security.md has the why.

Code says who it acts for with a scope: ``tenant_scope(tenant)`` or
``all_tenants_scope(actor=..., reason=...)``. Scopes nest per connection; leaving one restores
the one outside it, so a request or task never hands its tenant to the next one on a
persistent connection. ``tenant_transaction`` sets the tenant for one transaction only
(``set_config(..., true)``), for the SQL route's read-only statements.
"""

import contextlib
from dataclasses import dataclass

import structlog
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.db.migrations.operations.base import Operation
from django.dispatch import receiver

log = structlog.get_logger(__name__)

TENANT_SETTING = "app.tenant_id"
ALL_TENANTS_SETTING = "app.all_tenants"
POLICY_NAME = "tenant_isolation"

# The policy's rule, also the WHERE of the views that must apply it by hand (see
# documents_chunk_text in documents/migrations). NULLIF: an unset setting reads as '' (or
# NULL), which matches no tenant.
ROW_VISIBLE = (
    f"(tenant_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid "
    f"OR current_setting('{ALL_TENANTS_SETTING}', true) = 'on')"
)


@dataclass(frozen=True)
class Scope:
    """What a connection's queries may see: one tenant's rows, or all (the operator path)."""

    tenant_id: str = ""
    all_tenants: bool = False


NO_SCOPE = Scope()
# The scope a connection of this process returns to when no scope is entered: none, except
# in the test suite, whose fixtures and asserts read as operator (tests/conftest.py).
_process_default = NO_SCOPE


def _stack(wrapper) -> list[Scope]:
    if not hasattr(wrapper, "row_security_scopes"):
        wrapper.row_security_scopes = []
    return wrapper.row_security_scopes


def current_scope(using: str = "default") -> Scope:
    """The scope this thread's connection is in (as this process set it)."""
    return _current(connections[using])


def _current(wrapper) -> Scope:
    stack = _stack(wrapper)
    return stack[-1] if stack else _process_default


def _apply(wrapper, scope: Scope) -> None:
    """Send the scope's settings; session-level, as a scope spans transactions."""
    if wrapper.connection is None:
        return  # applied by connection_created when the connection opens
    try:
        with wrapper.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                [
                    TENANT_SETTING,
                    scope.tenant_id,
                    ALL_TENANTS_SETTING,
                    "on" if scope.all_tenants else "",
                ],
            )
    except Exception:
        # The settings are unknown now: a connection that may still carry another tenant's
        # scope is never used again.
        log.error("tenant_isolation.scope_reset_failed", database=wrapper.alias)
        wrapper.close()
        raise


def enter(scope: Scope, *, using: str = "default") -> int:
    """Enter ``scope`` on the connection; returns the depth to ``leave`` back to."""
    wrapper = connections[using]
    stack = _stack(wrapper)
    depth = len(stack)
    stack.append(scope)
    try:
        _apply(wrapper, scope)
    except Exception:
        del stack[depth:]  # not entered: the next connection must not start in it
        raise
    return depth


def leave(depth: int, *, using: str = "default") -> None:
    """Leave every scope entered since ``depth`` and restore the one outside them."""
    wrapper = connections[using]
    stack = _stack(wrapper)
    if len(stack) <= depth:
        return
    del stack[depth:]
    _apply(wrapper, _current(wrapper))


@contextlib.contextmanager
def tenant_scope(tenant, *, using: str = "default"):
    """Queries inside see and write only ``tenant``'s rows (a Tenant or its id)."""
    tenant_id = getattr(tenant, "pk", tenant)
    if not tenant_id:
        raise ValueError("tenant_scope() needs a tenant; tenant data is never unscoped")
    depth = enter(Scope(tenant_id=str(tenant_id)), using=using)
    try:
        yield
    finally:
        leave(depth, using=using)


def all_tenants_audit(*, actor: str, reason: str, using: str = "default") -> None:
    """Log one use of the operator path: who, and what for (a request path, a command)."""
    log.info("tenant_isolation.all_tenants", actor=actor, reason=reason, database=using)


@contextlib.contextmanager
def all_tenants_scope(*, actor: str, reason: str, using: str = "default"):
    """The operator path: queries inside see every tenant's rows. Audited."""
    all_tenants_audit(actor=actor, reason=reason, using=using)
    depth = enter(Scope(all_tenants=True), using=using)
    try:
        yield
    finally:
        leave(depth, using=using)


def enter_request(request) -> int:
    """RowSecurityMiddleware: the request starts; scopes entered for it end with it."""
    request.row_security_depth = len(_stack(connections["default"]))
    return request.row_security_depth


def leave_request(request, depth: int) -> None:
    leave(depth)


def enter_for_request(request, scope: Scope) -> None:
    """Enter ``scope`` until the request ends (authentication, once it knows the caller)."""
    if getattr(request, "row_security_depth", None) is None:
        raise ImproperlyConfigured(
            "tenants.middleware.RowSecurityMiddleware must be in MIDDLEWARE: it ends the "
            "request's tenant scope."
        )
    enter(scope)


@contextlib.contextmanager
def tenant_transaction(tenant, *, read_only: bool = False, using: str = "default"):
    """One transaction in which only ``tenant``'s rows exist; the setting ends with it.

    For statements whose text we did not write (the SQL route): the tenant is bound by the
    database for exactly this transaction, whatever scope the connection is in, and with
    ``read_only`` nothing can be written."""
    tenant_id = str(getattr(tenant, "pk", tenant) or "")
    if not tenant_id:
        raise ValueError("tenant_transaction() needs a tenant")
    # Durable: SET LOCAL and READ ONLY hold for the outermost transaction, so this must be it.
    with transaction.atomic(using=using, durable=True), connections[using].cursor() as cursor:
        if read_only:
            cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, '', true)",
            [TENANT_SETTING, tenant_id, ALL_TENANTS_SETTING],
        )
        yield cursor


def set_process_default(scope: Scope, *, actor: str, using: str = "default") -> None:
    """The scope connections fall back to outside any scope. The test suite only."""
    global _process_default
    if scope.all_tenants:
        all_tenants_audit(actor=actor, reason="process default scope", using=using)
    _process_default = scope
    wrapper = connections[using]
    if not _stack(wrapper):
        _apply(wrapper, scope)


@receiver(connection_created)
def _scope_new_connection(sender, connection, **kwargs):
    """A new (or re-opened) connection starts in the scope its thread is in."""
    scope = _current(connection)
    if scope != NO_SCOPE:
        _apply(connection, scope)


# --- migrations --------------------------------------------------------------------------


def enable_sql(table: str) -> list[str]:
    """Row-level security on ``table`` with the tenant policy (see the module docstring)."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'CREATE POLICY {POLICY_NAME} ON "{table}" USING {ROW_VISIBLE} WITH CHECK {ROW_VISIBLE}',
    ]


def disable_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {POLICY_NAME} ON "{table}"',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class EnableRowSecurity(Operation):
    """Migration operation: the tenant policy on a TenantOwned model's table.

    Every TenantOwned model needs one in its app's migrations (system check tenants.E001)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in enable_sql(self._table(app_label, to_state)):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in disable_sql(self._table(app_label, from_state)):
            schema_editor.execute(statement)

    def describe(self):
        return f"Enable tenant row-level security on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_row_security"
