"""Settings for the test suite: the real services are the default, not an option.

PostgreSQL and Redis at their standard local addresses unless DATABASE_URL / REDIS_URL say
otherwise; DEBUG off so the suite runs the production code paths.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/salescycle")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

# Under pytest-xdist each worker ("gw0", "gw1", …) has a database of its own (pytest-django
# suffixes the test database's name), a Redis database of its own — the base one in REDIS_URL
# plus the worker's number, for the cache and the broker — and a Celery queue of
# its own, so one worker's FLUSHDB or purge never touches another's.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(WORKER.removeprefix("gw") or 0)
if WORKER_NUMBER:
    _redis = urlsplit(os.environ["REDIS_URL"])
    _base = int(_redis.path.strip("/") or 0)
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_base + WORKER_NUMBER}"))
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-that-is-long-enough-for-django-checks")
os.environ["DEBUG"] = "false"
os.environ["DEMO_DATA"] = "true"
# Playwright's sync API keeps an event loop on the main thread; the ORM calls made by the
# test body on that thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from salescycle.settings import *  # noqa: E402, F403
from salescycle.settings import CACHES  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "salescycle-test"
# No result backend, as in production (salescycle/settings.py): tests that run a task on a
# worker assert its effect, and learn that it finished from `tasks_finished` (tests/conftest.py).
# Test messages go to a queue of their own so a stray task never meets a demo worker.
CELERY_TASK_DEFAULT_QUEUE = f"salescycle-test-{WORKER}" if WORKER else "salescycle-test"
CELERY_MAIL_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-mail"
CELERY_TASK_ROUTES = {"collaboration.tasks.notification_email": {"queue": CELERY_MAIL_QUEUE}}
# Serve static files from the app folders, as in development: the suite never collects them.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The suite makes hundreds of API calls a minute as one person from one address; the throttle
# tests (tests/core/test_throttles.py) set the rates they exercise.
API_RATE_PER_USER = "100000/min"
API_RATE_PER_ADDRESS = "100000/min"
