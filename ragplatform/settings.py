"""Django settings, all read from the environment (12-factor) in this one place.

Locally the environment can come from `.env` (the real environment wins). With
RAG_ENV=production the secrets come from AWS Secrets Manager and the app refuses to
start without them. With no DATABASE_URL an embedded PostgreSQL runs under `.data/`.
"""

import os
from pathlib import Path

import dj_database_url
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
ENV_FILE = Path(os.environ.get("RAG_ENV_FILE", BASE_DIR / ".env"))
load_dotenv(ENV_FILE, override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


RAG_ENV = os.environ.get("RAG_ENV", "local").strip().lower()
PRODUCTION = RAG_ENV == "production"

# The image build runs collectstatic with production static storage but no AWS access.
BUILD_STEP = os.environ.get("RAG_BUILD_STEP", "")
if PRODUCTION and BUILD_STEP != "collectstatic":
    from ragplatform.secrets import ProductionConfigError, load_production_secrets

    try:
        load_production_secrets(os.environ)
    except ProductionConfigError as exc:
        raise SystemExit(f"ragplatform: refusing to start: {exc}") from None

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    # Only for local runs and tests; production always has a real key (checked above).
    "local-insecure-key-not-for-production"
)
ADMIN_API_KEY = os.environ.get("ADMIN_API_KEY", "")
AWS_REGION = os.environ.get("AWS_REGION", "ap-southeast-2")

# Model providers (the providers app). Base/endpoint URLs exist so tests can point the real
# clients at fake servers on 127.0.0.1; leave them empty in production.
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
BEDROCK_REGION = os.environ.get("BEDROCK_REGION", "ap-southeast-2")
BEDROCK_ENDPOINT_URL = os.environ.get("BEDROCK_ENDPOINT_URL", "")
TAVILY_API_KEY = os.environ.get("TAVILY_API_KEY", "")
TAVILY_BASE_URL = os.environ.get("TAVILY_BASE_URL", "")
PROVIDER_TIMEOUT_SECONDS = float(os.environ.get("PROVIDER_TIMEOUT_SECONDS", "30"))
PROVIDER_MAX_RETRIES = env_int("PROVIDER_MAX_RETRIES", 4)
PROVIDER_RETRY_BUDGET_SECONDS = float(os.environ.get("PROVIDER_RETRY_BUDGET_SECONDS", "60"))
# Benchmarks only: the simulated local chat model waits this long per call, like a remote model.
LOCAL_PROVIDER_DELAY_MS = env_int("LOCAL_PROVIDER_DELAY_MS", 0)

# Documents (documents/): upload limits and ingestion batching.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 1024 * 1024)
DOCUMENT_MAX_PAGES = env_int("DOCUMENT_MAX_PAGES", 2000)
DOCUMENT_MAX_FILES_PER_UPLOAD = env_int("DOCUMENT_MAX_FILES_PER_UPLOAD", 50)
EMBED_BATCH_SIZE = env_int("EMBED_BATCH_SIZE", 64)
RETRIEVAL_K = env_int("RETRIEVAL_K", 8)
QUESTION_MAX_CHARS = env_int("QUESTION_MAX_CHARS", 2000)
# How often a queued/processing document is checked for a dead worker (then re-queued).
DOCUMENT_WATCHDOG_SECONDS = env_int("DOCUMENT_WATCHDOG_SECONDS", 60)
# A tenant with at least this many chunks (and at most half of all) gets its own partial HNSW
# index (documents/tenant_indexes.py); smaller tenants are scanned exactly.
TENANT_VECTOR_INDEX_MIN_CHUNKS = env_int("TENANT_VECTOR_INDEX_MIN_CHUNKS", 5000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "ragplatform",
    "tenants",
    "providers",
    "documents",
    "agents",
]

MIDDLEWARE = [
    "ragplatform.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # One sovereignty scope per request: an AU tenant's request cannot reach OpenAI.
    "providers.guard.SovereigntyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ragplatform.urls"
WSGI_APPLICATION = "ragplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATA_DIR = Path(os.environ.get("RAG_DATA_DIR", BASE_DIR / ".data"))
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if not DATABASE_URL:
    from ragplatform import embedded_postgres

    DATABASE_URL = embedded_postgres.start(DATA_DIR / "pg")
    os.environ["DATABASE_URL"] = DATABASE_URL  # child processes share this server
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Locally (no collectstatic) WhiteNoise serves straight from the apps' static dirs.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
MEDIA_ROOT = DATA_DIR / "media"

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": AWS_REGION,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            # Keys are UUIDs; overwrite=False would HEAD the key first, which the seed's
            # least-privilege task role (no s3:ListBucket) answers with 403, not 404.
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
        },
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {
    # Shared across processes so per-tenant rate limits hold for every worker.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ragplatform_cache",
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsTenantApp"],
    "DEFAULT_THROTTLE_CLASSES": ["tenants.throttling.TenantRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ragplatform.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ragplatform API",
    "DESCRIPTION": "Multi-tenant question answering over financial PDFs with page citations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DataSovereigntyEnum": "tenants.models.Tenant.Sovereignty",
        "ProviderEnum": "providers.registry.provider_choices",
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ragplatform.logging.json_formatter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

from ragplatform.logging import configure_structlog  # noqa: E402

configure_structlog()
