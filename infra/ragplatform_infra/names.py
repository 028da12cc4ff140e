"""Physical names shared by the stacks, the deploy workflow and the docs.

They are fixed (not generated) because `.github/workflows/deploy.yml` and `docs/deploy.md`
address these resources by name; a test checks the workflow uses the same ones.
"""

REGION = "ap-southeast-2"
# Explicit zones: synthesis needs no account lookup, so it works offline and is reproducible.
AVAILABILITY_ZONES = ("ap-southeast-2a", "ap-southeast-2b")

ECR_REPOSITORY = "ragplatform"
DOCS_BUCKET = "rag-system-docs-prod"
SECRET_PREFIX = "rag-system/"  # noqa: S105 - a name prefix, not a secret
APP_SECRETS = ("OPENAI_API_KEY", "DATABASE_URL", "ADMIN_API_KEY", "DJANGO_SECRET_KEY")
DB_MASTER_SECRET = "ragplatform/rds-master"  # noqa: S105 - a name, outside the task's prefix
DB_INSTANCE_ID = "ragplatform-db"
DB_NAME = "ragplatform"

CLUSTER = "ragplatform"
WEB_SERVICE = "ragplatform-web"
WORKER_SERVICE = "ragplatform-worker"
WEB_FAMILY = "ragplatform-web"
WORKER_FAMILY = "ragplatform-worker"
MIGRATE_FAMILY = "ragplatform-migrate"
WEB_CONTAINER = "web"
WORKER_CONTAINER = "worker"
MIGRATE_CONTAINER = "migrate"
WEB_PORT = 8000
HEALTH_PATH = "/api/v1/health"

# The image tag the services run. The deploy workflow writes it after each release, and every
# `cdk deploy` reads it, so an infrastructure change never rolls the application back.
IMAGE_TAG_PARAMETER = "/rag-system/image-tag"

LOG_GROUPS = {
    "web": "/ragplatform/web",
    "worker": "/ragplatform/worker",
    "migrate": "/ragplatform/migrate",
    "api": "/ragplatform/api-gateway",
    "flow": "/ragplatform/vpc-flow-logs",
    "database": f"/aws/rds/instance/{DB_INSTANCE_ID}/postgresql",
}

GITHUB_DEPLOY_ROLE = "ragplatform-github-deploy"
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
ALARM_TOPIC = "ragplatform-alarms"
DASHBOARD = "ragplatform"

# CloudWatch Embedded Metric Format lines the app prints (see ragplatform's metrics module).
METRICS_NAMESPACE = "RagPlatform"
ROUTES = ("financial_docs", "web_search", "sql")
