"""Background work of the cycle on the real services: reminders, overdue alerts, stuck
projects, next reviews — once each, under retries, concurrency and a broker outage."""

import contextlib
import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from collaboration.models import Notification, NotificationKind, Task
from collaboration.notifications import notifications_email_flush, tasks_overdue_notify
from collaboration.services import task_save
from core.models import DeferredTask
from core.sweeps import sweeps_run
from monitoring.alerts import (
    projects_stuck_notify,
    review_reminders_send,
    reviews_overdue_notify,
)
from monitoring.models import ReviewMeeting
from monitoring.tasks import review_reminders, reviews_overdue, reviews_schedule_next
from projects.models import Project, ReviewCadence, Stage, StagePolicy, TeamRole
from salescycle.celery import app
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    TaskFactory,
)

K = NotificationKind


def at(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def reminders(**filters):
    return Notification.objects.filter(kind=K.REVIEW_REMINDER, **filters)


@pytest.fixture
def team(manager, member):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, name="Harbour ERP")
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return project


def review_with(project, people, **fields):
    review = ReviewMeetingFactory(project=project, **fields)
    review.attendees.set(people)
    return review


# --- review reminders -------------------------------------------------------------------------
@pytest.mark.django_db
def test_each_attendee_gets_the_24_hour_reminder_once(team, manager, member):
    review = review_with(team, [manager, member], scheduled_for=at(20))

    assert review_reminders_send() == 2
    assert review_reminders_send() == 0

    rows = reminders()
    assert sorted(rows.values_list("recipient__username", flat=True)) == sorted(
        [manager.username, member.username]
    )
    assert {row.data["window"] for row in rows} == {"24h"}
    assert {row.data["review"] for row in rows} == {review.pk}


@pytest.mark.django_db
def test_the_one_hour_reminder_follows_the_24_hour_one(team, manager, member):
    review = review_with(team, [member], scheduled_for=at(20))
    review_reminders_send()

    assert review_reminders_send(now=review.scheduled_for - datetime.timedelta(minutes=50)) == 1
    assert review_reminders_send(now=review.scheduled_for - datetime.timedelta(minutes=40)) == 0
    assert sorted(reminders().values_list("data__window", flat=True)) == ["1h", "24h"]


@pytest.mark.django_db
def test_a_late_sweep_sends_only_the_nearest_window(team, member):
    review_with(team, [member], scheduled_for=at(0.5))

    assert review_reminders_send() == 1
    assert list(reminders().values_list("data__window", flat=True)) == ["1h"]


@pytest.mark.django_db
def test_no_reminders_for_far_held_or_past_reviews_or_closed_projects(team, manager, member):
    review_with(team, [member], scheduled_for=at(30))
    review_with(team, [member], scheduled_for=at(-2))
    review_with(team, [member], scheduled_for=at(5), held_at=at(-1), decision="continue")
    closed = ProjectFactory(owner=manager, stage=Stage.CLOSED, outcome="won")
    review_with(closed, [manager], scheduled_for=at(5))

    assert review_reminders_send() == 0


@pytest.mark.django_db
def test_without_attendees_the_owner_is_reminded(team, manager):
    review_with(team, [], scheduled_for=at(3))
    review_reminders_send()
    assert list(reminders().values_list("recipient", flat=True)) == [manager.pk]


@pytest.mark.django_db
def test_a_moved_review_is_reminded_again(team, member):
    review = review_with(team, [member], scheduled_for=at(20))
    review_reminders_send()
    ReviewMeeting.objects.filter(pk=review.pk).update(scheduled_for=at(22))

    assert review_reminders_send() == 1


@pytest.mark.django_db
def test_reminders_are_emailed_in_each_recipients_language(
    team, manager, member, mailoutbox, django_capture_on_commit_callbacks
):
    app.conf.task_always_eager = True
    try:
        member.language, manager.language = "zh-hans", "en"
        member.save()
        manager.save()
        review_with(team, [manager, member], scheduled_for=at(0.5))
        with django_capture_on_commit_callbacks(execute=True):
            review_reminders_send()
    finally:
        app.conf.task_always_eager = False
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert "Harbour ERP" in by_address[manager.email].body
    assert "within the hour" in by_address[manager.email].body
    assert "评审" in by_address[member.email].body
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_the_reminder_sweep_runs_the_same_queries_for_2_and_20_reviews(team, manager, member):
    from django.test.utils import CaptureQueriesContext

    def sweep_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            review_reminders_send()
        return len(queries)

    for hours in (2, 5):
        review_with(team, [manager, member], scheduled_for=at(hours))
    few = sweep_queries()
    Notification.objects.all().delete()
    for n in range(18):
        review_with(team, [manager, member], scheduled_for=at(6 + n))

    many = sweep_queries()

    assert reminders().count() == 40
    assert many == few
    assert review_reminders_send() == 0  # and the next sweep finds nothing new


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_still_remind_each_attendee_once(require_postgres, manager, member):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    people = [manager, member] + [
        ProjectMembershipFactory(project=project, user__username=f"att-{n}").user for n in range(4)
    ]
    for hours in (0.5, 3, 10):
        review_with(project, people, scheduled_for=at(hours))
    start = threading.Barrier(3)
    errors = []

    def sweep():
        try:
            start.wait()
            review_reminders_send()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert reminders().count() == 3 * len(people)
    per_window = reminders().values("recipient", "event_key").distinct().count()
    assert per_window == reminders().count()


