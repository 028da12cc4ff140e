"""QueryRun: one question asked by a tenant, with its answer, citations, trace and cost."""

import uuid

from django.db import models

from tenants.scoping import TenantOwned


class QueryRun(TenantOwned):
    class Status(models.TextChoices):
        OK = "ok", "Answered"
        ERROR = "error", "Failed"

    class Source(models.TextChoices):
        API = "api", "API"
        PLAYGROUND = "playground", "Admin playground"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.TextField()
    answer = models.TextField(blank=True)
    route = models.CharField(max_length=32, blank=True)
    citations = models.JSONField(default=list, blank=True)
    trace = models.JSONField(default=list, blank=True)
    grounded = models.BooleanField(null=True)
    limits_hit = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=200, blank=True)
    latency_ms = models.FloatField(default=0)
    provider_ms = models.FloatField(
        default=0, help_text="Time spent waiting for the model provider (chat and embeddings)."
    )
    llm_calls = models.PositiveIntegerField(default=0)
    embedding_calls = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return self.question[:80]
