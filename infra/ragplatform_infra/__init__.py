"""AWS CDK app for ragplatform's production deployment in ap-southeast-2 (Sydney)."""
