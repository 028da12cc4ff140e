"""CloudWatch metrics as Embedded Metric Format (EMF) log lines; no tenant data in them."""

import time

import structlog

log = structlog.get_logger("ragplatform.metrics")
NAMESPACE = "RagPlatform"


def emit_query_metrics(*, route: str, latency_ms: float, llm_calls: int, error: bool) -> None:
    """One EMF line per query: latency, errors, LLM calls, by route and platform-wide."""
    log.info(
        "metrics.query",
        _aws={
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["Route"], []],
                    "Metrics": [
                        {"Name": "QueryLatencyMs", "Unit": "Milliseconds"},
                        {"Name": "QueryErrors", "Unit": "Count"},
                        {"Name": "Requests", "Unit": "Count"},
                        {"Name": "LLMCalls", "Unit": "Count"},
                    ],
                }
            ],
        },
        Route=route or "unrouted",
        QueryLatencyMs=round(latency_ms, 2),
        QueryErrors=1 if error else 0,
        Requests=1,
        LLMCalls=llm_calls,
    )


def emit_ingestion_backlog(*, documents: int) -> None:
    """Documents waiting for or in ingestion, platform-wide (no tenant in the metric)."""
    log.info(
        "metrics.ingestion",
        _aws={
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [[]],
                    "Metrics": [{"Name": "IngestionBacklog", "Unit": "Count"}],
                }
            ],
        },
        IngestionBacklog=documents,
    )
