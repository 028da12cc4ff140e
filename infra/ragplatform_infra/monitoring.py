"""CloudWatch dashboard and alarms over the app's EMF metrics and the AWS service metrics.

The app prints Embedded Metric Format lines (namespace RagPlatform) that CloudWatch turns into
metrics: QueryLatencyMs, QueryErrors, Requests, LLMCalls, IngestionBacklog, each once with a
"Route" dimension and once with none (the service-level set). No tenant appears in a metric.
"""

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ragplatform_infra import names

PERIOD = Duration.minutes(5)
ERROR_RATE_PERCENT = 5
P99_LATENCY_MS = 10_000
# Below this many requests in 5 minutes a percentage is noise (1 failure in 3 is "33 %");
# a total outage is caught by the no-healthy-targets alarm instead.
MIN_REQUESTS_FOR_RATE = 10


def app_metric(name: str, statistic: str, route: str | None = None) -> cw.Metric:
    """One of the app's EMF metrics, service-level (no dimension) or for one route."""
    return cw.Metric(
        namespace=names.METRICS_NAMESPACE,
        metric_name=name,
        statistic=statistic,
        period=PERIOD,
        dimensions_map={"Route": route} if route else None,
        label=f"{name} {route}" if route else name,
    )


def error_rate(key: str, errors: cw.IMetric, requests: cw.IMetric, label: str) -> cw.MathExpression:
    """100 * errors / requests, 0 while traffic is too thin for a percentage to mean much."""
    e, r = f"{key}_errors", f"{key}_requests"
    return cw.MathExpression(
        expression=f"IF({r} >= {MIN_REQUESTS_FOR_RATE}, 100 * {e} / {r}, 0)",
        using_metrics={e: errors, r: requests},
        label=label,
        period=PERIOD,
    )


class Monitoring(Construct):
    """SNS alarm topic, the alarms of the seed (error rate > 5 %, P99 > 10 s) and a dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigw.HttpApi,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        web_service: ecs.FargateService,
        worker_service: ecs.FargateService,
        database: rds.DatabaseInstance,
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            topic_name=names.ALARM_TOPIC,
            display_name="ragplatform alarms",
            enforce_ssl=True,
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))

        api_requests = api.metric_count(period=PERIOD, statistic="Sum", label="API requests")
        api_5xx = api.metric_server_error(period=PERIOD, statistic="Sum", label="API 5xx")
        api_error_rate = error_rate("api", api_5xx, api_requests, "API 5xx rate (%)")
        query_error_rate = error_rate(
            "query",
            app_metric("QueryErrors", "Sum"),
            app_metric("Requests", "Sum"),
            "Query error rate (%)",
        )
        api_p99 = api.metric_latency(period=PERIOD, statistic="p99", label="API latency p99")
        query_p99 = app_metric("QueryLatencyMs", "p99")
        healthy_targets = target_group.metrics.healthy_host_count(
            period=Duration.minutes(1), statistic="Minimum"
        )

        self.alarms: list[cw.Alarm] = [
            self._alarm(
                "ApiErrorRate",
                api_error_rate,
                ERROR_RATE_PERCENT,
                "More than 5 % of API requests failed with a 5xx (API Gateway, any route).",
            ),
            self._alarm(
                "QueryErrorRate",
                query_error_rate,
                ERROR_RATE_PERCENT,
                "More than 5 % of questions failed inside the app (EMF QueryErrors/Requests).",
            ),
            self._alarm(
                "ApiLatencyP99",
                api_p99,
                P99_LATENCY_MS,
                "P99 latency of API requests is above 10 s (API Gateway).",
            ),
            self._alarm(
                "QueryLatencyP99",
                query_p99,
                P99_LATENCY_MS,
                "P99 question latency is above 10 s (EMF QueryLatencyMs).",
            ),
            self._alarm(
                "NoHealthyWebTargets",
                healthy_targets,
                1,
                "No web task passes the ALB health check on /api/v1/health.",
                comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=3,
                datapoints_to_alarm=3,
                missing=cw.TreatMissingData.BREACHING,
            ),
            self._alarm(
                "DatabaseCpu",
                database.metric_cpu_utilization(period=PERIOD),
                80,
                "RDS CPU above 80 %: consider the db.t3.large step (docs/deploy.md).",
            ),
            self._alarm(
                "DatabaseFreeStorage",
                database.metric_free_storage_space(period=PERIOD, statistic="Minimum"),
                5 * 1024**3,
                "Less than 5 GiB free on RDS (storage autoscaling has reached its maximum?).",
                comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            ),
        ]

        self.dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=names.DASHBOARD, default_interval=Duration.hours(6)
        )
        routes = names.ROUTES
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Requests",
                left=[app_metric("Requests", "Sum"), api_requests],
                width=12,
            ),
            cw.GraphWidget(
                title="Error rate (%)",
                left=[api_error_rate, query_error_rate],
                left_annotations=[
                    cw.HorizontalAnnotation(value=ERROR_RATE_PERCENT, label="alarm: 5 %")
                ],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Query latency P50 / P99 (ms)",
                left=[
                    app_metric("QueryLatencyMs", "p50"),
                    query_p99,
                    *(app_metric("QueryLatencyMs", "p99", route) for route in routes),
                ],
                left_annotations=[
                    cw.HorizontalAnnotation(value=P99_LATENCY_MS, label="alarm: P99 10 s")
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="LLM calls by route",
                left=[app_metric("LLMCalls", "Sum", route) for route in routes],
                stacked=True,
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Ingestion backlog (documents waiting)",
                left=[app_metric("IngestionBacklog", "Maximum")],
                width=8,
            ),
            cw.GraphWidget(
                title="Query errors by route",
                left=[app_metric("QueryErrors", "Sum", route) for route in routes],
                stacked=True,
                width=8,
            ),
            cw.GraphWidget(
                title="API Gateway latency (ms)",
                left=[api.metric_latency(period=PERIOD, statistic="p50"), api_p99],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="ALB targets",
                left=[
                    load_balancer.metrics.target_response_time(period=PERIOD, statistic="p99"),
                    load_balancer.metrics.http_code_target(
                        elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=PERIOD
                    ),
                ],
                right=[healthy_targets],
                width=8,
            ),
            cw.GraphWidget(
                title="ECS CPU / memory (%)",
                left=[
                    web_service.metric_cpu_utilization(period=PERIOD, label="web CPU"),
                    web_service.metric_memory_utilization(period=PERIOD, label="web memory"),
                    worker_service.metric_cpu_utilization(period=PERIOD, label="worker CPU"),
                    worker_service.metric_memory_utilization(period=PERIOD, label="worker memory"),
                ],
                width=8,
            ),
            cw.GraphWidget(
                title="RDS",
                left=[database.metric_cpu_utilization(period=PERIOD)],
                right=[database.metric_database_connections(period=PERIOD)],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24)
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cw.IMetric,
        threshold: float,
        description: str,
        *,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods: int = 3,
        datapoints_to_alarm: int = 2,
        missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            construct_id,
            alarm_name=f"ragplatform-{construct_id}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        return alarm
