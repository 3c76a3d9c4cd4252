"""A worker killed mid-sweep (issue 15): the sweep's work is done once a worker is back, within
the minute beat waits between runs, and exactly once.

A real `celery worker` process runs the review-reminder sweep; another connection holds a SHARE
lock on the notifications table, so the sweep has read its reviews and waits at its INSERT.
The worker is killed with SIGKILL there, the lock released, a new worker started and the
sweep sent again as beat's next run sends it. One reminder per attendee, however often it runs.
"""

import os
import signal
import subprocess
import time
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from collaboration.models import Notification, NotificationKind
from core.models import Heartbeat
from monitoring.tasks import review_reminders
from salescycle.celery import app
from tests.factories import ReviewMeetingFactory
from tests.processes import (
    PrivateRedis,
    broker_reconnect,
    database_url,
    wait_for,
    worker_process,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _worker(redis_url: str, queue: str) -> subprocess.Popen:
    # Wait on the table lock until killed, not give up after the usual 3 s.
    return worker_process(redis_url, queue, extra_env={"DB_LOCK_TIMEOUT_SECONDS": "120"})


def _sweep_waits_on_insert() -> bool:
    # A connection of its own: pg_stat_activity is read once per transaction.
    with psycopg.connect(_conninfo(), autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE 'INSERT INTO \"collaboration_notification\"%'"
        ).fetchone()
    return row[0] > 0


def _conninfo() -> str:
    return database_url().replace("postgres://", "postgresql://")


def _reminders(review) -> int:
    return Notification.objects.filter(
        kind=NotificationKind.REVIEW_REMINDER, data__review=review.pk
    ).count()


def test_a_sweep_killed_with_its_worker_is_done_once_by_the_next_run(require_postgres):
    schedule = settings.CELERY_BEAT_SCHEDULE["review-reminders"]["schedule"]
    assert schedule <= timedelta(minutes=1), "a lost run must be redone within a minute"

    review = ReviewMeetingFactory(scheduled_for=timezone.now() + timedelta(minutes=30))
    redis = PrivateRedis()
    queue = f"killed-{os.getpid()}"
    before = app.conf.broker_url
    app.conf.broker_url = redis.url
    broker_reconnect()
    blocker = psycopg.connect(_conninfo())
    workers = []
    try:
        blocker.execute("LOCK TABLE collaboration_notification IN SHARE MODE")
        workers.append(_worker(redis.url, queue))
        assert wait_for(lambda: Heartbeat.objects.filter(kind="worker").exists(), 30)
        review_reminders.apply_async(queue=queue)
        assert wait_for(_sweep_waits_on_insert, 30), "the sweep never ran"

        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        blocker.rollback()  # the lock goes; the dead worker's transaction is never committed
        time.sleep(1)
        assert _reminders(review) == 0, "the killed run committed its reminders"

        started = time.monotonic()
        workers.append(_worker(redis.url, queue))
        review_reminders.apply_async(queue=queue)  # beat's next run, a minute later at most
        assert wait_for(lambda: _reminders(review) > 0, 60), "the next run sent nothing"
        assert time.monotonic() - started < 60

        review_reminders.apply_async(queue=queue)  # and another: nothing more
        time.sleep(3)
        assert _reminders(review) == 1
    finally:
        blocker.close()
        app.conf.broker_url = before
        broker_reconnect()
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
        redis.stop()
