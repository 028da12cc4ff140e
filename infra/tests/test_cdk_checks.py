"""cdk-nag AwsSolutions, cfn-lint, offline synthesis and the context settings."""

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from ragplatform_infra.config import ConfigError, PlatformConfig

INFRA = Path(__file__).resolve().parents[1]

CFN_LINT = str(Path(sys.executable).with_name("cfn-lint"))


def test_cdk_nag_aws_solutions_finds_nothing_unacknowledged(synth):
    assert synth.error is None, synth.error
    (nag,) = [r for r in synth.report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []


def _acknowledged(synth) -> dict[tuple[str, str], str]:
    found = {}
    for metadata in synth.metadata.values():
        for path, entries in metadata.items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        if rule.startswith("AwsSolutions::"):
                            found[(path.lstrip("/"), rule)] = reason
    return found


def test_every_cdk_nag_acknowledgment_has_a_written_reason_and_is_needed(synth):
    acknowledged = _acknowledged(synth)
    assert acknowledged, "the report would be vacuous without acknowledgments to check"
    (nag,) = [r for r in synth.report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    used = {(v["acknowledgedAt"], v["acknowledgedId"]) for v in nag["suppressedViolations"]}
    for (path, rule), reason in acknowledged.items():
        assert len(reason.split()) >= 10, f"{rule} on {path} needs a real reason: {reason!r}"
        assert (path, rule) in used, f"{rule} on {path} suppresses nothing; remove it"


def test_cdk_nag_acknowledgments_are_only_the_reviewed_kinds(synth):
    rules = {rule.split("::")[1].split("[")[0] for _, rule in _acknowledged(synth)}
    assert rules == {
        "AwsSolutions-RDS3",  # single-AZ, as the seed prices it
        "AwsSolutions-RDS11",  # default port
        "AwsSolutions-SMG4",  # manual, documented rotation
        "AwsSolutions-IAM5",  # the seed's wildcards and APIs without resource-level IAM
        "AwsSolutions-ECS2",  # non-secret environment variables
        "AwsSolutions-APIG4",  # the app authenticates
    }


def test_cfn_lint_passes_on_the_synthesized_templates(synth):
    templates = [str(synth.outdir / f"{name}.template.json") for name in synth.templates]
    result = subprocess.run(  # noqa: S603 - fixed argv
        [
            CFN_LINT,
            "--config-file",
            str(INFRA / ".cfnlintrc.yaml"),
            "--",
            *templates,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_does_report_a_broken_template(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}})
    )
    result = subprocess.run(  # noqa: S603 - fixed argv
        [
            CFN_LINT,
            "--config-file",
            str(INFRA / ".cfnlintrc.yaml"),
            "--",
            str(broken),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "E3002" in result.stdout


def test_synthesis_needs_no_lookups(synth):
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    assert "missing" not in manifest, manifest.get("missing")
    assert not (INFRA / "cdk.context.json").exists()


def test_stacks_target_ap_southeast_2(synth):
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    for name in ("RagPlatform", "RagPlatformRegistry"):
        assert manifest["artifacts"][name]["environment"] == "aws://unknown-account/ap-southeast-2"
    assert manifest["artifacts"]["RagPlatform"]["dependencies"][0] == "RagPlatformRegistry"


def _config(**context) -> PlatformConfig:
    return PlatformConfig.from_node(cdk.App(context=context).node)


def test_config_requires_the_github_repository():
    with pytest.raises(ConfigError, match="githubRepository"):
        _config()
    with pytest.raises(ConfigError, match="githubRepository"):
        _config(githubRepository="not a repo")


def test_config_reads_cli_strings_and_json_numbers_alike():
    config = _config(githubRepository="o/r", webDesiredCount="3", workerDesiredCount=0)
    assert (config.web_desired_count, config.worker_desired_count) == (3, 0)
    with pytest.raises(ConfigError, match="whole number"):
        _config(githubRepository="o/r", webDesiredCount="two")


def test_config_wants_domain_and_certificate_together():
    with pytest.raises(ConfigError, match="domainName and certificateArn"):
        _config(githubRepository="o/r", domainName="api.example.com")


def test_cdk_json_runs_the_app_through_uv_and_defaults_to_the_seed_sizes():
    cdk_json = json.loads((INFRA / "cdk.json").read_text())
    assert cdk_json["app"] == "uv run --frozen python app.py"
    assert cdk_json["context"]["dbInstanceClass"] == "t3.medium"
    assert cdk_json["context"]["webDesiredCount"] == 2
