"""Settings for Servicelead, read from the environment.

Every setting that differs between a laptop and production comes from an environment
variable (see docs/configuration.md). Without any, the app runs on a SQLite file under
``var/`` with background tasks run eagerly and a local-memory cache.
"""

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, least: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < least:
        raise ImproperlyConfigured(f"{name} must be at least {least}; got {value}")
    return value


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number; got {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be a number of 0 or more; got {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:pass@host:port/name?opt=v`` or ``sqlite:///path`` into DATABASES."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL names no database: {url!r}")
        # PostgreSQL compiles a query to machine code when its estimated cost is high, as it
        # is for the portfolio's sums over tens of thousands of roll-up rows: half a second of
        # compiling for a query that runs in twenty milliseconds. This app's queries are short,
        # so its connections run without (``?options=`` in the URL replaces this).
        options: dict = {
            "pool": {"min_size": 2, "max_size": 10, "timeout": 10},
            "options": "-c jit=off",
        }
        options.update(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative/path.db (from the project root) or sqlite:////absolute/path.db
        name = Path(path[1:])
        if not name.is_absolute():
            name = BASE_DIR / name
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres://, postgresql:// or sqlite:///; got {url!r}"
    )


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment, or DEBUG=1 for local "
            "development only."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "guardian",
    "simple_history",
    "csp",
    "axes",
    "services",
    "decisions",
    "performance",
    "home",
    "opendata",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servicelead.middleware.RefuseOversizedBodiesMiddleware",
    "servicelead.middleware.RefuseUnusableCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicelead.middleware.LoginRequiredOutsideApiMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

# django-guardian: per-service permissions only; no anonymous user (every page needs sign-in).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

ROOT_URLCONF = "servicelead.urls"
WSGI_APPLICATION = "servicelead.wsgi.application"
ASGI_APPLICATION = "servicelead.asgi.application"

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
                "servicelead.context.roles",
            ],
        },
    },
]

# var/ holds what the app writes locally: the SQLite database and collected static files.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "servicelead.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def redis_cache_url(broker_url: str) -> str:
    """The cache lives in the next Redis database after the broker's, so clearing the
    cache never touches queued tasks (redis://host:6379/0 -> redis://host:6379/1)."""
    parts = urlsplit(broker_url)
    number = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1}"))


if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, but not asked again for 30 s after it fails (servicelead/cache.py).
            "BACKEND": "servicelead.cache.CircuitBreakingRedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", "") or redis_cache_url(REDIS_URL),
            # Fail over quickly rather than hang a request when Redis is unreachable or slow.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Room for a large portfolio's roll-ups: the default 300 entries would evict them all.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Celery: Redis as broker when configured, else tasks run eagerly in the web process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request never waits on the broker for more than a second; work that cannot be sent is
