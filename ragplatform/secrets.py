"""Production secrets: read from AWS Secrets Manager at start-up, fail fast when absent."""

from collections.abc import MutableMapping

from django.core.exceptions import ImproperlyConfigured

from ragplatform.environment import parse_bool

SECRET_PREFIX = "rag-system/"  # noqa: S105 - a name prefix, not a secret
REQUIRED_SECRETS = ("OPENAI_API_KEY", "DATABASE_URL", "ADMIN_API_KEY")
# Django's signing key may come from the task's environment (ECS secret injection) or the store.
OPTIONAL_SECRETS = {"SECRET_KEY": "DJANGO_SECRET_KEY"}


class ProductionConfigError(ImproperlyConfigured):
    """The production configuration is incomplete or unsafe; the app must not start."""


def load_production_secrets(env: MutableMapping[str, str], *, client=None) -> list[str]:
    """Fill ``env`` from Secrets Manager; return the names loaded.

    Raises ProductionConfigError naming every missing secret, or when DEBUG is on.
    """
    if parse_bool("DEBUG", env.get("DEBUG"), default=False):
        raise ProductionConfigError("DEBUG must be off when RAG_ENV=production.")
    if client is None:
        import boto3

        client = boto3.client("secretsmanager", region_name=env.get("AWS_REGION", "ap-southeast-2"))

    loaded, missing = [], []
    for name in REQUIRED_SECRETS:
        value = _fetch(client, SECRET_PREFIX + name)
        if value:
            env[name] = value
            loaded.append(name)
        else:
            missing.append(SECRET_PREFIX + name)
    for name, secret in OPTIONAL_SECRETS.items():
        if env.get(name):
            continue
        value = _fetch(client, SECRET_PREFIX + secret)
        if value:
            env[name] = value
            loaded.append(name)
        else:
            missing.append(f"{SECRET_PREFIX}{secret} (or the {name} environment variable)")
    if missing:
        raise ProductionConfigError(
            "RAG_ENV=production but these secrets are missing or empty in AWS Secrets "
            f"Manager: {', '.join(missing)}."
        )
    return loaded


def _fetch(client, secret_id: str) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = client.get_secret_value(SecretId=secret_id)
    except client.exceptions.ResourceNotFoundException:
        return None
    except (ClientError, BotoCoreError) as exc:
        raise ProductionConfigError(f"Cannot read secret {secret_id}: {exc}") from exc
    return (response.get("SecretString") or "").strip() or None
