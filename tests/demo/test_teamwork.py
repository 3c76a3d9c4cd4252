"""The demo's team work (`demo.teamwork`) after `seed_demo`: teams with the iron triangle,
tasks over the stages each project has passed, comments with mentions, interactions with the
customer, and the feed and notifications the services wrote for them.

The demo is seeded once for the session and put back for this module, in a transaction rolled
back at its end (tests/seeded_demo.py); each test runs in a savepoint within it.
"""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from collaboration.models import (
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    Notification,
    NotificationKind,
    Task,
    TaskStatus,
)
from collaboration.notifications import email_preferences
from collaboration.services import dependency_creates_cycle
from demo.people import DEMO_USERS
from projects.models import IRON_TRIANGLE, Project, ProjectMembership, Stage, TeamRole

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

MEMBERS = [spec.username for spec in DEMO_USERS if spec.username.startswith("member")]


def active_team() -> dict[int, dict[int, ProjectMembership]]:
    """Project id → user id → their active membership."""
    team: dict[int, dict[int, ProjectMembership]] = defaultdict(dict)
    active = ProjectMembership.objects.filter(left_on__isnull=True).select_related("department")
    for membership in active:
        team[membership.project_id][membership.user_id] = membership
    return team


def test_every_project_has_the_iron_triangle_of_different_people_with_departments():
    team = active_team()

    for project in Project.objects.all():
        leads = {m.role: m for m in team[project.pk].values() if m.role in IRON_TRIANGLE}
        assert set(leads) == set(IRON_TRIANGLE), project.name
        assert len({m.user_id for m in leads.values()}) == 3
        assert {m.department.code for m in leads.values()} == {"sales", "solution", "delivery"}
        assert all(m.responsibilities for m in leads.values())


def test_teams_add_one_to_three_members_from_other_departments_and_sometimes_an_observer():
    team = active_team()
    observed = 0

    for project in Project.objects.all():
        roles = Counter(m.role for m in team[project.pk].values())
        assert 1 <= roles[TeamRole.MEMBER] <= 3, project.name
        assert roles[TeamRole.OWNER] == 1
        observed += bool(roles[TeamRole.OBSERVER])
    assert 0 < observed < Project.objects.count()


def test_every_project_has_5_to_30_tasks_and_at_least_one_milestone():
    counts = Counter(Task.objects.values_list("project", flat=True))
    milestones = Counter(Task.objects.filter(is_milestone=True).values_list("project", flat=True))

    for project in Project.objects.all():
        assert 5 <= counts[project.pk] <= 30, project.name
        assert milestones[project.pk] >= 1, project.name


def test_tasks_stay_in_the_stages_each_project_has_reached_or_the_next_one():
    reached = defaultdict(lambda: {Stage.INITIATION})
    for project, stage in Project.objects.values_list("pk", "transitions__to_stage"):
        reached[project].add(stage)
    stage_of = dict(Project.objects.values_list("pk", "stage"))

    for task in Task.objects.exclude(status=TaskStatus.TODO):
        assert task.stage in reached[task.project_id], task.title
    for project, stage in stage_of.items():
        assert not Task.objects.filter(project=project, stage=Stage.CLOSED).exists()
        if stage == Stage.CLOSED:
            assert not Task.objects.filter(project=project).open().exists()


def test_some_tasks_are_overdue_and_some_blocked_with_a_reason_in_open_projects():
    today = timezone.localdate()
    overdue = Task.objects.overdue(today).exclude(project__stage=Stage.CLOSED)
    blocked = Task.objects.filter(status=TaskStatus.BLOCKED)

    assert overdue.values("project").distinct().count() >= 10
    assert blocked.count() >= 10
    assert not blocked.filter(blocked_reason="").exists()
    assert overdue.count() < Task.objects.open().count()  # some open work is on time


def test_every_task_is_assigned_to_an_active_non_observer_in_their_own_department():
    team = active_team()

    for task in Task.objects.select_related("assignee"):
        membership = team[task.project_id].get(task.assignee_id)
        assert membership is not None, task.title
        assert membership.role != TeamRole.OBSERVER
        assert task.department_id == task.assignee.department_id == membership.department_id


