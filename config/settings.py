"""Settings, read from the environment. Defaults give a working local copy:
SQLite and a local-memory cache, DEBUG on, a development secret key."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.observability.errors import sentry_init
from core.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"

# Hosts: the tenancy middleware validates every host itself (platform hosts below,
# <slug>.TENANT_BASE_DOMAIN, or a tenant's custom domain) and refuses the rest with a
# JSON 400, because custom domains are data, not settings.
ALLOWED_HOSTS = ["*"]
TENANCY_PLATFORM_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
TENANT_BASE_DOMAIN = os.environ.get("TENANT_BASE_DOMAIN", "localhost").strip().lower()
if TENANT_BASE_DOMAIN:
    TENANCY_PLATFORM_HOSTS.append(TENANT_BASE_DOMAIN)
TENANT_FALLBACK_SLUG = os.environ.get("TENANT_FALLBACK_SLUG", "").strip()
TENANT_BACKFILL_DEFAULT = os.environ.get("TENANT_BACKFILL_DEFAULT", "").strip()
TENANCY_EXEMPT_PATHS = ("/healthz", "/static/")
# The tenant model, which the tenancy core reaches through the app registry.
TENANCY_TENANT_MODEL = "core.TenantSettings"
# Proxies whose X-Forwarded-For is believed (CIDRs): the frontends' proxy and any load
# balancer in front. The client's address (rate limits, the audit log) is the last one
# in the header that none of these wrote; from any other peer the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.0/8,::1/128")
# Failed logins (accounts.services): past either limit within the window, a login is
# refused with a 429, the right password too, until the window that began with the first
# failure ends. Counted per username in its business and per client address (above),
# atomically in Redis (core.ratelimit); a successful login takes back only itself.
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_FAILURES_PER_USERNAME", "10"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Links that set a password (accounts.services): an invitation to a new staff member
# lasts a week, a reset an hour. Reset requests are counted per client address and per
# e-mail address at a business, within an hour each.
PASSWORD_INVITE_HOURS = int(os.environ.get("PASSWORD_INVITE_HOURS", "168"))
PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))
PASSWORD_RESET_REQUESTS_PER_HOUR = int(os.environ.get("PASSWORD_RESET_REQUESTS_PER_HOUR", "10"))
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

# Keeping one busy business from slowing the others (core.tenancy.runtime.governance): a
# business's requests in flight across every web process (0: no cap; beyond it a 429
# business_busy with Retry-After), held in Redis with a lease so that a slot of a process
# that died frees itself; no cap without Redis or while it is unreachable. And the time
# one SQL statement of a business's request may take on PostgreSQL (0: none; beyond it a
# 503 statement_timeout). Operators override both per business (the tenant's admin page).
TENANT_MAX_CONCURRENT_REQUESTS = int(os.environ.get("TENANT_MAX_CONCURRENT_REQUESTS", "10"))
TENANT_REQUEST_SLOT_SECONDS = int(os.environ.get("TENANT_REQUEST_SLOT_SECONDS", "120"))
TENANT_STATEMENT_TIMEOUT_MS = int(os.environ.get("TENANT_STATEMENT_TIMEOUT_MS", "30000"))

# Tenants' own API keys (core.integrations). Encryption
# keys: comma-separated urlsafe base64 of 32 bytes; the first encrypts, all decrypt.
TENANT_SECRETS_KEYS = env_list("TENANT_SECRETS_KEYS", "")
# With none set, a local copy derives a development key from SECRET_KEY. Decided here,
# at start-up, because the test runner switches DEBUG off later; production has no
# default (check --deploy: tenancy.E030).
TENANT_SECRETS_DERIVE_DEV_KEY = DEBUG and not TENANT_SECRETS_KEYS
INTEGRATION_PLATFORM_KEYS = {
    "openai": os.environ.get("OPENAI_API_KEY", ""),
    "elevenlabs": os.environ.get("ELEVENLABS_API_KEY", ""),
    "smartflo": os.environ.get("SMARTFLO_API_KEY", ""),
}
# Providers whose platform key serves a business that has no key of its own (off by default).
INTEGRATION_PLATFORM_FALLBACK = env_list("INTEGRATION_PLATFORM_FALLBACK", "")
INTEGRATION_BASE_URLS: dict[str, str] = {}  # provider -> base URL, in place of the provider's own
INTEGRATION_TIMEOUT_SECONDS = float(os.environ.get("INTEGRATION_TIMEOUT_SECONDS", "10"))

INSTALLED_APPS = [
    "core.tenancy.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from here, not a third-party CDN
    "channels",
    "core",
    "accounts",
    "bookings",
    "staff",
    "comms",
    "crm",
    "documents",
    "compliance",
    "payments",
    # Last: its demo seeder builds recommendations from the other apps' data.
    "analytics",
]

MIDDLEWARE = [
    # First: the request id, the access line and the metrics see every layer below;
    # /metrics is answered here (core.observability.metrics).
    "core.observability.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's, the API docs') from the app itself, before any tenancy.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.tenancy.TenantMiddleware",
    # Per business, after it is resolved: its cap on requests in flight, its statement timeout.
    "core.tenancy.TenantGovernanceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.tenancy.SessionHostMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves HTTP and sockets from one process whose threads write at
    # once: each transaction takes the write lock as it begins, and waits for it, instead
    # of failing with "database is locked" when a read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
# On PostgreSQL, DATABASE_URL is the runtime role: it owns nothing and is bound by
# row-level security. DATABASE_MIGRATE_URL (same database, the owner) is used by
# `migrate`, which grants the runtime and platform roles what they need.
DATABASE_MIGRATE_URL = os.environ.get("DATABASE_MIGRATE_URL", "")
DATABASE_OWNER = dj_database_url.parse(DATABASE_MIGRATE_URL) if DATABASE_MIGRATE_URL else None
TENANCY_RUNTIME_ROLE = DATABASES["default"].get("USER", "") if DATABASE_OWNER else ""
# DATABASE_PLATFORM_URL (same database, a role with BYPASSRLS) is where work across
# businesses gets its rights: operators in the admin, seed_demo, operator logins, the
# audit of foreign ids (core.tenancy.runtime.roles). Its own connection, the `platform` alias;
# tests share the default one (TEST MIRROR). Absent, or on SQLite, there is no alias.
DATABASE_PLATFORM_URL = os.environ.get("DATABASE_PLATFORM_URL", "")
if DATABASE_PLATFORM_URL and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["platform"] = {
        **dj_database_url.parse(DATABASE_PLATFORM_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "TEST": {"MIRROR": "default"},
    }
TENANCY_PLATFORM_DATABASE = "platform" if "platform" in DATABASES else "default"
TENANCY_PLATFORM_ROLE = DATABASES["platform"].get("USER", "") if "platform" in DATABASES else ""
DATABASE_ROUTERS = ["core.tenancy.PlatformRouter"]
# Behind PgBouncer in transaction pooling mode, consecutive transactions of one
# connection may reach different server connections: nothing may outlive a transaction
# there (the tenant scope is transaction-local already), so no server-side cursors and
# no prepared statements (PgBouncer before 1.21 cannot carry them).
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
if DATABASE_TRANSACTION_POOLING:
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.setdefault("OPTIONS", {})["prepare_threshold"] = None
# The tenant middleware owns each request's transaction (see core.tenancy.runtime.middleware),
# so ATOMIC_REQUESTS stays off.

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache is an accelerator, never a dependency (core.resilience): with Redis
# unreachable every call answers as an empty cache, after at most this many seconds.
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.resilience.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "nbne"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# WebSockets (Django Channels, core.tenancy.runtime.sockets, comms.consumers): served by the
# same ASGI `web` process as HTTP. The channel layer carries what one web process sends to
# the sockets of another: Redis when REDIS_URL is set (needed with more than one web
# process), else in memory (one process: `make run`).
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's defaults do not suit a channel layer: reads time out after 5 s,
                # the very time channels-redis blocks waiting for a message (every socket
                # of the process would crash when its process is idle that long), and a
                # pool of 100 connections refuses (not queues) the 101st group change.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "max_connections": 1000}],
                "prefix": os.environ.get("CACHE_KEY_PREFIX", "nbne") + ":asgi",
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# How often an open socket checks (one small query) that its user is still active in its
# business, the business still active and its subscriptions still allowed.
WEBSOCKET_RECHECK_SECONDS = float(os.environ.get("WEBSOCKET_RECHECK_SECONDS", "3"))
# A client frame larger than this closes the socket (1009); past the rate (frames a second,
# with a burst) a frame is refused with an error frame, and a client that keeps on is
# closed (1008). A message body is at most 5,000 characters, which fits with room.
WEBSOCKET_MAX_FRAME_BYTES = int(os.environ.get("WEBSOCKET_MAX_FRAME_BYTES", "32768"))
WEBSOCKET_FRAMES_PER_SECOND = float(os.environ.get("WEBSOCKET_FRAMES_PER_SECOND", "5"))
WEBSOCKET_FRAME_BURST = int(os.environ.get("WEBSOCKET_FRAME_BURST", "20"))
# How long a committed write waits for the channel layer before giving up on live delivery.
WEBSOCKET_SEND_TIMEOUT_SECONDS = float(os.environ.get("WEBSOCKET_SEND_TIMEOUT_SECONDS", "1"))
# Threads per web process that run the sockets' queries, each with a database connection
# of its own kept open (not a request's: DB_CONN_MAX_AGE does not apply to them).
WEBSOCKET_DATABASE_THREADS = int(os.environ.get("WEBSOCKET_DATABASE_THREADS", "8"))
# Origins a browser may open sockets from ("*": any). A ticket is the only credential a
# socket takes and no cookie makes one, so a page of another site has nothing to ride on;
# narrow it anyway where the frontends' origins are known.
WEBSOCKET_ALLOWED_ORIGINS = env_list("WEBSOCKET_ALLOWED_ORIGINS", "*")

# Background jobs (Celery): Redis as the broker, CELERY_BROKER_URL or else REDIS_URL. With
# neither (make run), tasks run in-process as their transaction commits, and the
# worker's log line at start says so. Every task is a tenant or a platform task
# (core.tenancy.tenant_task / platform_task).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
# A worker that dies mid-task leaves its message to another; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Sending a message must not hold a committed request for long when the broker is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    # Each business's day-before booking reminders, at its own BOOKING_REMINDER_HOUR.
    "booking-reminders": {"task": "bookings.tasks.booking_reminders_sweep", "schedule": 3600},
    # Each business's export archives past TENANT_EXPORT_DAYS: files deleted, rows marked expired.
    "tenant-export-expiry": {"task": "core.tasks.tenant_exports_sweep", "schedule": 24 * 3600},
    # Each business's usage of the day before (rows, file bytes, requests), for operators.
    "tenant-usage-snapshot": {"task": "core.tasks.tenant_usage_snapshot", "schedule": crontab(minute=10, hour=0)},
}
# The hour of the business's own clock its day-before reminders go out (bookings.tasks).
BOOKING_REMINDER_HOUR = int(os.environ.get("BOOKING_REMINDER_HOUR", "18"))
# How long an archive an owner exported (POST /api/tenant/export/) can be downloaded.
TENANT_EXPORT_DAYS = int(os.environ.get("TENANT_EXPORT_DAYS", "7"))


def email_settings(url: str) -> dict:
    """The EMAIL_* settings of ``EMAIL_URL``: ``smtp://user:pass@host:port``,
    ``smtp+tls://…`` (STARTTLS, port 587 by default), ``smtp+ssl://…`` (TLS from the
    start, port 465), and dj-email-url's own schemes (``console://``, ``memory://``)."""
    scheme, _, rest = url.partition("://")
    if scheme == "smtp+tls":
        url = f"submission://{rest}"
    elif scheme == "smtp+ssl":
        url = f"smtp://{rest}{'&' if '?' in rest else '?'}ssl=1"
    parsed = dj_email_url.parse(url)
    if scheme == "smtp+ssl" and not urlparse(url).port:
        parsed["EMAIL_PORT"] = 465
    if not parsed.get("EMAIL_BACKEND"):
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {scheme!r}.")
    parsed["EMAIL_TIMEOUT"] = parsed.get("EMAIL_TIMEOUT") or 10  # a silent server never holds a worker
    return parsed


