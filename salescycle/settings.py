"""SalesCycle settings: every value that differs between machines comes from the environment.

The README's "Configuration" section lists the variables. With none set, the app runs on
an embedded default (SQLite under var/, Celery tasks in process, local-memory cache).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env (git-ignored; `make` writes one for development) fills in what the real
# environment leaves unset; it never overrides a variable that is set.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-salescycle-development-only-key-not-for-production-use"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "simple_history",
    "csp",
    "core",
    "accounts",
    "customers",
    "collaboration",
    "projects",
    "monitoring",
    "insights",
    "dataio",
]
# The demo and benchmark data (`seed_demo`, `seed_scale`): installed where such data is wanted
# (`make demo`, the suite, the benchmark), not in production.
DEMO_DATA = env.bool("DEMO_DATA", default=DEBUG)
if DEMO_DATA:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on what a signed-in person is sent.
    "core.middleware.PrivateCacheMiddleware",
    # Who made a change, for the field history (core.history) of pages and the API.
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.UserLanguageMiddleware",
    # Reads the form body: after the user's language is known, so that a body too large is
    # refused in that language; before any view or the CSRF check reads request.POST.
    "core.middleware.FormLineBreaksMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.HtmxMessagesMiddleware",
    "core.sweeps.SweepOnPageLoadMiddleware",
    "core.middleware.LockTimeoutMiddleware",
    "core.throttles.SignInLimitMiddleware",
    # django-axes must come last: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

# Server time and SQL query count on every response (the benchmark reads them; off by default).
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "core.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "salescycle.urls"
WSGI_APPLICATION = "salescycle.wsgi.application"

FORM_RENDERER = "core.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collaboration.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL: how long a statement waits for a row lock (below). SQLite locks the whole file.
DB_LOCK_TIMEOUT_SECONDS = env.float("DB_LOCK_TIMEOUT_SECONDS", default=3)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'salescycle.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django reads select choices and .iterator() through server-side cursors, which
    # PostgreSQL plans for the first 10 % of rows: nested loops that took 4.4 s for a 45 ms
    # query at 20,000 projects. Plan them for every row, as we read them all.
    # A statement that waits for a row lock longer than DB_LOCK_TIMEOUT_SECONDS gives up
    # (LockNotAvailable): the person gets a 409 "someone else is changing this" instead of a
    # page that hangs while the worker serving it is held (core.middleware.LockTimeoutMiddleware
    # for pages, core.errors.api_exception_handler for the API).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c cursor_tuple_fraction=1.0 -c lock_timeout={int(DB_LOCK_TIMEOUT_SECONDS * 1000)}"
    )
    if env.bool("DATABASE_POOL", default=True):
        # Django's own psycopg 3 pool; it requires CONN_MAX_AGE = 0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": 10,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets the in-process demo read while a write is under way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results and cache ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="salescycle"),
            "TIMEOUT": 300,
            # A Redis that stops answering costs a cache call a second, not the operating
            # system's two-minute connect timeout (sweep locks, throttles; no page reads it).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------------------------
# Without REDIS_URL tasks run in process (the embedded demo); with it they go to the broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Kombu's Redis transport with a guard against the worker's crash on reconnecting (core.broker).
CELERY_BROKER_TRANSPORT = "core.broker:Transport" if REDIS_URL else None
# No result backend: nothing reads a task's return value (it is in the worker's log), and with
# one every publish also waited on Redis for the result's key (issue 15).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it ran, so a worker that dies mid-task hands it to another;
# every task is therefore written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request never waits on Redis for long: one publish attempt whose sockets give up after a
# second and a half (above the worker's 1 s BRPOP, which shares these options); then the work
# is deferred to PostgreSQL and the broker left alone for BROKER_BREAKER_SECONDS
# (core.background).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 1.5,
    # A publisher's connection is tried once, not retried for seconds (kombu's default_channel);
    # the worker's own connection loop follows broker_connection_max_retries below instead.
    "max_retries": 0,
}
# The worker reconnects for as long as it takes: a Redis outage never stops it.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = False
BROKER_BREAKER_SECONDS = env.int("BROKER_BREAKER_SECONDS", default=30)
# Bulk e-mail in a lane of its own: a backlog of thousands of e-mails (catching up after an
# outage) must not hold the sweeps and reminders behind it. A worker consumes both queues
# (`-Q celery,mail`, round-robin: a sweep waits for at most one e-mail), or run a second
# worker on `mail` alone.
CELERY_MAIL_QUEUE = "mail"
CELERY_TASK_ROUTES = {"collaboration.tasks.notification_email": {"queue": CELERY_MAIL_QUEUE}}
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one place where periodic work is scheduled; beat copies it into django-celery-beat's
# tables (visible and editable in the admin), and `manage.py sync_schedules` does so at setup.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": timedelta(seconds=30)},
    "deferred-tasks": {
        "task": "core.tasks.deferred_tasks_replay",
        "schedule": timedelta(minutes=1),
    },
    "tasks-overdue": {
        "task": "collaboration.tasks.tasks_overdue_sweep",
        "schedule": timedelta(hours=1),
    },
    "review-reminders": {
        "task": "monitoring.tasks.review_reminders",
        # Every minute: a run lost with a killed worker is redone within a minute (its
        # exactly-once keys make the rerun harmless); 0.3 s at 20,000 projects.
        "schedule": timedelta(minutes=1),
    },
    "reviews-overdue": {"task": "monitoring.tasks.reviews_overdue", "schedule": timedelta(hours=1)},
    "projects-stuck": {"task": "monitoring.tasks.projects_stuck", "schedule": timedelta(hours=1)},
    "reviews-next": {
        "task": "monitoring.tasks.reviews_schedule_next",
        "schedule": timedelta(hours=1),
    },
    "kpis-daily": {
        "task": "insights.tasks.kpis_rollup",
        "schedule": crontab(hour=0, minute=30),
    },
    "emails-pending": {
        "task": "collaboration.tasks.notifications_email_sweep",
        "schedule": timedelta(minutes=1),
    },
    "import-previews-prune": {
        "task": "dataio.tasks.import_previews_prune",
        "schedule": crontab(hour=1, minute=10),
    },
    "sign-ins-prune": {
        "task": "accounts.tasks.sign_ins_prune",
        "schedule": crontab(hour=1, minute=20),
    },
    "notifications-prune": {
        "task": "collaboration.tasks.notifications_prune_sweep",
        "schedule": crontab(hour=1, minute=0),
    },
}
SWEEP_ON_PAGE_LOAD = env.bool("SWEEP_ON_PAGE_LOAD", default=not REDIS_URL)
# What `manage.py run_sweeps` (and, without Redis, a page load every few minutes) runs in
# process: the same functions beat schedules above.
SWEEPS = [entry["task"] for name, entry in CELERY_BEAT_SCHEDULE.items() if name != "heartbeat"]
# Without Redis, a page load starts these in a background thread every five minutes, and the
# daily ones once a day (core.sweeps): never inside the request.
DAILY_SWEEPS = [
    "insights.tasks.kpis_rollup",
    "collaboration.tasks.notifications_prune_sweep",
    "dataio.tasks.import_previews_prune",
    "accounts.tasks.sign_ins_prune",
]
# Sign-in logs (django-axes) older than this are deleted (daily), with expired sessions.
SIGN_IN_LOG_RETENTION_DAYS = env.int("SIGN_IN_LOG_RETENTION_DAYS", default=90)
# Pending e-mails sent per minute when catching up (what the mail server accepts).
EMAIL_RATE_PER_MINUTE = env.int("EMAIL_RATE_PER_MINUTE", default=600)
# Read notifications older than this are deleted (daily); unread ones are kept.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=180)
PAGE_LOAD_SWEEPS = [name for name in SWEEPS if name not in DAILY_SWEEPS]

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection: five failures for one username from one address lock that pair
# out for fifteen minutes; a success resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
# Password spraying: failed sign-ins from one address, whatever usernames they named
# (core.throttles). An office behind one address fails far fewer times than this.
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=30)
SIGN_IN_FAILURE_WINDOW_SECONDS = env.int("SIGN_IN_FAILURE_WINDOW_SECONDS", default=15 * 60)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "salescycle_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["salescycle.formats"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# --- Email ------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587 (console output by default).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SalesCycle <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where the app is reached, for links that leave it (`core.site`): SITE_URL when set; else a
# request's own address, or http://HOST:PORT (what `make demo` and `make serve` listen on) for
# e-mails sent from Celery, which have no request to ask.
SITE_URL = env.str("SITE_URL", default="")
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)

# --- Security ---------------------------------------------------------------------------------
# Secure by default whenever DEBUG is off; each can be relaxed from the environment, e.g.
# SECURE_SSL_REDIRECT=false for gunicorn on plain HTTP behind a local test.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# The headers every response carries (README, "Security"): Django's own, stated here even where
# they are its defaults so that a change of default cannot drop one silently.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page uses, refused to every page and frame (core.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
# Content-Security-Policy (django-csp): scripts, styles, images and requests from our own origin
# only — no inline script, no style attribute, no CDN. The API's Swagger page widens it for
# itself alone (salescycle/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# A refused CSRF check under /api/ answers JSON like the rest of the API (core.errors).
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token class first: DRF answers a request without credentials with the first class's
    # challenge, so it is a 401 with `WWW-Authenticate: Token`, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # API rate limits (core.throttles): per person and per address, on the cache (Redis).
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.UserThrottle", "core.throttles.AddressThrottle"],
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every endpoint's errors, mapped in one place: a service's refusal or field errors, a
    # row lock held elsewhere, and DRF's own.
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}
API_RATE_PER_USER = env.str("API_RATE_PER_USER", default="600/min")
API_RATE_PER_ADDRESS = env.str("API_RATE_PER_ADDRESS", default="3000/min")
# API tokens (django-rest-knox, accounts.api_tokens): one per client, only a hash stored, each
# lasting API_TOKEN_TTL_DAYS from its sign-in; no sliding renewal, so a stolen token dies.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesCycle API",
    "DESCRIPTION": "Sales projects through the seven-stage sales project operating cycle.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