def test_dates_are_consistent_and_finished_work_lies_in_the_past():
    today = timezone.localdate()
    tasks = Task.objects.all()

    assert not tasks.filter(start_date__isnull=True).exists()
    assert not tasks.filter(due_date__isnull=True).exists()
    done = tasks.filter(status=TaskStatus.DONE)
    assert not done.filter(due_date__gt=today).exists()
    assert not done.filter(completed_at__isnull=True).exists()
    assert not done.filter(completed_at__gt=timezone.now()).exists()
    for milestone in tasks.filter(is_milestone=True):
        assert milestone.start_date == milestone.due_date
    for task in tasks.select_related("project"):
        assert task.start_date >= timezone.localtime(task.project.created_at).date()


def test_dependencies_stay_in_the_project_form_no_cycle_and_finished_work_waits_for_none():
    edges = Task.dependencies.through.objects.select_related("from_task", "to_task")

    assert edges.count() >= 50
    for edge in edges:
        assert edge.from_task.project_id == edge.to_task.project_id
        if edge.from_task.status == TaskStatus.DONE:
            assert edge.to_task.status == TaskStatus.DONE
    for task in Task.objects.filter(dependencies__isnull=False).distinct():
        assert not dependency_creates_cycle(task=task, dependencies=task.dependencies.all())


def test_comments_in_both_languages_mention_members_of_the_team():
    team = active_team()
    mentioned = Comment.objects.filter(mentions__isnull=False).distinct()

    assert Comment.objects.values("project").distinct().count() == Project.objects.count()
    assert Comment.objects.filter(task__isnull=False).exists()
    assert mentioned.count() >= 50
    for comment in mentioned.prefetch_related("mentions"):
        for user in comment.mentions.all():
            assert f"@{user.username}" in comment.body
            assert user.pk in team[comment.project_id]
    bodies = " ".join(Comment.objects.values_list("body", flat=True))
    assert "客户" in bodies and "customer" in bodies


def test_most_projects_log_past_interactions_with_the_customers_contacts():
    interactions = Interaction.objects.select_related("contact", "project")

    assert interactions.values("project").distinct().count() >= 0.7 * Project.objects.count()
    assert {i.kind for i in interactions} == {"call", "meeting", "email", "visit"}
    for interaction in interactions:
        assert interaction.customer_id == interaction.project.customer_id
        assert interaction.contact.customer_id == interaction.customer_id
        assert interaction.occurred_on <= timezone.localdate()
        assert interaction.occurred_on >= timezone.localtime(interaction.project.created_at).date()


def test_every_demo_member_has_tasks_in_several_projects_and_member_overdue_ones():
    today = timezone.localdate()

    for username in MEMBERS:
        tasks = Task.objects.filter(assignee__username=username)
        assert tasks.values("project").distinct().count() >= 5, username
        assert tasks.open().exists(), username
    overdue = Task.objects.overdue(today).filter(assignee__username="member")
    assert overdue.values("project").distinct().count() >= 3


def test_the_feed_and_notifications_come_from_the_services():
    verbs = set(Activity.objects.values_list("verb", flat=True))
    kinds = set(Notification.objects.values_list("kind", flat=True))
    now = timezone.now()

    assert {
        ActivityVerb.MEMBER_ADDED,
        ActivityVerb.TASK_CREATED,
        ActivityVerb.TASK_ASSIGNED,
        ActivityVerb.TASK_STATUS,
        ActivityVerb.COMMENTED,
        ActivityVerb.INTERACTION,
        ActivityVerb.STAGE_CHANGED,
    } <= verbs
    assert set(NotificationKind.values) <= kinds
    created = Activity.objects.filter(verb=ActivityVerb.TASK_CREATED).values("task")
    # Only the tasks turned from strategy actions (one step of `projects.services`) have none.
    assert not Task.objects.filter(strategy__isnull=True).exclude(pk__in=created).exists()
    assert not Activity.objects.filter(created_at__gt=now).exists()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    # Spread over the past like the projects' history, not all written "now".
    oldest = Activity.objects.order_by("created_at").first().created_at
    assert now - oldest > datetime.timedelta(days=30)


def test_demo_people_read_older_notifications_and_get_no_email():
    unread = Notification.objects.filter(read_at__isnull=True)

    assert 0 < unread.count() < Notification.objects.count() / 2
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    for user in User.objects.filter(username__in=[spec.username for spec in DEMO_USERS]):
        assert not any(email_preferences(user).values()), user.username


def test_seeding_again_adds_no_team_work():
    def counts():
        return [
            model.objects.count()
            for model in (ProjectMembership, Task, Comment, Interaction, Activity, Notification)
        ]

    before = counts()

    call_command("seed_demo", stdout=StringIO())

    assert counts() == before
