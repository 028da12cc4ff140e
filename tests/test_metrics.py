"""CloudWatch Embedded Metric Format lines: query metrics by route, ingestion backlog, no tenant."""

import json
import logging

import pytest

from ragplatform.logging import json_formatter

from .test_query_api import ANNUAL_REPORT, ask, ingest

pytestmark = pytest.mark.django_db


def emf_lines(caplog, event: str) -> list[dict]:
    formatter = json_formatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == event
    ]


def test_each_query_emits_one_emf_line_by_route_without_tenant_data(tenant_a, client_a, caplog):
    caplog.set_level(logging.INFO, logger="ragplatform.metrics")
    ask(client_a, "What was revenue in 2024?")
    (line,) = emf_lines(caplog, "metrics.query")
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "RagPlatform"
    assert directive["Dimensions"] == [["Route"], []]
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert names == {"QueryLatencyMs", "QueryErrors", "Requests", "LLMCalls"}
    assert line["Route"] == "financial_docs"
    assert line["Requests"] == 1 and line["QueryErrors"] == 0
    assert line["LLMCalls"] >= 1
    assert "tenant" not in json.dumps(line).lower()


def test_ingestion_reports_the_backlog(tenant_a, caplog):
    from documents.tasks import ingest_document

    caplog.set_level(logging.INFO, logger="ragplatform.metrics")
    document_id = next(iter(ingest(tenant_a, ANNUAL_REPORT)))
    ingest_document.call(document_id=document_id)
    (line,) = emf_lines(caplog, "metrics.ingestion")
    assert line["IngestionBacklog"] == 0
    assert line["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [
        {"Name": "IngestionBacklog", "Unit": "Count"}
    ]


def test_the_dashboards_chart_every_route_a_tenant_can_enable():
    # infra/ is a CDK app of its own (no Django), so it keeps a copy of the routes.
    from infra.ragplatform_infra import names
    from tenants.models import ROUTES

    assert names.ROUTES == ROUTES
