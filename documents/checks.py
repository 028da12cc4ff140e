"""System checks: settings the retriever reads are valid before the first question."""

import dataclasses

from django.conf import settings
from django.core import checks

from documents.retrieval.params import RetrievalParams


@checks.register()
def retrieval_params_check(app_configs=None, **kwargs):
    """settings.RETRIEVAL_PARAMS names only RetrievalParams fields."""
    changes = getattr(settings, "RETRIEVAL_PARAMS", {}) or {}
    known = {field.name for field in dataclasses.fields(RetrievalParams)}
    if not isinstance(changes, dict):
        return [checks.Error("RETRIEVAL_PARAMS must be a dict.", id="documents.E001")]
    unknown = sorted(set(changes) - known)
    if unknown:
        return [
            checks.Error(
                f"RETRIEVAL_PARAMS names unknown knob(s): {', '.join(unknown)}.",
                hint=f"Known: {', '.join(sorted(known))}.",
                id="documents.E001",
            )
        ]
    return []