def test_a_real_worker_runs_the_sweep_and_a_retry_adds_nothing(
    celery_worker, tasks_finished, manager, member
):
    assert not app.conf.task_always_eager
    project = ProjectFactory(owner=manager, stage=Stage.MONITORING)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    review_with(project, [manager, member], scheduled_for=at(0.5))
    review_with(project, [member], scheduled_for=at(12))

    # Twice at once on the queue, then once more as a retry would: three runs, one result.
    first, second = review_reminders.delay(), review_reminders.delay()
    counts = sorted([tasks_finished(first), tasks_finished(second)])
    retried = tasks_finished(review_reminders.apply_async())

    assert counts == [0, 3] and retried == 0
    assert reminders().count() == 3
    assert reminders(recipient=member).count() == 2


# --- overdue alerts --------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_overdue_review_alerts_its_owner_once_a_day(team, manager):
    review = ReviewMeetingFactory(project=team, scheduled_for=at(-30))
    ReviewMeetingFactory(project=team, scheduled_for=at(50))

    assert reviews_overdue_notify() == 1
    assert reviews_overdue_notify() == 0
    assert reviews_overdue_notify(now=timezone.now() + datetime.timedelta(days=1)) == 1

    rows = Notification.objects.filter(kind=K.REVIEW_OVERDUE)
    assert set(rows.values_list("recipient", flat=True)) == {manager.pk}
    assert {row.data["review"] for row in rows} == {review.pk}


@pytest.mark.django_db
def test_a_held_review_is_never_overdue(team):
    ReviewMeetingFactory(project=team, scheduled_for=at(-30), held_at=at(-29), decision="continue")
    assert reviews_overdue_notify() == 0


@pytest.mark.django_db
def test_an_overdue_task_alerts_its_assignee_once_a_day(team, member):
    today = timezone.localdate()
    TaskFactory(project=team, assignee=member, due_date=today - datetime.timedelta(days=3))

    assert tasks_overdue_notify(today=today) == 1
    assert tasks_overdue_notify(today=today) == 0
    assert tasks_overdue_notify(today=today + datetime.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind=K.TASK_OVERDUE, recipient=member).count() == 2


# --- stuck projects ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_stuck_project_tells_its_owner_then_at_twice_the_norm_the_directors(manager, director):
    norm = StagePolicy.objects.get(stage=Stage.STRATEGY).norm_days
    project = ProjectFactory(owner=manager, stage=Stage.STRATEGY)
    entered = timezone.now() - datetime.timedelta(days=norm + 1)
    Project.objects.filter(pk=project.pk).update(stage_entered_at=entered)
    stuck = Notification.objects.filter(kind=K.PROJECT_STUCK, project=project)

    assert projects_stuck_notify() == 1
    assert list(stuck.values_list("recipient", flat=True)) == [manager.pk]
    assert projects_stuck_notify() == 0

    later = entered + datetime.timedelta(days=2 * norm + 1)
    assert projects_stuck_notify(now=later) == 1
    assert stuck.filter(recipient=director).get().data["twice"] is True
    assert projects_stuck_notify(now=later) == 0


@pytest.mark.django_db
def test_a_new_stage_visit_can_be_stuck_again(manager):
    norm = StagePolicy.objects.get(stage=Stage.EXECUTION).norm_days
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    Project.objects.filter(pk=project.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(days=norm + 1)
    )
    projects_stuck_notify()
    # The project loops and comes back to execution: a new visit, judged anew.
    Project.objects.filter(pk=project.pk).update(stage_entered_at=timezone.now())
    assert projects_stuck_notify() == 0
    future = timezone.now() + datetime.timedelta(days=norm + 1)
    assert projects_stuck_notify(now=future) == 1


@pytest.mark.django_db
def test_projects_within_their_norm_or_closed_are_not_stuck(manager):
    ProjectFactory(owner=manager, stage=Stage.STRATEGY)
    old = ProjectFactory(owner=manager, stage=Stage.CLOSED, outcome="won")
    Project.objects.filter(pk=old.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(days=900)
    )
    assert projects_stuck_notify() == 0