# E-mail: every message is sent by a task (core.mail). Unset: printed to the console.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bookings@nbne.example.com")

AUTHENTICATION_BACKENDS = ["core.tenancy.TenantModelBackend"]
# A username is unique within its business (accounts.User's constraints), not across the
# platform; the backend above finds a login's user in the business the request names.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Tenant files are served only by the API's download endpoints, after the tenant check
# (core.tenancy.runtime.files). With a prefix such as "/protected-media/", they answer with
# X-Accel-Redirect and nginx sends the file from an `internal` location; empty, Django
# streams it. S3 files always stream through Django.
TENANT_FILES_ACCEL_REDIRECT = os.environ.get("TENANT_FILES_ACCEL_REDIRECT", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed copies made by `collectstatic` (the Procfile's release line).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
if AWS_STORAGE_BUCKET_NAME:
    # A private bucket: no ACL of our own (the bucket's private default; buckets that
    # enforce owner-only objects refuse ACLs), signed URLs, never an overwrite. Keys are
    # the same tenants/<slug>/<model>/... names, under AWS_LOCATION. Credentials come
    # from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "location": os.environ.get("AWS_LOCATION", "").strip("/"),
        },
    }

# Cookies stay on the exact host that set them: no cookie is shared across tenant domains.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The platform's health probe speaks plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.tenancy.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],  # refuses JSON nested too deep (a 400)
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "core.tenancy.TenantFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.json_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_booking": os.environ.get("PUBLIC_BOOKING_RATE", "30/minute")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7"))),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    "TOKEN_OBTAIN_SERIALIZER": "accounts.serializers.TenantTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.serializers.TenantTokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "NBNE Business Platform API",
    "DESCRIPTION": (
        "One API for several businesses. Every request acts in exactly one business (tenant), "
        "named by the signed-in user, the X-Tenant-Slug header or the request's domain."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {"BookingStatusEnum": "bookings.models.Booking.Status"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Logs (core.observability.logs): one line per record on stderr, in every process, with
# the request id, business, user and route; secrets redacted. "json" (one object a line)
# unless DEBUG, where "plain" is easier to read; LOG_FORMAT chooses either way.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Metrics (core.observability.metrics): /metrics on the platform hosts only, for a bearer
# of METRICS_TOKEN (unset: no /metrics at all). With several server processes, set
# PROMETHEUS_MULTIPROC_DIR to an empty directory they share (read by prometheus-client).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# At most this many businesses get a `business` label of their own per process (the
# busiest, chosen per window); the rest are counted as business="other".
METRICS_BUSINESS_LABELS = int(os.environ.get("METRICS_BUSINESS_LABELS", "50"))
METRICS_BUSINESS_WINDOW_SECONDS = float(os.environ.get("METRICS_BUSINESS_WINDOW_SECONDS", "60"))

# Cross-tenant attempts (core.observability.security): recorded for operators; this many
# from one business into another within the window → one ERROR line (and Sentry event)
# naming both, once per window per pair.
SECURITY_EVENTS_THRESHOLD = int(os.environ.get("SECURITY_EVENTS_THRESHOLD", "10"))
SECURITY_EVENTS_WINDOW_SECONDS = int(os.environ.get("SECURITY_EVENTS_WINDOW_SECONDS", "600"))

# Errors to Sentry when SENTRY_DSN is set (core.observability.errors): tagged with the
# business and request id, no personal data, secrets scrubbed.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
if SENTRY_DSN:
    sentry_init(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
