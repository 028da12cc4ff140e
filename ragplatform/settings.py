"""Django settings, all read from the environment (12-factor) in this one place.

Importing this module only reads: no process, no socket, no write to os.environ. Locally the
environment can come from `.env` (the real environment wins; its values stay out of
os.environ). The entry points (ragplatform/startup.py) load the production secrets from AWS
Secrets Manager and start the embedded PostgreSQL when no DATABASE_URL is set, before this
is read. Malformed values stop the start with an error naming the variable.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ragplatform import environment
from ragplatform.logging import default_log_format, is_terminal
from ragplatform.secrets import REQUIRED_SECRETS

BASE_DIR = environment.BASE_DIR
ENV_FILE = environment.env_file_path(os.environ)
# Private (lower case): Django would otherwise expose the whole environment as a setting.
_env = environment.read_environment(os.environ)


def env_str(name: str, default: str = "") -> str:
    """The variable as written (environment, else `.env`), else ``default``."""
    return _env.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """true/false, 1/0, yes/no, on/off; anything else refuses to start."""
    return environment.parse_bool(name, _env.get(name), default)


def env_int(name: str, default: int, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum] (not negative unless said); else refuses to start."""
    return environment.parse_int(name, _env.get(name), default, minimum=minimum, maximum=maximum)


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    """A finite number of at least ``minimum``; else refuses to start."""
    return environment.parse_float(name, _env.get(name), default, minimum=minimum)


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated items without spaces inside them; else refuses to start."""
    return environment.parse_list(name, _env.get(name), default)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (any case); else refuses to start."""
    return environment.parse_choice(name, _env.get(name), default, choices)


