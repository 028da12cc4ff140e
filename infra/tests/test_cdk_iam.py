"""The ECS task role is exactly the seed's least-privilege policy; the GitHub deploy role can
release the app and nothing else."""

import json

from ragplatform_infra import names

SEED_TASK_POLICY = [
    {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        "Resource": "arn:aws:s3:::rag-system-docs-prod/tenants/*",
    },
    {
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": "arn:aws:secretsmanager:ap-southeast-2:*:secret:rag-system/*",
    },
    {
        "Effect": "Allow",
        "Action": ["bedrock:InvokeModel"],
        "Resource": "*",
    },
]


def _normalized(statement: dict) -> dict:
    """IAM treats "a" and ["a"] alike, and action order does not matter."""

    def as_set(value):
        return frozenset([value] if isinstance(value, str) else value)

    return {
        key: as_set(value) if key in {"Action", "Resource"} else value
        for key, value in statement.items()
    }


def _task_role(synth) -> tuple[str, dict]:
    task_role_refs = {
        json.dumps(td["Properties"]["TaskRoleArn"])
        for td in synth.resources("AWS::ECS::TaskDefinition").values()
    }
    assert len(task_role_refs) == 1, "web, worker and migrate share one task role"
    logical_id = json.loads(task_role_refs.pop())["Fn::GetAtt"][0]
    return logical_id, synth.platform["Resources"][logical_id]


def test_task_role_policy_is_exactly_the_seeds_three_statements(synth):
    _, role = _task_role(synth)
    (policy,) = role["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert len(statements) == 3
    assert [_normalized(s) for s in statements] == [_normalized(s) for s in SEED_TASK_POLICY]


def test_task_role_has_no_other_permissions(synth):
    logical_id, role = _task_role(synth)
    assert "ManagedPolicyArns" not in role["Properties"]
    for policy in synth.resources("AWS::IAM::Policy").values():
        assert {"Ref": logical_id} not in policy["Properties"].get("Roles", [])


def test_task_role_trusts_only_ecs_tasks_of_this_account(synth):
    _, role = _task_role(synth)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
    }


def test_secret_key_is_injected_by_the_execution_role_not_the_task_role(synth):
    django_secret, _ = synth.one("AWS::SecretsManager::Secret", Name="rag-system/DJANGO_SECRET_KEY")
    execution_roles = {
        td["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
        for td in synth.resources("AWS::ECS::TaskDefinition").values()
    }
    (execution_role,) = execution_roles
    (policy,) = [
        p
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": execution_role} in p["Properties"]["Roles"]
    ]
    reads = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])
    ]
    assert [s["Resource"] for s in reads] == [{"Ref": django_secret}]


def _deploy_role(synth) -> tuple[str, dict]:
    return synth.one("AWS::IAM::Role", RoleName=names.GITHUB_DEPLOY_ROLE)


def test_deploy_role_trusts_only_the_main_branch_of_the_repository(synth):
    _, role = _deploy_role(synth)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": {"Ref": synth.one("AWS::IAM::OIDCProvider")[0]}}
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": (
                "repo:example-org/ragplatform:ref:refs/heads/main"
            ),
        }
    }
    _, provider = synth.one("AWS::IAM::OIDCProvider")
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]


def test_an_existing_oidc_provider_is_reused(synth_options):
    assert synth_options.resources("AWS::IAM::OIDCProvider") == {}
    _, role = synth_options.one("AWS::IAM::Role", RoleName=names.GITHUB_DEPLOY_ROLE)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"]["Federated"].endswith(
        ":oidc-provider/token.actions.githubusercontent.com"
    )


def test_deploy_role_can_release_but_not_change_infrastructure(synth):
    role_id, _ = _deploy_role(synth)
    (policy,) = [
        p
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        found = statement["Action"]
        actions |= {found} if isinstance(found, str) else set(found)
    assert actions == {
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
        "ecs:RunTask",
        "ecs:DescribeTasks",
        "ecs:DescribeServices",
        "ecs:UpdateService",
        "iam:PassRole",
        "ssm:GetParameter",
        "ssm:PutParameter",
        "logs:GetLogEvents",
    }
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["PassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    task_role_id, _ = _task_role(synth)
    passed = {r["Fn::GetAtt"][0] for r in by_sid["PassTaskRoles"]["Resource"]}
    assert task_role_id in passed and len(passed) == 2
    wildcard = {s["Sid"] for s in statements if s["Resource"] == "*"}
    assert wildcard == {"EcrLogin", "ReadAndRegisterTaskDefinitions"}
    assert "ecs:cluster" in json.dumps(by_sid["RunMigrateTask"]["Condition"])
    assert names.MIGRATE_FAMILY in json.dumps(by_sid["RunMigrateTask"]["Resource"])
