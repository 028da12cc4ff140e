"""The image registry, in its own stack so an image can be pushed before the services exist."""

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ragplatform_infra import names


class RegistryStack(Stack):
    """ECR repository for the one ragplatform image (web, worker and migrate)."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=names.ECR_REPOSITORY,
            image_scan_on_push=True,
            # Tags are commit SHAs: a tag always names the same image, so rollbacks are exact.
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.AES_256,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    rule_priority=1,
                    description="Untagged layers left by interrupted pushes",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=Duration.days(7),
                ),
                ecr.LifecycleRule(
                    rule_priority=2,
                    description="Keep the last 50 releases for rollback",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=50,
                ),
            ],
        )
        CfnOutput(self, "RepositoryUri", value=self.repository.repository_uri)
