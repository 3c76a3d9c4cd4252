"""The daily KPI rollup on a crafted portfolio where every figure is known by hand."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collaboration.models import TaskStatus
from insights.kpis import kpi_rollup_days, project_snapshots_rollup, reason_text
from insights.models import Health, ProjectSnapshot
from projects.models import Project, ReviewCadence, Stage, StageTransition, TransitionKind
from tests.factories import (
    GoalFactory,
    ProjectFactory,
    ResourceAllocationFactory,
    ReviewMeetingFactory,
    RiskFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


def ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def crafted(manager):
    """Project A with known figures; B with nothing wrong; C closed (not snapshotted)."""
    today = timezone.localdate()
    a = ProjectFactory(
        owner=manager,
        stage=Stage.EXECUTION,
        estimated_value=Decimal("1000000.00"),
        review_cadence=ReviewCadence.WEEKLY,
    )
    GoalFactory(project=a, target=100, current_value=50)  # 50 %
    GoalFactory(project=a, target=200, current_value=300)  # met; counts 100 %
    TaskFactory(project=a, status=TaskStatus.DONE, due_date=today - datetime.timedelta(days=3))
    TaskFactory(
        project=a, status=TaskStatus.IN_PROGRESS, due_date=today - datetime.timedelta(days=1)
    )
    TaskFactory(project=a, status=TaskStatus.BLOCKED, due_date=today + datetime.timedelta(days=5))
    TaskFactory(project=a, status=TaskStatus.TODO, due_date=today + datetime.timedelta(days=9))
    ResourceAllocationFactory(project=a, kind="budget", planned_cost=1000, actual_cost=400)
    ResourceAllocationFactory(project=a, kind="people", planned_cost=500, actual_cost=100)
    RiskFactory(project=a, probability=5, impact=4)  # critical, open
    RiskFactory(project=a, probability=4, impact=4, status="closed")  # high, closed: not counted
    RiskFactory(project=a, probability=1, impact=2)  # low, open
    ReviewMeetingFactory(
        project=a,
        scheduled_for=ago(10),
        held_at=ago(10) + datetime.timedelta(hours=2),
        decision="continue",
    )  # on time
    ReviewMeetingFactory(
        project=a, scheduled_for=ago(20), held_at=ago(17), decision="continue"
    )  # late
    ReviewMeetingFactory(project=a, scheduled_for=ago(1))  # overdue: due, not held
    ReviewMeetingFactory(project=a, scheduled_for=ago(-3))  # ahead: not due yet
    for to_stage in (Stage.STRATEGY, Stage.STRATEGY, Stage.EXECUTION):
        StageTransition.objects.create(
            project=a,
            from_stage=Stage.MONITORING,
            to_stage=to_stage,
            kind=TransitionKind.LOOP,
            actor=manager,
        )
    b = ProjectFactory(owner=manager, stage=Stage.STRATEGY, estimated_value=None)
    c = ProjectFactory(owner=manager, stage=Stage.CLOSED)
    return a, b, c


def test_the_rollup_counts_what_is_known_by_hand(crafted):
    a, b, c = crafted

    assert project_snapshots_rollup().written == 2

    snap = ProjectSnapshot.objects.get(project=a)
    assert snap.day == timezone.localdate() and snap.stage == Stage.EXECUTION
    assert snap.weighted_value == Decimal("600000.00")  # execution: 60 % win probability
    assert (snap.goals_total, snap.goals_met, snap.goal_attainment) == (2, 1, 75)
    assert (snap.tasks_total, snap.tasks_done, snap.tasks_overdue, snap.tasks_blocked) == (
        4,
        1,
        1,
        1,
    )
    assert (snap.budget_planned, snap.budget_actual) == (Decimal(1500), Decimal(500))
    assert snap.risks_open == {"critical": 1, "low": 1}
    assert (snap.reviews_due, snap.reviews_on_time) == (3, 1)
    assert snap.loops == 2
    assert snap.health == Health.RED
    assert {r["code"]: r["health"] for r in snap.health_reasons} == {
        "tasks_overdue": "amber",
        "risk_critical": "red",
    }
    green = ProjectSnapshot.objects.get(project=b)
    assert (green.health, green.health_reasons, green.weighted_value) == ("green", [], None)
    assert not ProjectSnapshot.objects.filter(project=c).exists()


def test_rerunning_a_day_replaces_it(crafted):
    a, _, _ = crafted
    project_snapshots_rollup()
    a.tasks.filter(status=TaskStatus.IN_PROGRESS).update(status=TaskStatus.DONE, progress=100)

    assert project_snapshots_rollup().written == 2

    assert ProjectSnapshot.objects.count() == 2
    snap = ProjectSnapshot.objects.get(project=a)
    assert (snap.tasks_done, snap.tasks_overdue) == (2, 0)
    assert [r["code"] for r in snap.health_reasons] == ["risk_critical"]


def test_the_rollup_costs_the_same_queries_for_two_or_twenty_projects(crafted, manager):
    with CaptureQueriesContext(connection) as few:
        project_snapshots_rollup()
    for _ in range(18):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        TaskFactory(project=project)
        GoalFactory(project=project)
        RiskFactory(project=project)
    with CaptureQueriesContext(connection) as many:
        assert project_snapshots_rollup().written == 20
    assert len(many) == len(few)


def test_one_failing_day_does_not_stop_the_others(crafted):
    today = timezone.localdate()
    results = kpi_rollup_days([today - datetime.timedelta(days=1), "2026-02-30", today])
    assert isinstance(results["2026-02-30"], Exception)
    assert results[today] == 2
    assert ProjectSnapshot.objects.filter(day=today).count() == 2


@pytest.mark.parametrize(
    ("days", "health"), [(10, Health.GREEN), (61, Health.AMBER), (121, Health.RED)]
)
def test_days_in_stage_against_the_norm(manager, days, health):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)  # norm 60 days
    Project.objects.filter(pk=project.pk).update(stage_entered_at=ago(days), created_at=ago(days))
    project_snapshots_rollup()
    assert ProjectSnapshot.objects.get(project=project).health == health


def test_no_review_for_two_cadences_is_amber(manager):
    project = ProjectFactory(
        owner=manager, stage=Stage.MONITORING, review_cadence=ReviewCadence.WEEKLY
    )
    Project.objects.filter(pk=project.pk).update(stage_entered_at=ago(13))
    ReviewMeetingFactory(
        project=project, scheduled_for=ago(15), held_at=ago(15), decision="continue"
    )
    project_snapshots_rollup()
    snap = ProjectSnapshot.objects.get(project=project)
    assert snap.health == Health.AMBER
    assert [r["code"] for r in snap.health_reasons] == ["review_gap"]


def test_goals_behind_the_time_elapsed(manager):
    # Half the time to the expected close has gone; the goals are at 10 %: 40 points behind.
    project = ProjectFactory(
        owner=manager,
        stage=Stage.EXECUTION,
        expected_close_date=timezone.localdate() + datetime.timedelta(days=50),
    )
    Project.objects.filter(pk=project.pk).update(created_at=ago(50), stage_entered_at=ago(1))
    GoalFactory(project=project, target=100, current_value=10)
    project_snapshots_rollup()
    snap = ProjectSnapshot.objects.get(project=project)
    assert snap.health == Health.RED
    [reason] = snap.health_reasons
    assert reason["code"] == "goals_behind" and reason["value"] == 40


def test_reasons_read_as_sentences():
    from django.utils import translation

    with translation.override("en"):
        assert reason_text({"code": "tasks_overdue", "value": 3}) == "3 tasks overdue"


def test_the_worker_rolls_up(celery_worker, tasks_finished, manager):
    ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    from insights.models import PortfolioSnapshot
    from insights.tasks import kpis_rollup

    tasks_finished(kpis_rollup.delay())
    assert PortfolioSnapshot.objects.filter(dimension="overall").count() == 1


# --- the portfolio ------------------------------------------------------------------------------
@pytest.fixture
def closed_book(manager, director):
    """Closed projects with known outcomes, dates, goals and reasons (closed_on relative to
    today): won 3 (one missed a goal, one closed 200 days ago), lost 2, cancelled 1."""
    from tests.factories import ClosureReportFactory, CustomerFactory

    today = timezone.localdate()
    energy = CustomerFactory(industry="energy", region="east")
    retail = CustomerFactory(industry="retail", region="south")

    def closed(customer, outcome, days_ago, *, goal_met=True, reason=""):
        project = ProjectFactory(
            owner=manager, customer=customer, stage=Stage.CLOSED, outcome=outcome
        )
        Project.objects.filter(pk=project.pk).update(created_at=ago(days_ago + 40))
        GoalFactory(project=project, target=100, current_value=100 if goal_met else 60)
        ClosureReportFactory(
            project=project,
            outcome=outcome,
            reason_category=reason,
            closed_on=today - datetime.timedelta(days=days_ago),
        )
        return project

    closed(energy, "won", 10, reason="solution_fit")
    closed(energy, "won", 30, goal_met=False, reason="solution_fit")
    closed(retail, "won", 200, reason="relationship")
    closed(energy, "lost", 20, reason="price")
    closed(retail, "lost", 300, reason="competitor")
    closed(retail, "cancelled", 5, reason="budget")
    closed(retail, "won", 400)  # outside both windows
    return energy, retail


def test_the_portfolio_rates_are_known_by_hand(crafted, closed_book):
    from insights.kpis import portfolio_rollup
    from insights.models import PortfolioSnapshot

    project_snapshots_rollup()
    portfolio_rollup()

    overall = PortfolioSnapshot.objects.get(dimension="overall", key="")
    assert (overall.won_90, overall.lost_90, overall.cancelled_90) == (2, 1, 1)
    assert (overall.won_365, overall.lost_365, overall.cancelled_365) == (3, 2, 1)
    assert overall.success_rate_90 == 66.7  # 2 / (2 + 1)
    assert overall.success_rate_365 == 60.0  # 3 / (3 + 2): the method's benchmark
    assert overall.goal_success_rate_365 == 40.0  # 2 won with every goal met / 5
    assert overall.reasons == {
        "won": {"solution_fit": 2, "relationship": 1},
        "lost": {"price": 1, "competitor": 1},
        "cancelled": {"budget": 1},
    }
    assert overall.avg_cycle_days == 40.0
    # The open pipeline: A (execution, 1,000,000 → 600,000 weighted) and B (strategy, no value).
    assert overall.open_projects == 2
    assert overall.pipeline_value == Decimal("1000000.00")
    assert overall.weighted_forecast == Decimal("600000.00")
    assert overall.by_stage["execution"]["count"] == 1
    assert (overall.reviews_due, overall.reviews_on_time) == (3, 1)
    assert overall.review_compliance == 33.3
    assert overall.risks_open == {"critical": 1, "low": 1}
    assert overall.risk_cells == {"5-4": 1, "1-2": 1}  # the closed high risk is not counted
    # A's open tasks (the done one aside): three open, one overdue, whatever their departments.
    assert sum(cell["open"] for cell in overall.workload.values()) == 3
    assert sum(cell["overdue"] for cell in overall.workload.values()) == 1
    assert overall.by_stage["execution"]["loops"] == 2  # two loops back to strategy
    assert (
        overall.by_stage["execution"]["days"]
        == ProjectSnapshot.objects.get(project__stage=Stage.EXECUTION).days_in_stage
    )

    energy = PortfolioSnapshot.objects.get(dimension="industry", key="energy")
    assert (energy.won_90, energy.lost_90, energy.success_rate_90) == (2, 1, 66.7)
    retail = PortfolioSnapshot.objects.get(dimension="region", key="south")
    assert (retail.won_365, retail.lost_365, retail.cancelled_90) == (1, 1, 1)


def test_the_portfolio_rollup_is_idempotent_and_costs_fixed_queries(crafted, closed_book, manager):
    from insights.kpis import portfolio_rollup
    from insights.models import PortfolioSnapshot

    project_snapshots_rollup()
    with CaptureQueriesContext(connection) as first:
        count = portfolio_rollup()
    assert portfolio_rollup() == count
    assert PortfolioSnapshot.objects.count() == count
    for _ in range(10):
        ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    project_snapshots_rollup()
    with CaptureQueriesContext(connection) as again:
        portfolio_rollup()
    assert len(again) == len(first)


def test_average_days_per_stage_come_from_the_stage_history(manager, director):
    """P: 10 days in initiation, 10 in goal setting, 20 in resources (left by a director's
    approval, which is a move like any advance); Q: 20 days in initiation; R's stay ended 400
    days ago, outside the year."""
    from insights.kpis import portfolio_rollup
    from insights.models import PortfolioSnapshot
    from tests.factories import CustomerFactory

    def moves(project, created_days_ago, *steps):
        Project.objects.filter(pk=project.pk).update(created_at=ago(created_days_ago))
        for from_stage, to_stage, days_ago, kind in steps:
            move = StageTransition.objects.create(
                project=project, from_stage=from_stage, to_stage=to_stage, kind=kind, actor=manager
            )
            StageTransition.objects.filter(pk=move.pk).update(created_at=ago(days_ago))

    advance, approval = TransitionKind.ADVANCE, TransitionKind.APPROVAL
    p = ProjectFactory(owner=manager, stage=Stage.STRATEGY, customer=CustomerFactory(region="east"))
    moves(
        p,
        50,
        (Stage.INITIATION, Stage.GOAL_SETTING, 40, advance),
        (Stage.GOAL_SETTING, Stage.RESOURCE_ALLOCATION, 30, advance),
        (Stage.RESOURCE_ALLOCATION, Stage.STRATEGY, 10, approval),
    )
    q = ProjectFactory(
        owner=director, stage=Stage.GOAL_SETTING, customer=CustomerFactory(region="west")
    )
    moves(q, 30, (Stage.INITIATION, Stage.GOAL_SETTING, 10, advance))
    r = ProjectFactory(owner=manager, stage=Stage.GOAL_SETTING)
    moves(r, 500, (Stage.INITIATION, Stage.GOAL_SETTING, 400, advance))

    portfolio_rollup()

    overall = PortfolioSnapshot.objects.get(dimension="overall", key="")
    assert overall.stage_days == {
        "initiation": {"days": 15.0, "count": 2},
        "goal_setting": {"days": 10.0, "count": 1},
        "resource_allocation": {"days": 20.0, "count": 1},
    }
    east = PortfolioSnapshot.objects.get(dimension="region", key="east")
    assert east.stage_days["initiation"] == {"days": 10.0, "count": 1}
    west = PortfolioSnapshot.objects.get(dimension="region", key="west")
    assert west.stage_days == {"initiation": {"days": 20.0, "count": 1}}
