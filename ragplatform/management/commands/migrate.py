"""`manage.py migrate`, as the tables' owner (DATABASE_OWNER_URL) when it is configured, so
that the app role (DATABASE_URL) never owns a table; then the owner grants the app role its
privileges (ragplatform.database_roles). The default alias itself connects as the owner
meanwhile: some migrations query it whatever database is migrated."""

from django.core.management.commands import migrate

from ragplatform.database_roles import OWNER_ALIAS, default_as_owner, owner_alias
from tenants.row_security import all_tenants_audit


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the tables' owner (DATABASE_OWNER_URL) when set."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=owner_alias())

    def handle(self, *args, **options):
        # The owner is not restricted by row-level security: data migrations see every tenant.
        all_tenants_audit(
            actor="manage.py migrate",
            reason="migrations, as the tables' owner",
            using=options["database"],
        )
        if options["database"] != OWNER_ALIAS:
            return super().handle(*args, **options)
        with default_as_owner():
            return super().handle(*args, **{**options, "database": "default"})
