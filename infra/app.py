"""CDK entry point; `npx cdk synth` (run from infra/) executes this through cdk.json."""

import os

import aws_cdk as cdk
from ragplatform_infra.app import build

app = cdk.App()
build(app, account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
app.synth()
