"""Move a tenant to another provider: re-embed every chunk, then switch in one transaction.

    manage.py migrate_tenant_provider ea --to bedrock

New vectors go to Chunk.next_embedding while the tenant keeps answering from the old ones.
Chunks already re-embedded for the target model are skipped, so an interrupted run resumes
where it stopped. The switch copies next_* into embedding/embedding_model and updates the
tenant's provider in one transaction; queries see either all old or all new vectors.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Q
from tqdm import tqdm

from documents.models import Chunk, Document
from providers import guard, registry
from providers.base import DomainError
from providers.factory import provider_for
from tenants.models import Tenant
from tenants.row_security import tenant_scope
from tenants.services import TenantInvalid, tenant_update

# Documents being ingested at the switch would mix models; wait this long for them.
INGESTION_WAIT_SECONDS = 60
# Passes over chunks that arrived during the previous pass before giving up on switching.
MAX_PASSES = 5


class Command(BaseCommand):
    help = "Re-embed a tenant's chunks with another provider, then switch to it atomically."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--to", required=True, choices=registry.provider_names(), dest="target")
        parser.add_argument("--chat-model", default="", help="Blank: the provider's default.")
        parser.add_argument("--embedding-model", default="", help="Blank: the provider's default.")
        parser.add_argument("--batch-size", type=int, default=settings.EMBED_BATCH_SIZE)
        parser.add_argument(
            "--wait",
            type=float,
            default=INGESTION_WAIT_SECONDS,
            help="Seconds to wait for documents being ingested before switching.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, slug, target, chat_model, embedding_model, batch_size, **options):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug '{slug}'.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        planned = Tenant.objects.get(pk=tenant.pk)
        planned.provider, planned.chat_model, planned.embedding_model = (
            target,
            chat_model,
            embedding_model,
        )
        try:
            planned.full_clean()
        except Exception as exc:
            raise CommandError(f"Tenant {slug} cannot move to {target}: {exc}") from exc
        # The whole run is the tenant's unit of work: an AU tenant's chunks cannot leave.
        # Row-level security: the command reads and writes this tenant's chunks only.
        with guard.sovereign_scope(tenant), tenant_scope(tenant):
            try:
                provider = provider_for(planned)
                self._run(tenant, planned, provider, batch_size, options)
            except DomainError as exc:
                raise CommandError(
                    f"{exc.message} Nothing was switched; run the command again to resume."
                ) from exc

    def _run(self, tenant, planned, provider, batch_size, options) -> None:
        model = provider.embedder.model_id
        started = time.monotonic()
        embedded = 0
        # Chunks written while we ran (ingestion continues) are picked up by the next pass.
        for _ in range(MAX_PASSES):
            if pending := self._pending(tenant, model).count():
                embedded += self._reembed(tenant, provider, model, batch_size, pending, options)
            if self._switch(tenant, planned, model, options["wait"]):
                break
        else:
            raise CommandError(
                f"New chunks kept arriving for {tenant.slug} during {MAX_PASSES} passes; "
                "nothing was switched. Run the command again when ingestion is quieter."
            )
        seconds = time.monotonic() - started
        rate = embedded / seconds if seconds else 0.0
        usage = provider.meter.as_dict()
        self.stdout.write(
            self.style.SUCCESS(
                f"Tenant {tenant.slug} now uses {planned.provider} ({model}). Re-embedded "
                f"{embedded} chunk(s) in {seconds:.1f}s ({rate:.1f} chunks/s); "
                f"{usage['embedding_calls']} embedding call(s), "
                f"{usage['input_tokens']} input tokens."
            )
        )

    @staticmethod
    def _pending(tenant, model: str):
        return (
            Chunk.objects.for_tenant(tenant)
            .exclude(next_embedding_model=model)
            .exclude(Q(embedding_model=model) & Q(next_embedding_model=""))
        )

    def _reembed(self, tenant, provider, model, batch_size, pending, options) -> int:
        done = Chunk.objects.for_tenant(tenant).filter(next_embedding_model=model).count()
        embedded = 0
        last_pk = 0
        with tqdm(
            total=done + pending,
            initial=done,
            unit="chunk",
            desc=f"{tenant.slug} → {model}",
            disable=options["no_progress"],
            file=self.stderr._out,  # the raw stream: OutputWrapper adds newlines
        ) as bar:
            while True:
                batch = list(
                    self._pending(tenant, model)
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "context", "text")[:batch_size]
                )
                if not batch:
                    return embedded
                vectors = provider.embedder.embed_documents([c.embedding_input for c in batch])
                for chunk, vector in zip(batch, vectors, strict=True):
                    chunk.next_embedding, chunk.next_embedding_model = vector, model
                with transaction.atomic():
                    Chunk.objects.bulk_update(batch, ["next_embedding", "next_embedding_model"])
                last_pk = batch[-1].pk
                embedded += len(batch)
                bar.update(len(batch))

    def _switch(self, tenant, planned, model: str, wait: float) -> bool:
        """Swap in the new vectors and provider at once; False if chunks arrived meanwhile."""
        self._wait_for_ingestion(tenant, wait)
        with transaction.atomic():
            locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
            if self._pending(locked, model).exists():
                return False
            Chunk.objects.for_tenant(locked).filter(next_embedding_model=model).update(
                embedding=F("next_embedding"),
                embedding_model=model,
                next_embedding=None,
                next_embedding_model="",
            )
            Document.objects.for_tenant(locked).exclude(embedding_model="").update(
                embedding_model=model
            )
            try:
                tenant_update(
                    tenant=locked,
                    provider=planned.provider,
                    chat_model=planned.chat_model,
                    embedding_model=planned.embedding_model,
                )
            except TenantInvalid as exc:
                raise CommandError(str(exc)) from exc
        return True

    def _wait_for_ingestion(self, tenant, wait: float) -> None:
        busy = Document.objects.for_tenant(tenant).filter(status=Document.Status.PROCESSING)
        deadline = time.monotonic() + wait
        while busy.exists():
            if time.monotonic() > deadline:
                raise CommandError(
                    f"{busy.count()} document(s) of {tenant.slug} are still being ingested; "
                    "nothing was switched. Run the command again when they finish."
                )
            time.sleep(1)
