"""The home page per role: a member's tasks, reviews and mentions; a manager's projects and
teams; a director's Recompute panel — never anything of a project the person cannot see."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboration.models import Notification, NotificationKind, TaskStatus
from insights.models import (
    Health,
    KpiRun,
    KpiRunStatus,
    PortfolioDimension,
    PortfolioSnapshot,
    ProjectSnapshot,
)
from projects.models import Stage
from tests.factories import ProjectFactory, ReviewMeetingFactory, TaskFactory

pytestmark = pytest.mark.django_db

HOME = "home"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def mention(user, project, n: int = 0) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.MENTIONED,
        event_key=f"mention-{project.pk}-{user.pk}-{n}",
        project=project,
        actor=project.owner,
    )


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    return response


def test_member_sees_open_tasks_overdue_first(client, project, team_member):
    TaskFactory(project=project, assignee=team_member, title="Later", due_date=days(5))
    TaskFactory(project=project, assignee=team_member, title="Late", due_date=days(-2))
    TaskFactory(project=project, assignee=team_member, title="Finished", status=TaskStatus.DONE)

    response = _home(client, team_member)

    titles = [task.title for task in response.context["member_home"].tasks]
    assert titles == ["Late", "Later"]
    assert reverse("collaboration:my_tasks") in response.text


def test_member_sees_upcoming_reviews_they_attend(client, project, team_member):
    attending = ReviewMeetingFactory(project=project)
    attending.attendees.add(team_member)
    ReviewMeetingFactory(project=project)  # not invited
    past = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(days=1)
    )
    past.attendees.add(team_member)

    response = _home(client, team_member)

    assert response.context["member_home"].reviews == [attending]
    assert attending.get_absolute_url() in response.text


def test_member_sees_mentions_only_on_projects_they_can_see(client, project, team_member):
    seen = mention(team_member, project)
    mention(team_member, ProjectFactory(), 1)  # left the project / never on it

    response = _home(client, team_member)

    assert response.context["member_home"].mentions == [seen]
    assert 'data-testid="home-mention"' in response.text


def test_member_has_no_manager_or_director_sections(client, member):
    response = _home(client, member)

    assert 'data-testid="home-my-projects"' not in response.text
    assert 'data-testid="kpi-recompute"' not in response.text


def test_manager_sees_own_projects_with_todays_health(client, manager, project):
    ProjectSnapshot.objects.create(
        project=project,
        day=timezone.localdate(),
        stage=Stage.EXECUTION,
        days_in_stage=3,
        health=Health.AMBER,
    )
    unknown = ProjectFactory(owner=manager, name="Fresh Lead")
    ProjectFactory(name="Someone else's")
    ProjectFactory(owner=manager, stage=Stage.CLOSED, name="Closed one")

    response = _home(client, manager)

    projects = response.context["manager_home"].projects
    assert {p.name for p in projects} == {project.name, unknown.name}
    by_name = {p.name: p for p in projects}
    assert by_name[project.name].snapshot_health == Health.AMBER
    assert by_name[unknown.name].snapshot_health is None
    assert "not computed yet" in response.text
    assert "Someone else" not in response.text


def test_manager_sees_pending_reviews_of_own_projects(client, manager, project):
    overdue = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(days=2)
    )
    upcoming = ReviewMeetingFactory(project=project)
    ReviewMeetingFactory()  # another manager's project

    reviews = _home(client, manager).context["manager_home"].reviews

    assert reviews == [overdue, upcoming]
    assert [r.is_overdue for r in reviews] == [True, False]


def test_manager_sees_overdue_tasks_of_own_projects(client, manager, project, team_member):
    late = TaskFactory(project=project, assignee=team_member, due_date=days(-3))
    TaskFactory(project=project, assignee=team_member, due_date=days(3))
    TaskFactory(project=project, due_date=days(-3), status=TaskStatus.DONE)
    TaskFactory(due_date=days(-3))  # another manager's project

    assert _home(client, manager).context["manager_home"].overdue_tasks == [late]


def test_manager_sees_own_success_rate_from_latest_day(client, manager):
    key = str(manager.pk)
    PortfolioSnapshot.objects.create(
        day=days(-1), dimension=PortfolioDimension.OWNER, key=key, won_365=1, lost_365=1
    )
    PortfolioSnapshot.objects.create(
        day=days(0), dimension=PortfolioDimension.OWNER, key=key, won_365=3, lost_365=1
    )

    response = _home(client, manager)

    assert response.context["manager_home"].portfolio.success_rate_365 == 75.0
    assert "75.0%" in response.text


def test_director_sees_recompute_panel_with_latest_run(client, director):
    KpiRun.objects.create(started_by=director, status=KpiRunStatus.RUNNING)

    response = _home(client, director)

    assert 'data-testid="kpi-recompute"' in response.text
    assert reverse("insights:kpi_recompute") in response.text
    assert 'hx-trigger="every 2s"' in response.text


def _count_home_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse(HOME))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(HOME))
    return len(queries)


def test_home_query_count_does_not_grow_with_rows(client, manager, member):
    counts = {}
    for rows in (1, 15):
        for _ in range(rows):
            project = ProjectFactory(owner=manager)
            TaskFactory(project=project, assignee=member, due_date=days(-1))
            ReviewMeetingFactory(project=project).attendees.add(member)
            ProjectSnapshot.objects.create(
                project=project,
                day=timezone.localdate(),
                stage=project.stage,
                days_in_stage=1,
                health=Health.GREEN,
            )
        counts[rows] = (_count_home_queries(client, manager), _count_home_queries(client, member))
    assert counts[1] == counts[15]


def test_the_what_will_appear_note_is_only_for_someone_with_nothing_yet(
    client, outsider, manager, director, project, team_member
):
    TaskFactory(project=project, assignee=team_member, due_date=days(3))

    assert 'data-testid="home-empty"' in _home(client, outsider).text
    for someone in (team_member, manager, director):
        assert 'data-testid="home-empty"' not in _home(client, someone).text, someone
