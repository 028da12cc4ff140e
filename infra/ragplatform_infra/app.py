"""Builds the CDK app: the registry stack, the platform stack, and the cdk-nag checks."""

from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from ragplatform_infra import names
from ragplatform_infra.config import PlatformConfig
from ragplatform_infra.platform_stack import PlatformStack
from ragplatform_infra.registry import RegistryStack


@dataclass(frozen=True)
class Stacks:
    registry: RegistryStack
    platform: PlatformStack


def build(app: cdk.App, *, account: str | None = None) -> Stacks:
    """Add both stacks to ``app``; synthesis then fails on any unacknowledged cdk-nag finding.

    ``account`` may stay None: the templates are then account-agnostic, which is all the
    deploy needs (the region is fixed, the zones are explicit, nothing is looked up).
    """
    config = PlatformConfig.from_node(app.node)
    env = cdk.Environment(account=account, region=names.REGION)
    registry = RegistryStack(
        app,
        "RagPlatformRegistry",
        env=env,
        description="ragplatform: ECR repository for the application image",
    )
    platform = PlatformStack(
        app,
        "RagPlatform",
        env=env,
        config=config,
        description="ragplatform: VPC, RDS, S3, ECS Fargate, ALB, API Gateway, monitoring",
        termination_protection=True,
    )
    platform.add_dependency(registry, "the services pull their image from the repository")
    for stack in (registry, platform):
        cdk.Tags.of(stack).add("project", "ragplatform")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return Stacks(registry=registry, platform=platform)
