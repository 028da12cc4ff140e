"""Create (idempotently) the local superuser and the demo tenants, printing their access."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from documents.services import document_upload
from tenants.models import ApiKey, Tenant
from tenants.row_security import tenant_scope
from tenants.services import api_key_issue, tenant_create

SAMPLE_PDFS = Path(settings.BASE_DIR) / "samples" / "pdfs"

DEMO_TENANTS = [
    {
        "name": "Acme Corp",
        "slug": "acme",
        "data_sovereignty": "",
        "provider": "local",
        "enabled_routes": ["financial_docs", "web_search", "sql"],
    },
    # The seed's AU tenant: offline local provider until migrated to Bedrock
    # (manage.py migrate_tenant_provider ea --to bedrock).
    {"name": "EA", "slug": "ea", "data_sovereignty": "AU", "provider": "local"},
]


class Command(BaseCommand):
    help = "Create the admin superuser and the demo tenants (acme, ea) if they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=settings.DEMO_ADMIN_USER)
        parser.add_argument("--password", default=settings.DEMO_ADMIN_PASSWORD)

    def handle(self, *args, username, password, **options):
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            if not password:
                self.stderr.write("No --password (or RAG_ADMIN_PASSWORD) for the new superuser.")
                raise SystemExit(2)
            user_model.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(f"Created superuser '{username}'.")
        else:
            self.stdout.write(f"Superuser '{username}' exists.")

        for spec in DEMO_TENANTS:
            tenant = Tenant.objects.filter(slug=spec["slug"]).first()
            if tenant is None:
                tenant = tenant_create(**spec)
                self.stdout.write(f"Created tenant '{tenant.slug}' ({tenant.name}).")
            # Its keys and documents are the tenant's rows (row-level security).
            with tenant_scope(tenant):
                self._bootstrap_tenant(tenant)

    def _bootstrap_tenant(self, tenant) -> None:
        live = ApiKey.objects.for_tenant(tenant).filter(revoked_at__isnull=True)
        if live.exists():
            prefixes = ", ".join(k.prefix for k in live)
            self.stdout.write(
                f"  {tenant.slug}: API key already issued (prefix {prefixes}); it is stored "
                f"hashed. New one: python manage.py issue_api_key {tenant.slug}"
            )
        else:
            _, raw = api_key_issue(tenant=tenant, name="demo")
            self.stdout.write(f"  {tenant.slug}: API key (shown once, copy it): {raw}")
        self._load_samples(tenant)

    def _load_samples(self, tenant) -> None:
        """Upload the sample filings (idempotent: the same bytes return the existing document);
        the task worker ingests them."""
        files = [
            SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/pdf")
            for path in sorted(SAMPLE_PDFS.glob("*.pdf"))
        ]
        if not files:
            return
        result = document_upload(tenant=tenant, files=files)
        states = ", ".join(f"{d.filename} ({d.status})" for d in result.documents)
        self.stdout.write(f"  {tenant.slug}: sample documents: {states}")
        for filename, error in result.rejected:
            self.stderr.write(f"  {tenant.slug}: sample {filename} rejected: {error.message}")
