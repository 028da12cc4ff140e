"""The role GitHub Actions assumes through OIDC to release ragplatform: no stored AWS keys.

It can push the image, run the migrate task, roll the two services and record the released
tag; it cannot change infrastructure (that is `cdk deploy` by an operator, docs/deploy.md).
Only workflows running on this repository's main branch can assume it.
"""

from collections.abc import Sequence

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from ragplatform_infra import names

GITHUB_TOKEN_HOST = names.GITHUB_OIDC_URL.removeprefix("https://")


class GithubDeployRole(Construct):
    """OIDC provider (unless the account has one) and the least-privilege deploy role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository: str,
        existing_provider_arn: str | None,
        image_repository: ecr.IRepository,
        cluster: ecs.ICluster,
        services: Sequence[ecs.FargateService],
        passable_roles: Sequence[iam.IRole],
        image_tag_parameter_name: str,
        migrate_log_group: logs.ILogGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if existing_provider_arn:
            provider_arn = existing_provider_arn
        else:
            provider_arn = iam.OidcProviderNative(
                self, "Provider", url=names.GITHUB_OIDC_URL, client_ids=["sts.amazonaws.com"]
            ).oidc_provider_arn

        self.role = iam.Role(
            self,
            "Role",
            role_name=names.GITHUB_DEPLOY_ROLE,
            description=f"GitHub Actions deploys of {repository} (main branch only)",
            max_session_duration=Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB_TOKEN_HOST}:aud": "sts.amazonaws.com",
                        f"{GITHUB_TOKEN_HOST}:sub": f"repo:{repository}:ref:refs/heads/main",
                    }
                },
            ),
        )

        def ecs_arn(resource: str) -> str:
            return f"arn:aws:ecs:{stack.region}:{stack.account}:{resource}"

        parameter_arn = (
            f"arn:aws:ssm:{stack.region}:{stack.account}:parameter{image_tag_parameter_name}"
        )
        statements = [
            iam.PolicyStatement(
                sid="EcrLogin",
                actions=["ecr:GetAuthorizationToken"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="EcrPush",
                actions=[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:DescribeImages",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                resources=[image_repository.repository_arn],
            ),
            iam.PolicyStatement(
                sid="ReadAndRegisterTaskDefinitions",
                actions=["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="RunMigrateTask",
                actions=["ecs:RunTask"],
                resources=[ecs_arn(f"task-definition/{names.MIGRATE_FAMILY}:*")],
                conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}},
            ),
            iam.PolicyStatement(
                sid="WatchMigrateTask",
                actions=["ecs:DescribeTasks"],
                resources=[ecs_arn(f"task/{names.CLUSTER}/*")],
            ),
            iam.PolicyStatement(
                sid="RollServices",
                actions=["ecs:DescribeServices", "ecs:UpdateService"],
                resources=[service.service_arn for service in services],
            ),
            iam.PolicyStatement(
                sid="PassTaskRoles",
                actions=["iam:PassRole"],
                resources=[role.role_arn for role in passable_roles],
                conditions={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            ),
            iam.PolicyStatement(
                sid="RecordReleasedTag",
                actions=["ssm:GetParameter", "ssm:PutParameter"],
                resources=[parameter_arn],
            ),
            iam.PolicyStatement(
                sid="ReadMigrateLogs",
                actions=["logs:GetLogEvents"],
                resources=[migrate_log_group.log_group_arn],
            ),
        ]
        policy = iam.Policy(self, "Policy", statements=statements)
        policy.attach_to_role(self.role)

        reasons = {
            "Resource::*": "ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition and "
            "ecs:DescribeTaskDefinition have no resource-level permissions in IAM.",
            f"Resource::arn:aws:ecs:{names.REGION}:<AWS::AccountId>:task-definition/"
            f"{names.MIGRATE_FAMILY}:*": "Each release registers a new revision of the migrate "
            "task definition; the family is fixed, only the revision number varies.",
            f"Resource::arn:aws:ecs:{names.REGION}:<AWS::AccountId>:task/{names.CLUSTER}/*": (
                "Task IDs are random; the workflow only reads the migrate task it started in "
                "this cluster."
            ),
        }
        for finding, reason in reasons.items():
            Validations.of(policy).acknowledge(
                Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=reason)
            )