# --- next reviews through the worker ----------------------------------------------------------
def test_the_worker_schedules_next_reviews_and_overdue_alerts(
    celery_worker, tasks_finished, manager
):
    reviewed = ProjectFactory(
        owner=manager, stage=Stage.EXECUTION, review_cadence=ReviewCadence.WEEKLY
    )
    ReviewMeetingFactory(
        project=reviewed, scheduled_for=at(-30), held_at=at(-29), decision="continue"
    )
    behind = ProjectFactory(owner=manager, stage=Stage.MONITORING, review_cadence="weekly")
    ReviewMeetingFactory(project=behind, scheduled_for=at(-3))

    assert tasks_finished(reviews_schedule_next.delay()) == 1
    assert tasks_finished(reviews_overdue.delay()) == 1
    assert reviewed.reviews.upcoming().count() == 1
    # The overdue review is still the next one: held or cancelled first, not piled on.
    assert behind.reviews.count() == 1
    assert tasks_finished(reviews_schedule_next.delay()) == 0


# --- Redis down ---------------------------------------------------------------------------------
@contextlib.contextmanager
def redis_down():
    """Point Celery at a port where no broker answers, as if Redis had stopped."""
    before = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:6390/0"
    app._pool = None  # forget the open connections to the real broker
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = before
        app._pool = None
        app.amqp._producer_pool = None


def test_with_redis_down_pages_work_and_a_later_sweep_sends_what_was_missed(
    transactional_db, manager, member, mailoutbox
):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    client = Client()
    client.force_login(manager)

    with redis_down():
        # Assigning a task notifies the member and would e-mail them through Celery.
        task = task_save(
            task=Task(
                project=project, title="Call the CFO", stage=Stage.EXECUTION, assignee=member
            ),
            actor=manager,
        )
        page = client.get(project.get_absolute_url())
        tasks_page = client.get(f"/projects/{project.pk}/tasks/")
        api = client.get("/api/v1/tasks/mine/")

    assert page.status_code == 200 and tasks_page.status_code == 200 and api.status_code == 200
    assert task.pk and mailoutbox == []
    assert DeferredTask.objects.filter(name="collaboration.tasks.notification_email").exists()
    pending = Notification.objects.get(recipient=member, kind=K.TASK_ASSIGNED)
    assert pending.email_pending and pending.emailed_at is None

    # Redis is back: the sweep sends the e-mail, once.
    assert notifications_email_flush() == 1
    assert notifications_email_flush() == 0
    assert [mail.to for mail in mailoutbox] == [[member.email]]
    pending.refresh_from_db()
    assert pending.emailed_at and not pending.email_pending


@pytest.mark.django_db
def test_run_sweeps_runs_every_sweep_in_process(team, manager, member, settings):
    review_with(team, [member], scheduled_for=at(2))
    ReviewMeetingFactory(project=team, scheduled_for=at(-5))
    results = sweeps_run()
    assert set(results) == set(settings.SWEEPS)
    assert results["monitoring.tasks.review_reminders"] == 1
    assert results["monitoring.tasks.reviews_overdue"] == 1


@pytest.mark.django_db
def test_an_email_no_longer_wanted_leaves_the_pending_queue(team, member):
    from collaboration.notifications import notify

    [notification] = notify(recipients=[member], kind=K.MENTIONED, event_key="x:1", project=team)
    assert notification.email_pending
    member.email = ""
    member.save()
    assert notifications_email_flush() == 0
    notification.refresh_from_db()
    assert not notification.email_pending


@pytest.mark.django_db
def test_the_schedules_are_in_beat(settings):
    sweeps = {
        "monitoring.tasks.review_reminders",
        "monitoring.tasks.reviews_overdue",
        "monitoring.tasks.projects_stuck",
        "monitoring.tasks.reviews_schedule_next",
        "collaboration.tasks.notifications_email_sweep",
        "collaboration.tasks.tasks_overdue_sweep",
    }
    assert sweeps <= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    jobs = {
        "insights.tasks.kpis_rollup",
        "core.tasks.deferred_tasks_replay",
        "collaboration.tasks.notifications_prune_sweep",
        "dataio.tasks.import_previews_prune",
        "accounts.tasks.sign_ins_prune",
    }
    assert sweeps | jobs == set(settings.SWEEPS)
    for name in sweeps:
        assert import_string(name).acks_late


@pytest.mark.django_db
def test_one_refused_email_does_not_hold_back_the_others(team, manager, member, mailoutbox):
    from collaboration.notifications import notify

    notify(recipients=[manager], kind=K.MENTIONED, event_key="m:1", project=team)
    notify(recipients=[member], kind=K.MENTIONED, event_key="m:2", project=team)
    real_send = mail.send_mail

    def refuse_the_manager(subject, body, sender, to, **kwargs):
        if to == [manager.email]:
            raise OSError("550 mailbox unavailable")
        return real_send(subject, body, sender, to, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("collaboration.notifications.send_mail", refuse_the_manager)
        assert notifications_email_flush() == 1
    assert [m.to for m in mailoutbox] == [[member.email]]
    # The refused one stays pending and goes out once the server takes it.
    assert notifications_email_flush() == 1
    assert len(mailoutbox) == 2
