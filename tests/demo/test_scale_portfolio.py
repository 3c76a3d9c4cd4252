"""The portfolio `manage.py seed_scale` builds: in proportion to N, over every stage and outcome,
and read by the pages as real data. Seeded once for the module, in a transaction rolled back at
its end; each test runs in a savepoint within it."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from collaboration.models import Activity, Task, TaskStatus
from customers.models import Customer
from insights.models import PortfolioDimension, PortfolioSnapshot, ProjectSnapshot
from monitoring.models import ReviewMeeting, Risk
from projects.lifecycle import evaluate_gate
from projects.models import (
    OPEN_STAGES,
    ClosureReport,
    Lesson,
    Outcome,
    Project,
    ProjectCodeCounter,
    ProjectMembership,
    ReviewCadence,
    Stage,
    StageTransition,
    TransitionKind,
)
from tests.conftest import missing_service

pytestmark = pytest.mark.django_db

PROJECTS = 60


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> str:
    """What the command printed, with the portfolio in the database for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        if connection.vendor != "postgresql":
            missing_service("PostgreSQL")
        out = StringIO()
        call_command("seed_scale", projects=PROJECTS, seed=7, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_it_creates_everything_in_proportion_to_the_projects(seeded):
    assert Project.objects.count() == PROJECTS
    assert Task.objects.count() == 10 * PROJECTS
    assert ReviewMeeting.objects.count() == 2 * PROJECTS
    assert Risk.objects.count() == 3 * PROJECTS
    assert Customer.objects.count() == 12  # the minimum that covers industries and regions
    assert User.objects.count() == 24
    assert f"tasks {10 * PROJECTS:,}" in " ".join(seeded.split())  # the summary


def test_every_role_has_people_and_every_department_members(seeded):
    roles = Counter(User.objects.values_list("groups__name", flat=True))
    departments = set(
        User.objects.filter(groups__name=Role.MEMBER).values_list("department__code", flat=True)
    )

    assert roles == {Role.DIRECTOR: 1, Role.SALES_MANAGER: 4, Role.MEMBER: 19}
    assert len(departments) == 8


def test_every_stage_and_outcome_is_present(seeded):
    stages = set(Project.objects.values_list("stage", flat=True))
    outcomes = set(Project.objects.filter(stage=Stage.CLOSED).values_list("outcome", flat=True))
    kinds = set(StageTransition.objects.values_list("kind", flat=True))

    assert stages == set(Stage.values)
    assert outcomes == set(Outcome.values)
    assert {TransitionKind.ADVANCE, TransitionKind.LOOP, TransitionKind.ABORT} <= kinds


def test_stage_history_leads_from_initiation_to_each_projects_stage(seeded):
    for project in Project.objects.prefetch_related("transitions"):
        stage, entered = Stage.INITIATION, project.created_at
        for transition in project.transitions.all():
            assert transition.from_stage == stage
            assert transition.created_at > entered
            stage, entered = transition.to_stage, transition.created_at
        assert (stage, entered) == (project.stage, project.stage_entered_at)


def test_closed_projects_have_a_complete_closure_report_and_a_lesson(seeded):
    closed = Project.objects.filter(stage=Stage.CLOSED)
    reports = ClosureReport.objects.filter(project__in=closed)

    assert reports.count() == closed.count()
    for report in reports.select_related("project"):
        assert report.outcome == report.project.outcome
        assert report.closed_on and report.reason_category and report.went_well
        assert report.outcome != Outcome.WON or report.actual_value is not None
    assert set(Lesson.objects.values_list("project", flat=True)) >= set(
        closed.values_list("pk", flat=True)
    )


def test_people_work_on_projects_whose_team_they_are_on(seeded):
    team = set(ProjectMembership.objects.values_list("project", "user"))
    owners = set(Project.objects.values_list("pk", "owner"))

    assert set(Task.objects.values_list("project", "assignee")) <= team
    assert set(Risk.objects.values_list("project", "owner")) <= team
    assert owners <= team


def test_each_open_stage_has_projects_that_meet_its_gate_and_projects_that_do_not(seeded):
    gates = Counter(
        (project.stage, evaluate_gate(project).can_advance)
        for project in Project.objects.exclude(stage=Stage.CLOSED)
    )

    for stage in OPEN_STAGES:
        assert gates[stage, True] and gates[stage, False], stage


def test_projects_reviewed_on_a_cadence_have_one_review_waiting_some_overdue(seeded):
    reviewed = Project.objects.filter(stage__in=[Stage.EXECUTION, Stage.MONITORING]).exclude(
        review_cadence=ReviewCadence.NONE
    )
    waiting = Counter(ReviewMeeting.objects.pending().values_list("project", flat=True).order_by())

    assert dict(waiting) == dict.fromkeys(reviewed.values_list("pk", flat=True), 1)
    assert ReviewMeeting.objects.upcoming().exists()
    assert ReviewMeeting.objects.overdue().exists()
    assert Task.objects.overdue().exists()
    assert Task.objects.filter(status=TaskStatus.BLOCKED).exists()


def test_nothing_is_recorded_in_the_future(seeded):
    now = timezone.now()
    for model, field in [
        (Project, "created_at"),
        (StageTransition, "created_at"),
        (Task, "created_at"),
        (Task, "completed_at"),
        (ReviewMeeting, "held_at"),
        (Risk, "updated_at"),
        (Activity, "created_at"),
    ]:
        assert model.objects.aggregate(last=Max(field))["last"] < now, (model, field)


def test_project_codes_are_unique_and_the_counter_is_past_them(seeded):
    codes = list(Project.objects.values_list("code", flat=True))
    last = dict(ProjectCodeCounter.objects.values_list("year", "last_number"))

    assert len(set(codes)) == len(codes)
    for code in codes:
        _sp, year, number = code.split("-")
        assert int(number) <= last[int(year)]


def test_kpi_snapshots_cover_a_year_and_todays_open_projects(seeded):
    today = timezone.localdate()
    days = list(
        PortfolioSnapshot.objects.filter(dimension=PortfolioDimension.OVERALL)
        .order_by("day")
        .values_list("day", flat=True)
    )
    dimensions = set(PortfolioSnapshot.objects.values_list("dimension", flat=True))

    assert days == [today - datetime.timedelta(days=n) for n in range(364, -1, -1)]
    assert dimensions == set(PortfolioDimension.values)
    assert set(ProjectSnapshot.objects.filter(day=today).values_list("project", flat=True)) == set(
        Project.objects.exclude(stage=Stage.CLOSED).values_list("pk", flat=True)
    )


# --- the pages read the data ---------------------------------------------------------------------
def showcase() -> Project:
    return Project.objects.annotate(n=Count("tasks")).order_by("-n").first()


def test_a_director_sees_the_portfolio_pages(seeded, client, director):
    client.force_login(director)
    closed = Project.objects.filter(stage=Stage.CLOSED).first()
    urls = [
        reverse("projects:project_list"),
        reverse("projects:project_list") + "?stage=execution",
        reverse("projects:project_board"),
        reverse("insights:dashboard"),
        reverse("monitoring:portfolio_risks"),
        reverse("monitoring:portfolio_reviews"),
        reverse("home"),
        *(
            reverse("projects:project_detail", args=[project.pk])
            for project in [showcase(), closed]
        ),
    ]

    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_a_director_sees_a_project_page_in_each_stage(seeded, client, director, stage):
    client.force_login(director)
    project = Project.objects.filter(stage=stage).first()

    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == 200


def test_the_seeded_manager_and_member_see_their_work(seeded, client):
    project = showcase()
    member = User.objects.get(username="member001")
    manager = User.objects.get(username="manager001")

    assert project.owner == manager
    assert project.memberships.filter(user=member).exists()
    for user in (manager, member):
        client.force_login(user)
        for url in [
            reverse("home"),
            reverse("collaboration:my_tasks"),
            reverse("collaboration:task_board", args=[project.pk]),
            reverse("collaboration:project_gantt", args=[project.pk]),
            reverse("collaboration:project_activity", args=[project.pk]),
        ]:
            assert client.get(url).status_code == 200, (user, url)
