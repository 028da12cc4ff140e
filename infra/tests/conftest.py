"""Fixtures for the infra tests: the CDK app is synthesized once per session and shared.

Nothing here touches a database or the network: synthesis is offline (explicit zones, no
lookups) and the linters run on local files.
"""

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[1]
REPO = INFRA.parent
sys.path.insert(0, str(INFRA))
# node 20 is what this machine has; jsii prints a banner about it on every start.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

TEST_REPOSITORY = "example-org/ragplatform"


@dataclass
class Synthesis:
    """One synthesized cloud assembly: templates, the validation report, any synth error."""

    outdir: Path
    error: str | None
    templates: dict[str, dict] = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    metadata: dict[str, dict] = field(default_factory=dict)

    @property
    def platform(self) -> dict:
        return self.templates["RagPlatform"]

    @property
    def registry(self) -> dict:
        return self.templates["RagPlatformRegistry"]

    def resources(self, resource_type: str, stack: str = "RagPlatform") -> dict[str, dict]:
        return {
            logical_id: resource
            for logical_id, resource in self.templates[stack]["Resources"].items()
            if resource["Type"] == resource_type
        }

    def one(self, resource_type: str, stack: str = "RagPlatform", **where) -> tuple[str, dict]:
        """The single resource of a type whose Properties include ``where``."""
        matches = [
            (logical_id, resource)
            for logical_id, resource in self.resources(resource_type, stack).items()
            if all(resource["Properties"].get(key) == value for key, value in where.items())
        ]
        assert len(matches) == 1, f"expected one {resource_type} with {where}, got {matches}"
        return matches[0]


def synthesize(outdir: Path, **context) -> Synthesis:
    """Build the app as `cdk synth` does (cdk.json context plus ``context``) into ``outdir``."""
    import aws_cdk as cdk
    from ragplatform_infra.app import build

    base = json.loads((INFRA / "cdk.json").read_text())["context"]
    app = cdk.App(
        context={**base, "githubRepository": TEST_REPOSITORY, **context}, outdir=str(outdir)
    )
    build(app)
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # cdk-nag findings make synthesis fail
        error = str(exc)
    result = Synthesis(outdir=outdir, error=error)
    for name in ("RagPlatform", "RagPlatformRegistry"):
        template = outdir / f"{name}.template.json"
        if template.exists():
            result.templates[name] = json.loads(template.read_text())
            result.metadata[name] = json.loads((outdir / f"{name}.metadata.json").read_text())
    report = outdir / "validation-report.json"
    if report.exists():
        result.report = json.loads(report.read_text())
    return result


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synthesis:
    """The production configuration exactly as cdk.json gives it."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def synth_options(tmp_path_factory) -> Synthesis:
    """Every optional setting turned on: custom domain, t3.large, email, existing OIDC provider."""
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.options"),
        domainName="api.example.com",
        certificateArn="arn:aws:acm:ap-southeast-2:111111111111:certificate/abc",
        dbInstanceClass="t3.large",
        alarmEmail="sre@example.com",
        githubOidcProviderArn=(
            "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
        ),
        webDesiredCount="3",
    )


@pytest.fixture(scope="session")
def platform(synth):
    """aws_cdk.assertions view of the platform stack."""
    from aws_cdk.assertions import Template

    assert synth.error is None, synth.error
    return Template.from_json(synth.platform)


@pytest.fixture(scope="session")
def registry(synth):
    """aws_cdk.assertions view of the registry stack."""
    from aws_cdk.assertions import Template

    assert synth.error is None, synth.error
    return Template.from_json(synth.registry)
