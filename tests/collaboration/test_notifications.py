"""Notifications: once per event, e-mailed per preference and in the recipient's language,
sent once however often the task runs, the overdue sweep, and the notification pages."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from collaboration import notifications as notifications_module
from collaboration import services
from collaboration.context_processors import notifications as notifications_context
from collaboration.models import (
    Notification,
    NotificationKind,
    NotificationSetting,
    Task,
    TaskStatus,
)
from collaboration.notifications import (
    email_preferences,
    notification_email_send,
    notify,
    tasks_overdue_notify,
    unread_count,
)
from collaboration.tasks import notification_email, tasks_overdue_sweep
from projects.lifecycle import project_transition
from projects.models import ProjectMembership, Stage, TeamRole
from salescycle.celery import app
from tests.factories import ProjectFactory, TaskFactory, UserFactory
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db

K = NotificationKind


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture
def owner(manager):
    return manager


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner, name="Harbour Logistics ERP")


@pytest.fixture
def team_member(project, member):
    """`member` on the project's team, so tasks can be assigned to them and they can be named."""
    ProjectMembership.objects.create(project=project, user=member, role=TeamRole.MEMBER)
    return member


@pytest.fixture
def eager_celery():
    """Tasks sent by `enqueue` run at once in this process (the real worker has its own test)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def notifications_of(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def assign_task(*, project, actor, assignee, title="Call the CFO") -> Task:
    task = Task(project=project, title=title, stage=Stage.INITIATION, assignee=assignee)
    return services.task_save(task=task, actor=actor)


def make_notification(recipient, *, project=None, kind=K.MENTIONED, n=0, **extra):
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        event_key=f"test:{n}",
        project=project or ProjectFactory(),
        **extra,
    )


# --- once per event -------------------------------------------------------------------------
def test_notify_twice_for_the_same_event_creates_one_notification(project, member, owner):
    event = {"kind": K.MENTIONED, "event_key": "comment:42", "project": project, "actor": owner}

    first = notify(recipients=[member], **event)
    second = notify(recipients=[member, member], **event)

    assert len(first) == 1
    assert second == []
    assert notifications_of(member).count() == 1


def test_notify_skips_missing_and_inactive_recipients(project, member, outsider):
    outsider.is_active = False
    outsider.save()

    notify(recipients=[None, outsider, member], kind=K.MENTIONED, event_key="c:1", project=project)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [member.pk]


def test_assigning_a_task_notifies_the_assignee_once_and_not_the_actor(project, owner, team_member):
    task = assign_task(project=project, actor=owner, assignee=team_member)

    notification = notifications_of(team_member).get()
    assert (notification.kind, notification.task, notification.actor) == (
        K.TASK_ASSIGNED,
        task,
        owner,
    )
    assert notification.project == project
    assert not notifications_of(owner).exists()


def test_saving_a_task_again_without_a_new_assignee_notifies_nobody(project, owner, team_member):
    task = assign_task(project=project, actor=owner, assignee=team_member)

    task.title = "Call the CFO and the CEO"
    services.task_save(task=task, actor=owner)

    assert notifications_of(team_member, K.TASK_ASSIGNED).count() == 1
    assert Notification.objects.count() == 1


def test_reassigning_a_task_notifies_the_new_assignee(project, owner, team_member):
    second = UserFactory(username="sam-second", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=second, role=TeamRole.MEMBER)
    task = assign_task(project=project, actor=owner, assignee=team_member)

    task.assignee = second
    services.task_save(task=task, actor=owner)

    assert notifications_of(second, K.TASK_ASSIGNED).count() == 1
    assert notifications_of(team_member, K.TASK_ASSIGNED).count() == 1


def test_assigning_a_task_to_oneself_notifies_nobody(project, owner):
    ProjectMembership.objects.create(project=project, user=owner, role=TeamRole.OWNER)
    assign_task(project=project, actor=owner, assignee=owner)

    assert not Notification.objects.exists()


def test_a_mention_notifies_the_member_once_even_after_an_edit(project, owner, team_member):
    comment = services.comment_post(
        project=project, actor=owner, body="@mia-member could you check the tender?"
    )

    services.comment_edit(
        comment=comment, actor=owner, body="@mia-member could you check the tender today?"
    )

    notification = notifications_of(team_member).get()
    assert notification.kind == K.MENTIONED
    assert notification.actor == owner
    assert not notifications_of(owner).exists()


def test_mentioning_oneself_notifies_nobody(project, owner):
    services.comment_post(project=project, actor=owner, body="Note to @mark-manager: follow up")

    assert not Notification.objects.exists()


def test_a_task_blocked_by_its_assignee_notifies_the_owner(project, owner, team_member):
    task = assign_task(project=project, actor=owner, assignee=team_member)

    services.task_update_progress(
        task=task, actor=team_member, status=TaskStatus.BLOCKED, blocked_reason="No budget code"
    )

    notification = notifications_of(owner).get()
    assert (notification.kind, notification.actor, notification.task) == (
        K.TASK_BLOCKED,
        team_member,
        task,
    )
    assert notification.data == {"reason": "No budget code"}
    assert not notifications_of(team_member, K.TASK_BLOCKED).exists()


def test_a_stage_change_notifies_the_team_except_the_actor(project, owner, team_member):
    colleague = UserFactory(username="cleo-colleague", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=colleague, role=TeamRole.MEMBER)
    former = UserFactory(username="fred-former", role=Role.MEMBER)
    ProjectMembership.objects.create(
        project=project, user=former, role=TeamRole.MEMBER, left_on=timezone.localdate()
    )
    fill_gate(project, Stage.INITIATION)

    result = project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)

    rows = Notification.objects.filter(kind=K.STAGE_CHANGED)
    assert {n.recipient for n in rows} == {team_member, colleague}
    assert {n.event_key for n in rows} == {f"transition:{result.transition.pk}"}
    assert all(n.data["to"] == Stage.GOAL_SETTING for n in rows)


def test_a_stage_change_by_a_director_notifies_the_owner(project, owner, director, team_member):
    fill_gate(project, Stage.INITIATION)

    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=director)

    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {owner.pk, team_member.pk}


# --- e-mail per preference and language -----------------------------------------------------
def test_an_assignment_is_emailed_to_whoever_wants_it(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        task = assign_task(project=project, actor=owner, assignee=team_member)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [team_member.email]
    assert project.code in message.subject
    assert project.name in message.body
    assert task.title in message.body
    assert notifications_of(team_member).get().emailed_at is not None


def test_nothing_is_sent_before_the_commit(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign_task(project=project, actor=owner, assignee=team_member)

    assert mailoutbox == []
    assert len(callbacks) == 1


def test_no_email_for_a_kind_switched_off(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    NotificationSetting.objects.create(user=team_member, kind=K.TASK_ASSIGNED, by_email=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assign_task(project=project, actor=owner, assignee=team_member)

    assert mailoutbox == []
    assert callbacks == []  # not even a task sent
    assert notifications_of(team_member, K.TASK_ASSIGNED).exists()  # still shown in the app


def test_no_email_for_a_person_without_an_address(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    team_member.email = ""
    team_member.save()

    with django_capture_on_commit_callbacks(execute=True):
        assign_task(project=project, actor=owner, assignee=team_member)

    assert mailoutbox == []


def test_stage_changes_are_not_emailed_by_default(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    fill_gate(project, Stage.INITIATION)

    with django_capture_on_commit_callbacks(execute=True):
        project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)

    assert notifications_of(team_member, K.STAGE_CHANGED).exists()
    assert mailoutbox == []
    assert email_preferences(team_member)[K.STAGE_CHANGED] is False


def test_stage_changes_are_emailed_to_who_asked_for_them(
    project, owner, team_member, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    NotificationSetting.objects.create(user=team_member, kind=K.STAGE_CHANGED, by_email=True)
    fill_gate(project, Stage.INITIATION)

    with django_capture_on_commit_callbacks(execute=True):
        project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)

    assert [m.to for m in mailoutbox] == [[team_member.email]]


@pytest.fixture
def languages_while_rendering(monkeypatch):
    """The active language each time notifications render a template."""
    seen = []
    render = notifications_module.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen.append((template_name, translation.get_language()))
        return render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(notifications_module, "render_to_string", spy)
    return seen


@pytest.mark.parametrize(
    ("recipient_language", "active_language"), [("zh-hans", "en"), ("en", "zh-hans")]
)
def test_the_email_is_in_the_recipients_language(
    project,
    owner,
    member,
    languages_while_rendering,
    mailoutbox,
    recipient_language,
    active_language,
):
    member.language = recipient_language
    member.save()
    notification = make_notification(member, project=project, kind=K.TASK_ASSIGNED, actor=owner)

    with translation.override(active_language):
        notification_email_send(notification_id=notification.pk)
        assert translation.get_language() == active_language  # the sender's is left alone

    assert {language for _, language in languages_while_rendering} == {recipient_language}
    assert {name for name, _ in languages_while_rendering} >= {
        "collaboration/email/notification_subject.txt",
        "collaboration/email/notification_body.txt",
    }
    with translation.override(recipient_language):
        tag = translation.gettext("[SalesCycle %(code)s]") % {"code": project.code}
    [message] = mailoutbox
    assert message.subject.startswith(tag)
    assert project.name in message.body


# --- sent once ------------------------------------------------------------------------------
def test_sending_twice_sends_one_email(project, member, mailoutbox):
    notification = make_notification(member, project=project)

    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda user: NotificationSetting.objects.create(
            user=user, kind=K.MENTIONED, by_email=False
        ),
        lambda user: type(user).objects.filter(pk=user.pk).update(email=""),
        lambda user: type(user).objects.filter(pk=user.pk).update(is_active=False),
    ],
    ids=["switched-off", "address-removed", "deactivated"],
)
def test_nothing_is_sent_when_things_changed_after_queuing(project, member, mailoutbox, change):
    notification = make_notification(member, project=project, kind=K.MENTIONED)
    change(member)

    assert notification_email_send(notification_id=notification.pk) is False

    assert mailoutbox == []


def test_sending_a_deleted_notification_does_nothing(mailoutbox):
    assert notification_email_send(notification_id=987654) is False
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_the_email_task_sends_once_through_a_real_worker(celery_worker, tasks_finished, mailoutbox):
    assert not app.conf.task_always_eager
    recipient = UserFactory(username="wendy-worker", role=Role.MEMBER)
    notification = make_notification(recipient)

    results = [notification_email.delay(notification.pk) for _ in range(2)]

    assert sorted(tasks_finished(result) for result in results) == [False, True]
    assert [m.to for m in mailoutbox] == [[recipient.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


# --- the overdue sweep ----------------------------------------------------------------------
TODAY = datetime.date(2026, 3, 10)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def test_the_sweep_notifies_each_overdue_task_once(project, member):
    late = TaskFactory(project=project, assignee=member, due_date=days(-1))
    very_late = TaskFactory(project=project, assignee=member, due_date=days(-30))

    assert tasks_overdue_notify(today=TODAY) == 2
    assert tasks_overdue_notify(today=TODAY) == 0

    rows = notifications_of(member, K.TASK_OVERDUE)
    assert sorted(n.task_id for n in rows) == sorted([late.pk, very_late.pk])


@pytest.mark.parametrize(
    "task_fields",
    [
        {"due_date": days(0)},
        {"due_date": days(1)},
        {"due_date": None},
        {"due_date": days(-1), "status": TaskStatus.DONE},
        {"due_date": days(-1), "assignee": None},
    ],
    ids=["due-today", "due-tomorrow", "no-due-date", "done", "unassigned"],
)
def test_the_sweep_leaves_tasks_that_are_not_overdue(project, member, task_fields):
    TaskFactory(project=project, **{"assignee": member, **task_fields})

    assert tasks_overdue_notify(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_the_sweep_leaves_closed_projects(member):
    project = ProjectFactory(stage=Stage.CLOSED)
    TaskFactory(project=project, assignee=member, due_date=days(-1))

    assert tasks_overdue_notify(today=TODAY) == 0


def test_a_task_overdue_again_after_its_due_date_moved_is_notified_again(project, member):
    task = TaskFactory(project=project, assignee=member, due_date=days(-1))
    tasks_overdue_notify(today=TODAY)

    task.due_date = days(3)
    task.save()
    assert tasks_overdue_notify(today=TODAY) == 0
    assert tasks_overdue_notify(today=days(4)) == 1

    rows = notifications_of(member, K.TASK_OVERDUE).order_by("id")
    assert [n.data["due"] for n in rows] == [days(-1).isoformat(), days(3).isoformat()]


def test_the_scheduled_sweep_runs_the_same_rule(project, member):
    TaskFactory(
        project=project, assignee=member, due_date=timezone.localdate() - datetime.timedelta(days=1)
    )

    assert tasks_overdue_sweep() == 1
    assert tasks_overdue_sweep() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert "collaboration.tasks.tasks_overdue_sweep" in {
        entry["task"] for entry in schedule.values()
    }


# --- pages ----------------------------------------------------------------------------------
LIST = reverse("collaboration:notification_list")
BELL = reverse("collaboration:notification_bell")
MARK_READ = reverse("collaboration:notifications_mark_read")
SETTINGS = reverse("collaboration:notification_settings")


@pytest.mark.parametrize("url", [LIST, BELL, SETTINGS])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_cannot_mark_read(client, member):
    notification = make_notification(member)

    response = client.post(MARK_READ, {"all": "1"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_only_ones_own_notifications(client, member, outsider, owner):
    mine = ProjectFactory(name="Mine Corp rollout")
    theirs = ProjectFactory(name="Theirs Inc pilot")
    make_notification(member, project=mine, actor=owner)
    make_notification(outsider, project=theirs, actor=owner)
    client.force_login(member)

    response = client.get(LIST)

    assert response.status_code == 200
    assert [n.recipient for n, _ in response.context["items"]] == [member]
    assert "Mine Corp rollout" in response.text
    assert "Theirs Inc pilot" not in response.text
    assert mine.get_absolute_url() in response.text


def test_the_list_is_newest_first_and_marks_the_unread(client, member):
    older = make_notification(member, n=1, read_at=timezone.now())
    newer = make_notification(member, n=2)
    client.force_login(member)

    response = client.get(LIST)

    assert [n for n, _ in response.context["items"]] == [newer, older]
    assert response.text.count('data-unread="true"') == 1
    assert response.text.count('data-testid="mark-read"') == 1


def test_the_list_is_paginated(client, member):
    project = ProjectFactory()
    for n in range(27):
        make_notification(member, project=project, n=n)
    client.force_login(member)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["items"]) == 25
    assert len(second.context["items"]) == 2


def test_the_notification_text_is_escaped(client, member, owner):
    project = ProjectFactory(name="<script>alert(1)</script>")
    make_notification(member, project=project, actor=owner)
    client.force_login(member)

    response = client.get(LIST)

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_list_answers_htmx_with_the_fragment(client, member):
    make_notification(member)
    client.force_login(member)

    response = client.get(LIST, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="notification-items"' in response.text


def test_the_list_runs_the_same_queries_for_one_or_thirty(client, member):
    def queries_for_list() -> int:
        client.force_login(member)
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(context.captured_queries)

    def add(n: int) -> None:
        project = ProjectFactory()
        task = TaskFactory(project=project)
        actor = UserFactory(username=f"actor-{n}")
        make_notification(member, project=project, task=task, actor=actor, n=n, kind=K.TASK_BLOCKED)
        make_notification(
            member,
            project=project,
            actor=actor,
            n=1000 + n,
            kind=K.STAGE_CHANGED,
            data={"to": "strategy"},
        )

    add(0)
    one = queries_for_list()
    for n in range(1, 15):
        add(n)
    thirty = queries_for_list()

    assert Notification.objects.count() == 30
    assert one == thirty


def test_the_bell_counts_ones_unread_notifications(client, member, outsider):
    make_notification(member, n=1)
    make_notification(member, n=2)
    make_notification(member, n=3, read_at=timezone.now())
    make_notification(outsider, n=4)
    client.force_login(member)

    response = client.get(BELL)

    assert response.status_code == 200
    assert response.context["unread_notifications"] == 2
    assert '<span class="badge" data-testid="unread-count">2</span>' in response.text
    assert 'hx-trigger="every 60s' in response.text
    assert f'hx-get="{BELL}"' in response.text
    assert 'hx-swap="outerHTML"' in response.text
    assert f'href="{LIST}"' in response.text


def test_the_bell_hides_the_badge_when_nothing_is_unread(client, member):
    make_notification(member, read_at=timezone.now())
    client.force_login(member)

    response = client.get(BELL)

    assert '<span class="badge" data-testid="unread-count" hidden>0</span>' in response.text


def test_every_page_shows_the_bell_with_the_count(client, member):
    make_notification(member)
    client.force_login(member)

    response = client.get(reverse("projects:project_list"))

    assert 'data-testid="notification-bell"' in response.text
    assert '<span class="badge" data-testid="unread-count">1</span>' in response.text
    assert SETTINGS in response.text  # the user menu links to the settings


def test_the_unread_count_is_only_counted_when_used(member):
    request = RequestFactory().get("/")
    request.user = member
    make_notification(member)

    with CaptureQueriesContext(connection) as context:
        count = notifications_context(request)["unread_notifications"]
    assert context.captured_queries == []

    with CaptureQueriesContext(connection) as context:
        assert count() == 1
        assert count() == 1
    assert len(context.captured_queries) == 1


def test_mark_read_affects_only_ones_own(client, member, outsider):
    mine = make_notification(member, n=1)
    also_mine = make_notification(member, n=2)
    theirs = make_notification(outsider, n=3)
    client.force_login(member)

    response = client.post(MARK_READ, {"ids": [mine.pk, theirs.pk]})

    assert response.status_code == 302
    assert response.url == LIST
    assert Notification.objects.filter(read_at__isnull=False).get() == mine
    assert unread_count(member) == 1
    also_mine.refresh_from_db()
    theirs.refresh_from_db()
    assert also_mine.read_at is None
    assert theirs.read_at is None


def test_mark_all_read_affects_only_ones_own(client, member, outsider):
    for n in range(3):
        make_notification(member, n=n)
    theirs = make_notification(outsider, n=10)
    client.force_login(member)

    response = client.post(MARK_READ, {"all": "1", "page": "2"})

    assert response.status_code == 302
    assert response.url == f"{LIST}?page=2"
    assert unread_count(member) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_answers_htmx_with_the_fragment_and_tells_the_bell(client, member):
    notification = make_notification(member)
    client.force_login(member)

    response = client.post(MARK_READ, {"ids": [notification.pk]}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'id="notification-items"' in response.text
    assert "<html" not in response.text
    assert response.headers["HX-Trigger"] == '{"notifications-read": {}}'
    assert unread_count(member) == 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"ids": "abc"},
        {"ids": ""},
        {"ids": "1.5"},
        {"ids": "-1"},
        {"ids": "0"},
        {"ids": "99999999999999999999999999"},
        {"ids": [str(n) for n in range(1, 200)]},
        {"all": "yes"},
    ],
    ids=["nothing", "word", "empty", "decimal", "negative", "zero", "huge", "too-many", "all-yes"],
)
def test_bad_input_to_mark_read_is_a_bad_request(client, member, data):
    notification = make_notification(member)
    client.force_login(member)

    response = client.post(MARK_READ, data)

    assert response.status_code == 400
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_takes_only_post(client, member):
    client.force_login(member)

    assert client.get(MARK_READ, {"all": "1"}).status_code == 405


def test_mark_read_requires_the_csrf_token(member):
    make_notification(member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(MARK_READ, {"all": "1"})

    assert response.status_code == 403
    assert unread_count(member) == 1


def test_the_settings_page_starts_from_the_current_preferences(client, member):
    NotificationSetting.objects.create(user=member, kind=K.MENTIONED, by_email=False)
    client.force_login(member)

    response = client.get(SETTINGS)

    assert response.status_code == 200
    initial = {name: response.context["form"][name].value() for name in K.values}
    assert initial == {
        K.TASK_ASSIGNED: True,
        K.MENTIONED: False,
        K.TASK_OVERDUE: True,
        K.TASK_BLOCKED: True,
        K.STAGE_CHANGED: False,
        K.REVIEW_REMINDER: True,
        K.REVIEW_OVERDUE: True,
        K.ESCALATED: True,
        K.RISK_SERIOUS: True,
        K.PROJECT_STUCK: True,
        K.APPROVAL_REQUESTED: True,
        K.APPROVAL_GRANTED: True,
        K.APPROVAL_REJECTED: True,
    }
    assert reverse("collaboration:notification_settings") in client.get(LIST).text


def test_the_settings_page_saves_the_preferences(client, member, outsider):
    client.force_login(member)

    response = client.post(SETTINGS, {K.MENTIONED: "on", K.STAGE_CHANGED: "on"})

    assert response.status_code == 302
    assert email_preferences(member) == {
        K.TASK_ASSIGNED: False,
        K.MENTIONED: True,
        K.TASK_OVERDUE: False,
        K.TASK_BLOCKED: False,
        K.STAGE_CHANGED: True,
        K.REVIEW_REMINDER: False,
        K.REVIEW_OVERDUE: False,
        K.ESCALATED: False,
        K.RISK_SERIOUS: False,
        K.PROJECT_STUCK: False,
        K.APPROVAL_REQUESTED: False,
        K.APPROVAL_GRANTED: False,
        K.APPROVAL_REJECTED: False,
    }
    assert not NotificationSetting.objects.filter(user=outsider).exists()


def test_unchecking_every_box_switches_every_email_off(client, member):
    client.force_login(member)

    client.post(SETTINGS, {})

    assert set(email_preferences(member).values()) == {False}