RAG_ENV = env_choice("RAG_ENV", "local", environment.RAG_ENVS)
PRODUCTION = RAG_ENV == "production"
# The image build runs collectstatic with production static storage but no AWS access.
BUILD_STEP = env_str("RAG_BUILD_STEP")

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and BUILD_STEP != "collectstatic":
    # The entry points put these in the environment from Secrets Manager; a process started
    # any other way must not run on defaults.
    _missing = [name for name in (*REQUIRED_SECRETS, "SECRET_KEY") if not _env.get(name)]
    if _missing:
        raise ImproperlyConfigured(
            f"RAG_ENV=production but {', '.join(_missing)} not set: start the app through "
            "manage.py or ragplatform.wsgi, which load them from AWS Secrets Manager."
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when RAG_ENV=production.")
SECRET_KEY = env_str("SECRET_KEY") or (
    # Only for local runs and tests; production always has a real key (checked above).
    "local-insecure-key-not-for-production"
)
ADMIN_API_KEY = env_str("ADMIN_API_KEY")
AWS_REGION = env_str("AWS_REGION", "ap-southeast-2")

# `make run` (manage.py runplatform): where it serves, how many web workers, the demo admin.
RUNPLATFORM_HOST = env_str("HOST", "127.0.0.1")
RUNPLATFORM_PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
RUNPLATFORM_WEB_WORKERS = env_int("WEB_CONCURRENCY", 2, minimum=1)
DEMO_ADMIN_USER = env_str("RAG_ADMIN_USER", "admin")
DEMO_ADMIN_PASSWORD = env_str("RAG_ADMIN_PASSWORD")

# Model providers (the providers app). Base/endpoint URLs exist so tests can point the real
# clients at fake servers on 127.0.0.1; leave them empty in production.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
BEDROCK_REGION = env_str("BEDROCK_REGION", "ap-southeast-2")
BEDROCK_ENDPOINT_URL = env_str("BEDROCK_ENDPOINT_URL")
TAVILY_API_KEY = env_str("TAVILY_API_KEY")
TAVILY_BASE_URL = env_str("TAVILY_BASE_URL")
PROVIDER_TIMEOUT_SECONDS = env_float("PROVIDER_TIMEOUT_SECONDS", 30.0, minimum=0.001)
PROVIDER_MAX_RETRIES = env_int("PROVIDER_MAX_RETRIES", 4)
PROVIDER_RETRY_BUDGET_SECONDS = env_float("PROVIDER_RETRY_BUDGET_SECONDS", 60.0)
# Benchmarks only: the simulated local chat model waits this long per call, like a remote model.
LOCAL_PROVIDER_DELAY_MS = env_int("LOCAL_PROVIDER_DELAY_MS", 0)

# Documents (documents/): upload limits and ingestion batching.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
DOCUMENT_MAX_PAGES = env_int("DOCUMENT_MAX_PAGES", 2000, minimum=1)
DOCUMENT_MAX_FILES_PER_UPLOAD = env_int("DOCUMENT_MAX_FILES_PER_UPLOAD", 50, minimum=1)
EMBED_BATCH_SIZE = env_int("EMBED_BATCH_SIZE", 64, minimum=1)
# pdfium runs in child processes (documents/bounded_parsing.py): the upload check and the
# ingestion parse are killed after these many seconds, and a child's address space
# (interpreter, pdfium, the file and what is read from it) is capped at these many MB. A
# 500-page filing parses in about 60 MB; the worker and web tasks have 2 GiB each.
PDF_INSPECT_TIMEOUT_S = env_float("PDF_INSPECT_TIMEOUT_S", 15.0, minimum=0.1)
PDF_INSPECT_MEMORY_MB = env_int("PDF_INSPECT_MEMORY_MB", 256, minimum=128)
PDF_PARSE_TIMEOUT_S = env_float("PDF_PARSE_TIMEOUT_S", 120.0, minimum=0.1)
PDF_PARSE_MEMORY_MB = env_int("PDF_PARSE_MEMORY_MB", 1024, minimum=128)
# At most this many children parse at once per process (the web app's threads wait for one).
PDF_PARSE_CONCURRENCY = env_int("PDF_PARSE_CONCURRENCY", 2, minimum=1)
RETRIEVAL_K = env_int("RETRIEVAL_K", 8, minimum=1)
# A question naming a company of the tenant's library (and a period) searches only its documents.
RETRIEVAL_SCOPE_BY_QUESTION = env_bool("RETRIEVAL_SCOPE_BY_QUESTION", default=True)
# Changes to the retriever's knobs (documents.retrieval.params.RetrievalParams field names),
# for benches and experiments: e.g. {"rrf_k": 30}. Empty: the measured defaults.
RETRIEVAL_PARAMS: dict = {}
QUESTION_MAX_CHARS = env_int("QUESTION_MAX_CHARS", 2000, minimum=1)
# The sql route (documents/facts.py): a model-written statement is stopped after this long.
SQL_ROUTE_TIMEOUT_MS = env_int("SQL_ROUTE_TIMEOUT_MS", 3000, minimum=10)
# How often a queued/processing document is checked for a dead worker (then re-queued).
DOCUMENT_WATCHDOG_SECONDS = env_int("DOCUMENT_WATCHDOG_SECONDS", 60, minimum=1)
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
    "axes",
    "ragplatform",
    "tenants",
    "providers",
    "documents",
    "agents",
]

MIDDLEWARE = [
    "ragplatform.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each request's row-level security scope ends with it (tenants/row_security.py).
    "tenants.middleware.RowSecurityMiddleware",
    # One sovereignty scope per request: an AU tenant's request cannot reach OpenAI.
    "providers.guard.SovereigntyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

# The admin's login is throttled by django-axes: AXES_FAILURE_LIMIT failed logins for one
# username from one address lock that pair out for AXES_COOLOFF_MINUTES (429, logged as
# admin.login_locked_out; `manage.py axes_reset` lifts it). The pair, not the username alone,
# so that nobody can lock an operator out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ONLY_ADMIN_SITE = True
# ragplatform.login_audit logs logins, failures and lockouts as structured events instead.
AXES_VERBOSE = False
# Behind the load balancer the client is the last address it adds to X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

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

DATA_DIR = environment.data_dir_path(_env)
DATABASE_URL = env_str("DATABASE_URL").strip()
# Unset only when the settings are read without an entry point (a bare import, django-admin):
# the entry points start the embedded server and set DATABASE_URL first.
DATABASES = {}
if DATABASE_URL:
    DATABASES["default"] = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The tables' owner, for migrate and the per-tenant index builds only (ragplatform/
# database_roles.py); DATABASE_URL is then the app role, which row-level security restricts.
DATABASE_OWNER_URL = env_str("DATABASE_OWNER_URL").strip()
if DATABASE_OWNER_URL and DATABASE_URL:
    DATABASES["owner"] = dj_database_url.parse(DATABASE_OWNER_URL, conn_max_age=0)
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
# Granted the app's privileges on the tables after each migrate.
DATABASE_APP_ROLE = DATABASES["default"]["USER"] if "owner" in DATABASES else ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Locally (no collectstatic) WhiteNoise serves straight from the apps' static dirs.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
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
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
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
    },
    # Rendered page images (documents/page_images.py), per process: about 250 KB each.
    "page_images": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "page-images",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
