"""Issue an API key for a tenant from the shell; prints it once."""

from django.core.management.base import BaseCommand, CommandError

from ragplatform.exceptions import DomainError
from tenants.row_security import tenant_scope
from tenants.selectors import tenant_get
from tenants.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a new API key for a tenant and print it (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, slug, name, **options):
        try:
            tenant = tenant_get(slug=slug.lower())
            with tenant_scope(tenant):  # the key is the tenant's row
                key, raw = api_key_issue(tenant=tenant, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{raw}\n(prefix {key.prefix}; shown once)")
