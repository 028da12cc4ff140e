"""infra/scripts/ecs-release.sh against a fake `aws` CLI on PATH: what it registers, runs and
records, and that a failed migration or a circuit-breaker rollback fails the release."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[1]

SCRIPT = INFRA / "scripts" / "ecs-release.sh"
IMAGE = "111111111111.dkr.ecr.ap-southeast-2.amazonaws.com/ragplatform:abc123"
ARN = "arn:aws:ecs:ap-southeast-2:111111111111"

# Answers like the AWS CLI: builds the response, applies --query (JMESPath) and --output.
FAKE_AWS = textwrap.dedent(
    """
    import json, os, sys
    import jmespath

    ARN = "arn:aws:ecs:ap-southeast-2:111111111111"
    CONTAINERS = {"ragplatform-web": "web", "ragplatform-worker": "worker",
                  "ragplatform-migrate": "migrate"}
    args, options, key = [], {}, None
    for token in sys.argv[1:]:
        if token.startswith("--"):
            key = token[2:]
            options[key] = []
        elif key is None:
            args.append(token)  # service, operation and, for `wait`, the waiter
        else:
            options[key].append(token)
    call = {"command": " ".join(args[:2]), "args": args, "options": options}
    service, operation = args[:2]
    one = lambda name: options[name][0]
    state_path = os.environ["FAKE_AWS_STATE"]
    state = json.load(open(state_path)) if os.path.exists(state_path) else {"registered": {}}
    response = None
    if operation == "describe-task-definition":
        family = one("task-definition")
        response = {"taskDefinition": {
            "taskDefinitionArn": f"{ARN}:task-definition/{family}:1", "family": family,
            "revision": 1, "status": "ACTIVE", "cpu": "1024", "registeredBy": "cdk",
            "registeredAt": "2026-01-01", "compatibilities": ["FARGATE"],
            "requiresAttributes": [{"name": "x"}],
            "containerDefinitions": [{"name": CONTAINERS[family], "image": "old:1"}]}}
    elif operation == "register-task-definition":
        definition = json.load(open(one("cli-input-json").removeprefix("file://")))
        call["definition"] = definition
        arn = f"{ARN}:task-definition/{definition['family']}:2"
        state["registered"][definition["family"]] = arn
        response = {"taskDefinition": {"taskDefinitionArn": arn}}
    elif operation == "describe-services":
        name = one("services")
        family = name  # services and families share names
        running = state["registered"].get(family, f"{ARN}:task-definition/{family}:1")
        if os.environ.get("FAKE_ROLLED_BACK") == name:
            running = f"{ARN}:task-definition/{family}:1"
        response = {"services": [{"serviceName": name, "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-app"], "securityGroups": ["sg-app"],
                                    "assignPublicIp": "DISABLED"}},
            "deployments": [{"status": "PRIMARY", "taskDefinition": running,
                             "rolloutState": "COMPLETED"}]}]}
    elif operation == "run-task":
        response = {"tasks": [{"taskArn": f"{ARN}:task/ragplatform/0123abcd"}]}
    elif operation == "describe-tasks":
        code = int(os.environ.get("FAKE_MIGRATE_EXIT", "0"))
        response = {"tasks": [{"containers": [{"name": "migrate", "exitCode": code}]}]}
    elif operation == "update-service":
        response = {"service": {"serviceName": one("service")}}
    elif operation == "put-parameter":
        response = {"Version": 2}
    elif operation == "get-log-events":
        response = {"events": [{"message": "django.db.utils.ProgrammingError: boom"}]}
    elif operation not in ("wait",):
        sys.exit(f"fake aws: unexpected {service} {operation}")
    with open(os.environ["FAKE_AWS_LOG"], "a") as log:
        log.write(json.dumps(call) + "\\n")
    json.dump(state, open(state_path, "w"))
    if response is not None:
        if "query" in options:
            response = jmespath.search(one("query"), response)
        if options.get("output") == ["text"]:
            if isinstance(response, list):
                print("\\t".join("None" if v is None else str(v) for v in response))
            else:
                print("None" if response is None else response)
        else:
            print(json.dumps(response))
    """
)


@pytest.fixture
def fake_aws(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(f"#!{sys.executable}\n{FAKE_AWS}")
    aws.chmod(0o755)
    log = tmp_path / "calls.jsonl"

    def run(*args, **env):
        result = subprocess.run(  # noqa: S603 - fixed argv
            ["/bin/bash", str(SCRIPT), *args],
            capture_output=True,
            text=True,
            check=False,
            env={
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "FAKE_AWS_LOG": str(log),
                "FAKE_AWS_STATE": str(tmp_path / "state.json"),
                **env,
            },
            timeout=60,
        )
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return result, calls

    return run


def _commands(calls):
    return [call["command"] for call in calls]


def test_migrate_runs_the_migrate_task_on_the_new_image(fake_aws):
    result, calls = fake_aws("migrate", IMAGE)
    assert result.returncode == 0, result.stderr
    assert _commands(calls) == [
        "ecs describe-task-definition",
        "ecs register-task-definition",
        "ecs describe-services",
        "ecs run-task",
        "ecs wait",
        "ecs describe-tasks",
    ]
    definition = calls[1]["definition"]
    assert definition["containerDefinitions"] == [{"name": "migrate", "image": IMAGE}]
    assert definition["cpu"] == "1024"
    for read_only in (
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
    ):
        assert read_only not in definition
    assert calls[2]["options"]["services"] == ["ragplatform-web"]
    run_task = calls[3]["options"]
    assert run_task["task-definition"] == [f"{ARN}:task-definition/ragplatform-migrate:2"]
    assert json.loads(run_task["network-configuration"][0])["awsvpcConfiguration"][
        "securityGroups"
    ] == ["sg-app"]


def test_a_failed_migration_fails_the_release_and_shows_its_log(fake_aws):
    result, calls = fake_aws("migrate", IMAGE, FAKE_MIGRATE_EXIT="1")
    assert result.returncode != 0
    assert "exit code 1" in result.stderr and "boom" in result.stderr
    assert calls[-1]["options"]["log-stream-name"] == ["migrate/migrate/0123abcd"]


def test_deploy_rolls_both_services_waits_and_records_the_tag(fake_aws):
    result, calls = fake_aws("deploy", IMAGE)
    assert result.returncode == 0, result.stderr
    registered = [c["definition"] for c in calls if c["command"] == "ecs register-task-definition"]
    assert [d["containerDefinitions"] for d in registered] == [
        [{"name": "web", "image": IMAGE}],
        [{"name": "worker", "image": IMAGE}],
    ]
    updates = [c["options"] for c in calls if c["command"] == "ecs update-service"]
    assert [(u["service"], u["task-definition"]) for u in updates] == [
        (["ragplatform-web"], [f"{ARN}:task-definition/ragplatform-web:2"]),
        (["ragplatform-worker"], [f"{ARN}:task-definition/ragplatform-worker:2"]),
    ]
    (wait,) = [c for c in calls if c["command"] == "ecs wait"]
    assert wait["args"][2] == "services-stable"
    assert wait["options"]["services"] == ["ragplatform-web", "ragplatform-worker"]
    assert calls[-1]["command"] == "ssm put-parameter"
    assert calls[-1]["options"]["name"] == ["/rag-system/image-tag"]
    assert calls[-1]["options"]["value"] == ["abc123"]


def test_a_circuit_breaker_rollback_fails_the_release_and_keeps_the_old_tag(fake_aws):
    result, calls = fake_aws("deploy", IMAGE, FAKE_ROLLED_BACK="ragplatform-worker")
    assert result.returncode != 0
    assert "ragplatform-worker is not on" in result.stderr
    assert "ssm put-parameter" not in _commands(calls)


def test_usage_errors_exit_2_without_calling_aws(fake_aws):
    for args in ((), ("deploy",), ("rollback", IMAGE)):
        result, calls = fake_aws(*args)
        assert result.returncode == 2 and "usage" in result.stderr
        assert calls == []