PAGE_IMAGE_CACHE = "page_images"
PAGE_IMAGE_CACHE_SECONDS = 3600
PAGE_IMAGE_DEFAULT_WIDTH = 1000
PAGE_IMAGE_MIN_WIDTH = 50
PAGE_IMAGE_MAX_WIDTH = 2000
PAGE_IMAGE_MAX_HEIGHT = 4000  # pixels; a very tall page is drawn narrower than asked
PAGE_IMAGE_MAX_HIGHLIGHTS = 50
# How long a presigned S3 URL for a document's PDF stays valid (GET /documents/{id}/file).
DOCUMENT_FILE_URL_SECONDS = 300

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsTenantApp"],
    "DEFAULT_THROTTLE_CLASSES": ["tenants.throttling.TenantRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, typed (ragplatform.inputs); the upload reads multipart itself. Anything else
    # is a 415.
    "DEFAULT_PARSER_CLASSES": ["ragplatform.inputs.JsonParser"],
    "DEFAULT_PAGINATION_CLASS": "ragplatform.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ragplatform.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ragplatform.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ragplatform API",
    "DESCRIPTION": "Multi-tenant question answering over financial PDFs with page citations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: what a client sends is not what it reads.
    "COMPONENT_SPLIT_REQUEST": True,
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

# Security headers on every response (SecurityMiddleware, XFrameOptionsMiddleware). The
# defaults, said here so that a change is a decision: no MIME sniffing, no framing, the
# origin only as referrer to other sites, no window sharing with other origins.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django.middleware.csp) for the admin and everything else: only this
# origin's own files. The admin's pages have no inline script or style (documents/static);
# the citation viewer's PDF.js runs as a module worker from the static files, fetches the PDF,
# fonts and WebAssembly decoders from this origin ('wasm-unsafe-eval' lets it compile the
# decoders; eval stays off, viewer.js sets isEvalSupported false) and draws into a canvas.
# /api/v1/docs/ (Swagger UI) has its own, looser policy (ragplatform.urls).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.WASM_UNSAFE_EVAL],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Sent on HTTPS responses only (SecurityMiddleware checks request.is_secure()).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    # TLS ends at API Gateway, the only way in (HTTPS only); it reaches the app through an
    # internal load balancer's HTTP listener, health checks included. Redirecting HTTP here
    # would redirect those (and, if the balancer says http, every request): off by default.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/(health|ready)$"]
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
        # Preloading is the domain owner's call (it is hard to undo), not this app's default.
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# JSON lines for CloudWatch and anything that reads a pipe or a file; readable lines for a
# person at a terminal. LOG_FORMAT=json or console forces one.
LOG_FORMAT = env_choice("LOG_FORMAT", "", ("json", "console")) or default_log_format(
    production=PRODUCTION, stream=sys.stderr
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ragplatform.logging.json_formatter"},
        "console": {
            "()": "ragplatform.logging.console_formatter",
            "colors": LOG_FORMAT == "console" and is_terminal(sys.stderr),
        },
    },
    # StreamHandler writes to stderr, the stream LOG_FORMAT's default looked at.
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
