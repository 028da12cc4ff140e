"""Deployment settings read from CDK context (`cdk.json` or `-c key=value`)."""

import re
from dataclasses import dataclass

from constructs import Node

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_INSTANCE_CLASS = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9]+$")


class ConfigError(ValueError):
    """A context value is missing or malformed; synthesis stops with this message."""


@dataclass(frozen=True)
class PlatformConfig:
    """Everything an operator may change per deployment; the rest is the seed's design."""

    github_repository: str
    db_instance_class: str = "t3.medium"
    web_desired_count: int = 2
    worker_desired_count: int = 1
    api_rate_limit: int = 50
    api_burst_limit: int = 100
    alarm_email: str | None = None
    domain_name: str | None = None
    certificate_arn: str | None = None
    github_oidc_provider_arn: str | None = None

    @classmethod
    def from_node(cls, node: Node) -> "PlatformConfig":
        """Build from context; `-c` values arrive as strings, cdk.json ones as JSON types."""

        def text(key: str) -> str | None:
            value = node.try_get_context(key)
            return str(value).strip() or None if value is not None else None

        def number(key: str, default: int) -> int:
            value = text(key)
            if value is None:
                return default
            if not value.isdigit():
                raise ConfigError(f"context {key} must be a whole number, got {value!r}")
            return int(value)

        repository = text("githubRepository")
        if repository is None or not _REPOSITORY.match(repository):
            raise ConfigError(
                "context githubRepository must be 'owner/name' of the GitHub repository that "
                "may deploy (cdk deploy -c githubRepository=owner/name)"
            )
        instance_class = text("dbInstanceClass") or cls.db_instance_class
        if not _INSTANCE_CLASS.match(instance_class):
            raise ConfigError(f"context dbInstanceClass must look like t3.medium: {instance_class}")
        config = cls(
            github_repository=repository,
            db_instance_class=instance_class,
            web_desired_count=number("webDesiredCount", cls.web_desired_count),
            worker_desired_count=number("workerDesiredCount", cls.worker_desired_count),
            api_rate_limit=number("apiRateLimit", cls.api_rate_limit),
            api_burst_limit=number("apiBurstLimit", cls.api_burst_limit),
            alarm_email=text("alarmEmail"),
            domain_name=text("domainName"),
            certificate_arn=text("certificateArn"),
            github_oidc_provider_arn=text("githubOidcProviderArn"),
        )
        if bool(config.domain_name) != bool(config.certificate_arn):
            raise ConfigError("domainName and certificateArn go together: give both or neither")
        return config
