"""Redis stopped or frozen (issue 15): requests answer at once, work is kept in PostgreSQL and
done exactly once when Redis is back.

Each test runs a private `redis-server` on a free port as the broker — never the shared one —
stops it with SIGTERM (connections refused) or freezes it with SIGSTOP (connections hang), and
drives the app through the test client and a real Celery worker.

Run against the code before issue 15 (result backend on the same Redis, no socket timeouts, no
breaker; Redis thawed after 30 s), they fail with: a comment with a mention 19.5 s with Redis
stopped and 30.0 s frozen (as long as the freeze lasted), a stage transition 19.1 s / 30.0 s,
20 enqueues while frozen 30.0 s, a cache read on a frozen Redis 5.0 s, and no work kept.
"""

import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from collaboration.models import Comment, Notification, NotificationKind, NotificationSetting
from core.background import deferred_tasks_replay, enqueue
from core.models import DeferredTask
from core.tasks import ping
from projects.models import Stage
from salescycle.celery import app
from tests.factories import ProjectFactory
from tests.processes import broker_reconnect
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = {"stop": "stopped", "freeze": "frozen"}


@pytest.fixture
def mentioned(manager, member):
    from projects.models import ProjectMembership, TeamRole

    project = ProjectFactory(owner=manager, name="Harbour Logistics ERP")
    ProjectMembership.objects.create(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembership.objects.create(project=project, user=member, role=TeamRole.MEMBER)
    return project, member


def _post_mention(client, manager, project, member) -> tuple[int, float]:
    client.force_login(manager)
    started = time.monotonic()
    response = client.post(
        reverse("collaboration:comment_post", args=[project.pk]),
        {"body": f"@{member.username} the tender is due on Friday"},
    )
    return response.status_code, time.monotonic() - started


@pytest.mark.parametrize("fault", ["stop", "freeze"])
def test_a_comment_with_a_mention_answers_at_once_and_its_email_waits_in_postgresql(
    redis_server, client, manager, mentioned, fault
):
    project, member = mentioned
    getattr(redis_server, fault)()

    status, seconds = _post_mention(client, manager, project, member)

    assert status == 302
    assert seconds < 2, f"the comment took {seconds:.1f} s with Redis {FAULTS[fault]}"
    notification = Notification.objects.get(recipient=member, kind=NotificationKind.MENTIONED)
    assert Comment.objects.filter(project=project).count() == 1
    deferred = DeferredTask.objects.get()
    assert (deferred.name, deferred.args) == (
        "collaboration.tasks.notification_email",
        [notification.pk],
    )


def test_while_redis_hangs_the_broker_is_tried_once_not_in_every_request(redis_server):
    redis_server.freeze()
    started = time.monotonic()
    for _ in range(20):
        enqueue(ping)  # outside a transaction: sent at once
    seconds = time.monotonic() - started

    # One attempt waits for the socket timeout (1.5 s); the breaker spares the other 19.
    assert seconds < 4, f"20 enqueues took {seconds:.1f} s"
    assert DeferredTask.objects.count() == 20


def test_pages_and_healthz_answer_while_redis_hangs(redis_server, client, manager):
    redis_server.freeze()
    client.force_login(manager)
    for url in (reverse("home"), reverse("projects:project_list"), "/healthz"):
        started = time.monotonic()
        response = client.get(url)
        seconds = time.monotonic() - started
        assert response.status_code == 200, url
        assert seconds < 2, f"{url} took {seconds:.1f} s"
    assert client.get("/healthz").json()["broker"]["ok"] is False


@pytest.mark.parametrize("fault", ["stop", "freeze"])
def test_deferred_work_is_done_exactly_once_when_redis_is_back(
    redis_server, client, manager, mentioned, mailoutbox, fault
):
    project, member = mentioned
    getattr(redis_server, fault)()
    assert _post_mention(client, manager, project, member)[0] == 302
    assert DeferredTask.objects.count() == 1
    assert mailoutbox == []

    if fault == "stop":
        redis_server.start()  # empty: whatever it held before is gone, as after a restart
    else:
        # Thawed, Redis reads what waited in its socket: the publish that timed out may
        # arrive after all, and the replay sends the same e-mail task again.
        redis_server.thaw()
    broker_reconnect()
    # Replayed twice (two beat runs racing, or a replay after a publish that did arrive):
    # the e-mail's own exactly-once key keeps it to one message.
    assert deferred_tasks_replay() == 1
    DeferredTask.objects.create(
        name="collaboration.tasks.notification_email",
        args=[Notification.objects.get(recipient=member).pk],
    )
    assert deferred_tasks_replay() == 1
    assert DeferredTask.objects.count() == 0

    queues = [settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_MAIL_QUEUE]
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=queues
    ):
        deadline = time.monotonic() + 20
        while not Notification.objects.filter(emailed_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the deferred e-mail was never sent"
            time.sleep(0.2)
        time.sleep(1)  # the second copy, had it been sent, would be in by now
    assert [m.to for m in mailoutbox] == [[member.email]]


@pytest.mark.parametrize("fault", ["stop", "freeze"])
def test_a_stage_transition_answers_at_once_and_its_email_waits_in_postgresql(
    redis_server, client, manager, mentioned, fault
):
    project, member = mentioned
    fill_gate(project, Stage.INITIATION)
    NotificationSetting.objects.create(user=member, kind=NotificationKind.STAGE_CHANGED)
    client.force_login(manager)
    getattr(redis_server, fault)()

    started = time.monotonic()
    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION},
    )
    seconds = time.monotonic() - started

    assert response.status_code == 302
    assert seconds < 2, f"the transition took {seconds:.1f} s with Redis {FAULTS[fault]}"
    project.refresh_from_db()
    assert project.stage == Stage.GOAL_SETTING
    notification = Notification.objects.get(recipient=member, kind=NotificationKind.STAGE_CHANGED)
    deferred = DeferredTask.objects.get()
    assert (deferred.name, deferred.args) == (
        "collaboration.tasks.notification_email",
        [notification.pk],
    )


def test_the_cache_gives_up_on_a_frozen_redis_within_a_second_or_so(redis_server):
    """The cache's socket timeouts (settings.CACHES OPTIONS): without them a read hangs for as
    long as Redis does."""
    redis_server.freeze()
    outcome = []

    def read():
        started = time.monotonic()
        try:
            caches["default"].get("anything")
        except redis.RedisError as exc:
            outcome.append(type(exc).__name__)
        outcome.append(time.monotonic() - started)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)

    assert outcome, "a cache read still hung on a frozen Redis after 10 s"
    assert outcome[0] == "TimeoutError" and outcome[-1] < 2


def test_without_a_broker_nothing_is_deferred(manager, client, mentioned):
    """The embedded demo (tasks in process): the e-mail is sent in the request itself."""
    project, member = mentioned
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert _post_mention(client, manager, project, member)[0] == 302
    finally:
        app.conf.task_always_eager = before
    assert DeferredTask.objects.count() == 0
    assert Notification.objects.get(recipient=member).emailed_at is not None
