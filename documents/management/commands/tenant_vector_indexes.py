"""Show, build and prune the per-tenant indexes (documents/tenant_indexes.py): a partial
HNSW (vector) and a partial GIN (full-text) index for each large tenant.

    manage.py tenant_vector_indexes            # one line per tenant: chunks, share, index
    manage.py tenant_vector_indexes --build    # build every index a tenant now needs
    manage.py tenant_vector_indexes --prune    # drop indexes of deleted or shrunk tenants

The ingestion worker builds an index by itself once a tenant crosses the threshold
(TENANT_VECTOR_INDEX_MIN_CHUNKS); this command is for operators and for catching up.
"""

import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from documents.tenant_indexes import (
    tenant_id_of_index,
    tenant_index_names,
    tenant_index_state,
    tenant_vector_index_drop,
    tenant_vector_index_ensure,
)
from tenants.models import Tenant
from tenants.row_security import all_tenants_scope


class Command(BaseCommand):
    help = "List per-tenant vector indexes; --build the missing ones, --prune unneeded ones."

    def add_arguments(self, parser):
        parser.add_argument("--build", action="store_true", help="Build the indexes needed.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Drop indexes of deleted tenants and of tenants under half the threshold.",
        )

    def handle(self, *args, build, prune, **options):
        # Shares of the whole table: every tenant's chunks are counted.
        with all_tenants_scope(actor="manage.py tenant_vector_indexes", reason="index report"):
            self._handle(build, prune)

    def _handle(self, build: bool, prune: bool) -> None:
        threshold = settings.TENANT_VECTOR_INDEX_MIN_CHUNKS
        self.stdout.write(
            f"Tenants with at least {threshold:,} chunks and at most half of all chunks get "
            "their own index."
        )
        self.stdout.write(f"{'tenant':<24} {'chunks':>10} {'share':>7}  vector / full-text index")
        tenants = list(Tenant.objects.order_by("slug"))
        for tenant in tenants:
            with connection.cursor() as cursor:
                state = tenant_index_state(cursor, tenant.pk, exact=True)
            note = f"{state.index} / {state.text_index}"
            if state.wanted and not state.complete:
                note += " (needed" + (": building…)" if build else "; run with --build)")
            self.stdout.write(
                f"{tenant.slug:<24} {state.tenant_chunks:>10,} {state.share:>7.1%}  {note}"
            )
            if build and state.wanted and not state.complete:
                started = time.monotonic()
                outcome = tenant_vector_index_ensure(tenant=tenant)
                self.stdout.write(f"  {outcome} in {time.monotonic() - started:.1f}s")
        if prune:
            self._prune({tenant.pk.hex: tenant for tenant in tenants}, threshold)

    def _prune(self, tenants: dict, threshold: int) -> None:
        dropped = []
        for tenant_hex in sorted({tenant_id_of_index(name) for name in tenant_index_names()}):
            tenant = tenants.get(tenant_hex)
            if tenant is not None:
                with connection.cursor() as cursor:
                    if tenant_index_state(cursor, tenant.pk).tenant_chunks >= threshold // 2:
                        continue
            dropped += tenant_vector_index_drop(tenant_id=uuid.UUID(tenant_hex))
        for name in dropped:
            self.stdout.write(f"dropped {name}")
        self.stdout.write(f"{len(dropped)} index(es) dropped.")
