"""Fixtures shared by the whole suite: users per role, real services, a real browser."""

import importlib
import os
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.roles import Role

from .factories import TEST_PASSWORD, UserFactory

# The team fixtures (project, team_member, colleague, observer, task), the book of the dashboard
# tests and the seeded demo for every test module; how the suite runs in parallel; the private
# Redis of the fault tests.
pytest_plugins = [
    "tests.teams",
    "tests.books",
    "tests.seeded_demo",
    "tests.parallel",
    "tests.processes",
]

IN_CI = bool(os.environ.get("CI"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _redis_answers() -> bool:
    url = urlparse(settings.REDIS_URL)
    return bool(settings.REDIS_URL) and _answers(url.hostname or "127.0.0.1", url.port or 6379)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say plainly which service is missing instead of failing a hundred tests obscurely."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        host, port = database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
        if not _answers(host, port):
            pytest.exit(
                f"PostgreSQL is not answering at {host}:{port}. Start it "
                "(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
                "or point DATABASE_URL at one.",
                returncode=3,
            )
    if settings.REDIS_URL and not _redis_answers():
        pytest.exit(
            f"Redis is not answering at {settings.REDIS_URL}. Start it "
            '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") '
            "or point REDIS_URL at one.",
            returncode=3,
        )


def missing_service(what: str) -> None:
    """In CI a missing service fails the test; on a laptop it skips with the reason."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available.")
    pytest.skip(f"{what} is not available.")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def ensure_reference_data() -> None:
    """Re-create the rows that data migrations add (role groups, stage policies).

    A transaction=True test ends with a flush that empties every table, these included;
    running the migrations' own functions again keeps one definition of that data.
    """
    from django.apps import apps

    for module, function in [
        ("core.migrations.0002_create_role_groups", "create_groups"),
        ("projects.migrations.0002_default_stage_policies", "create_policies"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)


def _reference_data_after_flush(sender, **kwargs) -> None:
    ensure_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the reference data whenever no test runs: it is replayed once
    (a database kept with --reuse-db may come from an older run) and after every flush that
    ends a transactional test — the flush sends post_migrate, as `migrate` does."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    with django_db_blocker.unblock():
        ensure_reference_data()
    projects = apps.get_app_config("projects")  # the signal is sent once per app: hear one
    post_migrate.connect(_reference_data_after_flush, sender=projects, dispatch_uid="reference")
    yield
    post_migrate.disconnect(sender=projects, dispatch_uid="reference")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts from an empty cache (this worker's own Redis database): one FLUSHDB,
    before the test; what a test leaves behind is flushed by the next one. The broker's and the
    cache's circuit breakers start closed: a test that took Redis away must not defer the next
    test's work or lift its limits."""
    from core.background import breaker
    from core.throttles import cache_breaker

    cache.clear()
    breaker.reset()
    cache_breaker.reset()


# --- users per role -------------------------------------------------------------------------
@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def director(db):
    return UserFactory(username="dora-director", role=Role.DIRECTOR)


@pytest.fixture
def manager(db):
    return UserFactory(username="mark-manager", role=Role.SALES_MANAGER)


@pytest.fixture
def member(db):
    return UserFactory(username="mia-member", role=Role.MEMBER)


@pytest.fixture
def outsider(db):
    return UserFactory(username="oscar-outsider", role=Role.MEMBER)


# --- real services --------------------------------------------------------------------------
@pytest.fixture
def held_lock(require_postgres):
    """Another connection (an open psql session, a long job) holds a project's row lock."""
    from django.db import connection

    params = connection.get_connection_params()
    other = psycopg.connect(
        dbname=params["dbname"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
    )

    def lock(project) -> None:
        other.execute("SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [project.pk])

    yield lock
    other.rollback()
    other.close()


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        missing_service("PostgreSQL")


@pytest.fixture
def require_redis():
    if not _redis_answers():
        missing_service("Redis (REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture
def celery_worker(require_redis, transactional_db):
    """A real Celery worker in a thread, consuming the test queue on Redis."""
    from celery.contrib.testing.worker import start_worker

    from salescycle.celery import app

    app.control.purge()
    queues = [settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_MAIL_QUEUE]  # as `make worker`
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=queues
    ) as worker:
        yield worker


@pytest.fixture
def tasks_finished():
    """Wait for a task the in-process `celery_worker` ran, and read what it returned.

    There is no result backend (nothing in the app reads a task's result, and writing one made
    every publish wait on Redis: issue 15), so the suite learns that a task is done from
    Celery's own `task_postrun` signal, sent in this process by the worker's thread. Tests
    assert the task's effect in the database; the return value is a count for the sweeps.
    """
    from celery.signals import task_postrun

    returned: dict[str, object] = {}
    done = threading.Condition()

    def record(sender=None, task_id=None, retval=None, **kwargs):
        with done:
            returned[task_id] = retval
            done.notify_all()

    def wait(result, timeout: float = 20):
        with done:
            if not done.wait_for(lambda: result.id in returned, timeout):
                raise AssertionError(f"{result.id} did not finish in {timeout} s")
            return returned[result.id]

    task_postrun.connect(record, weak=False)
    yield wait
    task_postrun.disconnect(record)


# --- a real browser -------------------------------------------------------------------------
def chromium_executable() -> str | None:
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        "/usr/lib/chromium/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    if executable is None:
        missing_service("Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser tab on the live server; a failing test leaves a screenshot behind."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sign_in(page, password):
    def _sign_in(user) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.get_by_test_id("sign-in-submit").click()
        page.wait_for_url("**/")

    return _sign_in
