"""CloudWatch metrics as Embedded Metric Format (EMF) log lines; no tenant data in them."""

import time

import structlog

log = structlog.get_logger("ragplatform.metrics")
NAMESPACE = "RagPlatform"


def _emit(event: str, *, dimensions: list[list[str]], units: dict[str, str], **values) -> None:
    """One EMF log line: the CloudWatch directive for `units`' metrics, then the values."""
    log.info(
        event,
        _aws={
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": dimensions,
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit in units.items()],
                }
            ],
        },
        **values,
    )


def emit_query_metrics(*, route: str, latency_ms: float, llm_calls: int, error: bool) -> None:
    """One EMF line per query: latency, errors, LLM calls, by route and platform-wide."""
    _emit(
        "metrics.query",
        dimensions=[["Route"], []],
        units={
            "QueryLatencyMs": "Milliseconds",
            "QueryErrors": "Count",
            "Requests": "Count",
            "LLMCalls": "Count",
        },
        Route=route or "unrouted",
        QueryLatencyMs=round(latency_ms, 2),
        QueryErrors=1 if error else 0,
        Requests=1,
        LLMCalls=llm_calls,
    )


def emit_ingestion_backlog(*, documents: int) -> None:
    """Documents waiting for or in ingestion, platform-wide (no tenant in the metric)."""
    _emit(
        "metrics.ingestion",
        dimensions=[[]],
        units={"IngestionBacklog": "Count"},
        IngestionBacklog=documents,
    )
