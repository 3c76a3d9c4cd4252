"""Real processes the fault tests start and stop: a private `redis-server`, a `celery worker`
process as `make worker` runs it, and the Celery app pointed at a broker of the test's choosing.

Never the shared Redis: a test that stops or freezes a server owns it. A plugin of the suite
(tests/conftest.py): the `redis_server` fixture is here.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from kombu import pools

from core import background
from salescycle.celery import app

ROOT = Path(__file__).resolve().parent.parent


class PrivateRedis:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def broker_reconnect() -> None:
    """Drop the connections the Celery app holds, so the next publish uses broker_url."""
    app.pool.force_close_all()
    pools.reset()  # kombu's own registry of producer pools, keyed by connection
    app._pool = None
    app.amqp._producer_pool = None


def database_url() -> str:
    """The test database, as a DATABASE_URL for a process of our own."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def worker_process(
    redis_url: str, queue: str, *, extra_env: dict | None = None, capture: bool = False
) -> subprocess.Popen:
    """A `celery worker` process on `queue` of the Redis at `redis_url` and the test database
    (production settings, no pool: the test's transactions are its own)."""
    env = (
        os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "salescycle.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "SECRET_KEY": "tests-only-secret-key-that-is-long-enough-for-django-checks",
            "DEBUG": "false",
            "DATABASE_POOL": "false",
        }
        | (extra_env or {})
    )
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salescycle", "worker", "--loglevel=INFO"]
        + ["--pool=solo", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if capture else subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture
def redis_server(settings):
    """A private Redis as the broker and the cache, restored afterwards.

    The cache is reconfigured through settings (Django's test signals drop the cache
    connections when CACHES changes), the Celery app by hand (it read broker_url at start).
    """
    server = PrivateRedis()
    settings.CELERY_BROKER_URL = server.url  # what /healthz pings
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = server.url, False
    broker_reconnect()
    background.breaker.reset()
    yield server
    server.stop()
    app.conf.broker_url, app.conf.task_always_eager = before
    broker_reconnect()
    background.breaker.reset()
