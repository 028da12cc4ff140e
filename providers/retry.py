"""Around every provider call: retries (exponential backoff, full jitter, a time budget)
and the check that structured output really parsed.

This is the only retry layer: callers (ingestion, the agents) do not retry a ProviderError.
Timeouts, connection errors, 429 and 5xx are retried (each provider says which of its
exceptions those are); anything else (401, 403, 400, output that does not fit) fails at once
with ``retryable=False``. When the attempts (PROVIDER_MAX_RETRIES) or the time budget
(PROVIDER_RETRY_BUDGET_SECONDS) run out, the caller gets a ProviderError (HTTP 503) with
``retryable=True``: the same call may succeed later.
"""

import random
import time
from collections.abc import Callable

import structlog
from django.conf import settings
from langchain_core.exceptions import OutputParserException
from pydantic import ValidationError

from providers.base import ProviderError, SovereigntyViolation, T

log = structlog.get_logger(__name__)

MAX_DELAY_SECONDS = 8.0


def _sovereignty_cause(exc: BaseException) -> SovereigntyViolation | None:
    """SDKs wrap what the guard raises (e.g. in APIConnectionError); find it again."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, SovereigntyViolation):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def call_with_retries[R](
    call: Callable[[], R],
    *,
    provider: str,
    operation: str,
    classify: Callable[[Exception], str | None],
) -> R:
    """Run ``call``; ``classify(exc)`` names a retryable failure ("429", "timeout"…) or None."""
    budget = settings.PROVIDER_RETRY_BUDGET_SECONDS
    max_retries = settings.PROVIDER_MAX_RETRIES
    # The first delay scales with the budget, so a small budget still allows a few tries.
    base_delay = min(0.5, budget / 20)
    started = time.monotonic()
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if violation := _sovereignty_cause(exc):
                raise violation from exc
            reason = classify(exc)
            if reason is None:
                bad_output = isinstance(exc, ValidationError | OutputParserException)
                raise ProviderError(
                    f"{provider} {operation} failed: {type(exc).__name__}: {exc}",
                    code="provider_bad_output" if bad_output else "provider_error",
                    retryable=False,
                ) from exc
            elapsed = time.monotonic() - started
            delay = random.uniform(0, min(MAX_DELAY_SECONDS, base_delay * 2**attempt))
            if attempt >= max_retries or elapsed + delay > budget:
                log.warning(
                    "provider.gave_up",
                    provider=provider,
                    operation=operation,
                    reason=reason,
                    attempts=attempt + 1,
                    elapsed_s=round(elapsed, 3),
                )
                raise ProviderError(
                    f"{provider} {operation} failed after {attempt + 1} attempt(s) "
                    f"({reason}); try again later.",
                    retryable=True,
                ) from exc
            log.info(
                "provider.retry",
                provider=provider,
                operation=operation,
                reason=reason,
                attempt=attempt + 1,
                delay_s=round(delay, 3),
            )
            time.sleep(delay)
            attempt += 1


def parsed_or_raise(result: dict, schema: type[T], *, provider: str) -> T:
    """The parsed instance from ``with_structured_output(..., include_raw=True)``."""
    parsed = result.get("parsed")
    if isinstance(parsed, schema):
        return parsed
    if isinstance(parsed, dict):
        return schema.model_validate(parsed)
    raise ProviderError(
        f"{provider} returned no valid {schema.__name__}: {result.get('parsing_error')}",
        code="provider_bad_output",
    )