# kept in the outbox (performance.OutboxTask) and sent when the broker is back.
# An unacknowledged task (its worker died) goes back on the queue after this long, found by a
# sweep every interval × throttle seconds; an import still running after it is marked failed.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
IMPORT_LOST_AFTER_SECONDS = CELERY_VISIBILITY_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("CELERY_RESTORE_THROTTLE", "10")),
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "Europe/London"
# A static schedule: the jobs are the product's, not something admins tune.
CELERY_BEAT_SCHEDULE = {
    "send-the-outbox": {"task": "performance.tasks.drain_outbox", "schedule": 60.0},
    "refresh-every-roll-up": {
        "task": "performance.tasks.refresh_all_summaries",
        "schedule": crontab(hour=2, minute=0),
    },
    # Whatever a lost task or a broker outage left behind, within five minutes.
    "refresh-roll-ups-behind": {
        "task": "performance.tasks.refresh_all_summaries",
        "schedule": 300.0,
        "kwargs": {"behind_only": True},
    },
    # Imports whose worker died, previews never confirmed, files no run holds.
    "sweep-imports": {"task": "performance.tasks.sweep_imports", "schedule": 900.0},
    "daily-reminders": {
        "task": "performance.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "weekly-digest": {
        "task": "performance.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

# Roll-ups (performance.figures.rollups): a page computes up to this many services' missing or
# out-of-date figures itself, and leaves more to the worker; many writes to one service within
# this many seconds ask for one refresh.
ROLLUP_INLINE_LIMIT = int(os.environ.get("ROLLUP_INLINE_LIMIT", "50"))
ROLLUP_COALESCE_SECONDS = int(os.environ.get("ROLLUP_COALESCE_SECONDS", "60"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicelead@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("build", BASE_DIR / "var" / "assets"),  # `npm run build`: GOV.UK Frontend's styles
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------------------
# HTTPS is assumed in production (DEBUG off): secure cookies, HSTS and redirect to https.
# HTTPS=0 turns that off, e.g. for a production-like stack on a laptop without TLS.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", HTTPS)
if env_bool("BEHIND_PROXY", False):
    # Only behind a proxy that sets X-Forwarded-Proto and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "10")) * 3600
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page's hx-headers
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# django-csp: scripts and styles from our own static files only; no inline script.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [_SELF],
        "object-src": ["'none'"],
    }
}

# django-axes: after 5 failed sign-ins for one username from one address, wait 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

# --- Data ---------------------------------------------------------------------------------
SITE_CURRENCY = os.environ.get("SITE_CURRENCY", "GBP").strip().upper()
if len(SITE_CURRENCY) != 3 or not SITE_CURRENCY.isalpha():
    raise ImproperlyConfigured(f"SITE_CURRENCY must be a three-letter code; got {SITE_CURRENCY!r}")
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # an upload larger than this is refused
# Bodies larger than these are refused before they are read: a page's (the GC inventory's
# four files, with room for the form) and the API's (about 50,000 measurements).
REQUEST_MAX_BYTES = 4 * IMPORT_MAX_BYTES + 1024 * 1024
API_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A service is compared with its peers (services of the same kind and phase) on a figure only
# when at least this many others have it.
PEERS_AT_LEAST = env_int("PEERS_AT_LEAST", 5, least=1)
# What counts as accountability drift (see docs/configuration.md).
DRIFT = {
    "leader_changes": env_int("DRIFT_LEADER_CHANGES", 2),  # more than this in 12 months
    "decision_after_move_days": env_int("DRIFT_DECISION_AFTER_MOVE_DAYS", 14, least=1),
    "rights_after_flag_days": env_int("DRIFT_RIGHTS_AFTER_FLAG_DAYS", 30, least=1),
    "vision_days": env_int("DRIFT_VISION_DAYS", 365, least=1),
    "hands_on_gap_days": env_int("DRIFT_HANDS_ON_GAP_DAYS", 182, least=1),
    "stale_for_months": env_int("DRIFT_STALE_FOR_MONTHS", 3, least=1),
}
# Leadership maturity: Gold allows no high-severity friction open longer than this.
MATURITY = {"friction_days": env_int("MATURITY_FRICTION_DAYS", 90, least=1)}
# What friction costs, where an organisation gives no rates of its own (in its currency).
FRICTION_HOURLY_RATE = env_decimal("FRICTION_HOURLY_RATE", "40")
FRICTION_COST_PER_CONTACT = env_decimal("FRICTION_COST_PER_CONTACT", "8")
# The hours a full-time equivalent works in a year, to turn a year's staff cost into an hour's.
FRICTION_HOURS_PER_FTE = env_int("FRICTION_HOURS_PER_FTE", 1650, least=1)
# A stream-aligned team whose stages hand work to or from other teams more often than this on
# one journey is flagged: the flow is not its own.
STREAM_ALIGNED_MAX_BOUNDARIES = env_int("STREAM_ALIGNED_MAX_BOUNDARIES", 2)
# What the data must show for each proportionality criterion to be suggested (see
# docs/configuration.md).
EVIDENCE = {
    # Important: at least this share of its organisation's transactions or cost to serve.
    "important_share": env_decimal("EVIDENCE_IMPORTANT_SHARE", "0.10"),
    # Large and complex: any of these a year, or a journey this wide.
    "large_transactions": env_decimal("EVIDENCE_LARGE_TRANSACTIONS", "45000"),
    "large_cost": env_decimal("EVIDENCE_LARGE_COST", "5000000"),
    "large_directorates": env_int("EVIDENCE_LARGE_DIRECTORATES", 3, least=1),
    "large_organisations": env_int("EVIDENCE_LARGE_ORGANISATIONS", 2, least=1),
    "large_teams": env_int("EVIDENCE_LARGE_TEAMS", 5, least=1),
    # In-house control: at least this share of its stages owned by teams that are not suppliers.
    "in_house_share": env_decimal("EVIDENCE_IN_HOUSE_SHARE", "0.5"),
    # Major change: at least this share of its spending on change (or an active project or
    # programme).
    "change_share": env_decimal("EVIDENCE_CHANGE_SHARE", "0.2"),
    # Valuable problems: KPIs off target, open high-severity friction, decisions outside
    # rights, or failure demand at least this share of contacts, or flow efficiency below this.
    "failure_demand_share": env_decimal("EVIDENCE_FAILURE_DEMAND_SHARE", "0.2"),
    "low_flow_efficiency": env_decimal("EVIDENCE_LOW_FLOW_EFFICIENCY", "0.15"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
