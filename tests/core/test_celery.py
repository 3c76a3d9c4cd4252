import pytest
import redis
from celery.signals import before_task_publish
from django.db import transaction
from django.utils import timezone

from core.background import enqueue
from core.models import Heartbeat
from core.tasks import heartbeat, ping
from salescycle.celery import app


def test_celery_is_configured_for_safe_delivery():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert "core.tasks.ping" in app.tasks  # found by autodiscovery


@pytest.mark.django_db(transaction=True)
def test_ping_round_trip_through_a_real_worker_on_redis(celery_worker, tasks_finished):
    assert not app.conf.task_always_eager

    assert tasks_finished(ping.delay()) == "pong"
    # No result backend: nothing is written back to Redis for anyone to read (issue 15).
    assert app.conf.result_backend is None and app.conf.task_ignore_result is True
    broker = redis.Redis.from_url(app.conf.broker_url)
    assert broker.keys("celery-task-meta-*") == []


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_records_its_heartbeat_in_the_database(celery_worker, tasks_finished):
    Heartbeat.objects.all().delete()  # the worker's start wrote one already
    tasks_finished(heartbeat.delay())

    row = Heartbeat.objects.get(kind=Heartbeat.Kind.WORKER)
    assert row.hostname and (timezone.now() - row.seen_at).total_seconds() < 10


@pytest.fixture
def published():
    """Names of the tasks sent to the broker during the test (Celery's own signal)."""
    names = []

    def record(sender, **kwargs):
        names.append(sender)

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)


@pytest.mark.django_db
def test_enqueue_waits_for_commit(django_capture_on_commit_callbacks, published):
    with django_capture_on_commit_callbacks() as at_commit:
        enqueue(heartbeat)
        # Still inside the transaction: nothing has been sent yet.
        assert published == []

    assert len(at_commit) == 1
    at_commit[0]()  # the commit
    assert published == [heartbeat.name]


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_transaction_runs_on_a_worker_once_committed(celery_worker, published):
    Heartbeat.objects.all().delete()  # the worker's start wrote one
    with transaction.atomic():
        enqueue(heartbeat)
        assert published == []

    assert published == [heartbeat.name]
    _wait_for(lambda: Heartbeat.objects.filter(kind="worker").exists())


@pytest.mark.django_db(transaction=True)
def test_enqueue_sends_nothing_when_rolled_back(celery_worker, tasks_finished):
    class Rollback(Exception):
        pass

    Heartbeat.objects.all().delete()  # the worker's start wrote one
    with pytest.raises(Rollback), transaction.atomic():
        enqueue(heartbeat)
        raise Rollback

    # A task sent after the rollback still runs; the rolled-back one never did.
    tasks_finished(ping.delay())
    assert not Heartbeat.objects.exists()


# django-celery-beat's scheduler recycles the database connection, so no wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_sync_schedules_puts_beat_schedule_in_the_database(settings):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("sync_schedules")
    call_command("sync_schedules")  # idempotent

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    assert PeriodicTask.objects.filter(name="heartbeat", task="core.tasks.heartbeat").count() == 1


def _wait_for(condition, timeout: float = 10) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_emails_go_to_their_own_queue_and_the_worker_consumes_both(settings):
    """Bulk e-mail never holds the sweeps behind it (README, Reliability)."""
    route = app.amqp.router.route({}, "collaboration.tasks.notification_email")
    assert route["queue"].name == settings.CELERY_MAIL_QUEUE
    assert app.amqp.router.route({}, "monitoring.tasks.review_reminders")["queue"].name == (
        settings.CELERY_TASK_DEFAULT_QUEUE
    )
