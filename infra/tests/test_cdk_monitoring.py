"""Alarms of the seed (error rate > 5 %, P99 latency > 10 s) to SNS, and the dashboard."""

import json

from ragplatform_infra import names


def _alarm(synth, name):
    return synth.one("AWS::CloudWatch::Alarm", AlarmName=f"ragplatform-{name}")[1]["Properties"]


def _metrics_by_id(alarm):
    return {query["Id"]: query for query in alarm["Metrics"]}


def test_api_error_rate_alarm_is_metric_math_above_5_percent(synth):
    alarm = _alarm(synth, "ApiErrorRate")
    assert alarm["Threshold"] == 5
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    queries = _metrics_by_id(alarm)
    (expression,) = [q for q in queries.values() if "Expression" in q]
    assert expression["Expression"] == (
        "IF(api_requests >= 10, 100 * api_errors / api_requests, 0)"
    )
    assert expression["ReturnData"] is True
    errors = queries["api_errors"]["MetricStat"]
    requests = queries["api_requests"]["MetricStat"]
    assert (errors["Metric"]["Namespace"], errors["Metric"]["MetricName"]) == (
        "AWS/ApiGateway",
        "5xx",
    )
    assert requests["Metric"]["MetricName"] == "Count"
    assert errors["Stat"] == requests["Stat"] == "Sum"


def test_query_error_rate_alarm_uses_the_apps_emf_metrics(synth):
    alarm = _alarm(synth, "QueryErrorRate")
    assert alarm["Threshold"] == 5
    queries = _metrics_by_id(alarm)
    for query_id, metric_name in (("query_errors", "QueryErrors"), ("query_requests", "Requests")):
        metric = queries[query_id]["MetricStat"]["Metric"]
        assert metric == {"Namespace": "RagPlatform", "MetricName": metric_name}


def _single_stat(alarm) -> tuple[str, str, str, list]:
    (query,) = alarm["Metrics"]
    stat = query["MetricStat"]
    metric = stat["Metric"]
    return metric["Namespace"], metric["MetricName"], stat["Stat"], metric.get("Dimensions", [])


def test_p99_latency_alarms_fire_above_10_seconds(synth):
    api = _alarm(synth, "ApiLatencyP99")
    namespace, metric, stat, dimensions = _single_stat(api)
    assert (namespace, metric, stat) == ("AWS/ApiGateway", "Latency", "p99")
    assert [d["Name"] for d in dimensions] == ["ApiId"]
    query = _alarm(synth, "QueryLatencyP99")
    # The service-level set: no Route dimension.
    assert _single_stat(query) == ("RagPlatform", "QueryLatencyMs", "p99", [])
    for alarm in (api, query):
        assert alarm["Threshold"] == 10_000  # milliseconds
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_every_alarm_notifies_the_sns_topic_on_alarm_and_recovery(synth):
    topic_id, topic = synth.one("AWS::SNS::Topic")
    assert topic["Properties"]["TopicName"] == names.ALARM_TOPIC
    alarms = synth.resources("AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 7
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]


def test_unhealthy_web_tier_alarms_even_with_no_traffic(synth):
    alarm = _alarm(synth, "NoHealthyWebTargets")
    assert alarm["MetricName"] == "HealthyHostCount"
    assert alarm["Statistic"] == "Minimum"
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["Threshold"] == 1
    assert alarm["TreatMissingData"] == "breaching"


def test_alarm_email_is_subscribed_when_given(synth, synth_options):
    assert synth.resources("AWS::SNS::Subscription") == {}
    (subscription,) = synth_options.resources("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "sre@example.com"


def _dashboard_body(synth) -> str:
    (dashboard,) = synth.resources("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    if isinstance(body, dict):
        body = "".join(part if isinstance(part, str) else "0" for part in body["Fn::Join"][1])
    return body


def test_dashboard_shows_requests_errors_latency_llm_calls_and_backlog(synth):
    body = json.loads(_dashboard_body(synth))
    titles = [widget["properties"].get("title") for widget in body["widgets"]]
    for title in (
        "Requests",
        "Error rate (%)",
        "Query latency P50 / P99 (ms)",
        "LLM calls by route",
        "Ingestion backlog (documents waiting)",
    ):
        assert title in titles
    text = json.dumps(body)
    for metric in ("QueryLatencyMs", "QueryErrors", "Requests", "LLMCalls", "IngestionBacklog"):
        assert f'"RagPlatform", "{metric}"' in text
    for route in names.ROUTES:
        assert f'"Route", "{route}"' in text
    assert '"p50"' in text and '"p99"' in text
