"""Build the state in which a stage's gate is met, and break one criterion of it at a time.

`fill_gate(project, stage)` creates exactly what the exit criteria of `stage` ask for, nothing
of the other stages, so a test can put a project in any stage with its gate met. The fields
the initiation gate reads on the project itself (customer, background, value, close date) are
already filled by `ProjectFactory`; the execution gate's review cadence is a project field too,
which `fill_gate` sets.

`BREAKERS` maps each criterion code to a function that undoes exactly that part of the filled
state in the database, together with every criterion code that is unmet afterwards (some
criteria depend on others: without any goal, no goal can be SMART either).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from collaboration.models import TaskStatus
from monitoring.models import ReviewDecision
from projects.models import (
    IRON_TRIANGLE,
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    Project,
    ResourceKind,
    ReviewCadence,
    Stage,
    StrategyStatus,
    TeamRole,
)
from tests.factories import (
    ClosureReportFactory,
    FeasibilityFactory,
    GoalFactory,
    LessonFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    ReviewMeetingFactory,
    StrategyFactory,
    TaskFactory,
)


def _fill_initiation(project: Project) -> None:
    FeasibilityFactory(project=project, decision=FeasibilityDecision.GO)


def _fill_goal_setting(project: Project) -> None:
    GoalFactory(project=project, metric=GoalMetric.REVENUE)


def _fill_resource_allocation(project: Project) -> None:
    for role in IRON_TRIANGLE:
        ProjectMembershipFactory(project=project, role=role)
    ResourceAllocationFactory(project=project, kind=ResourceKind.PEOPLE, description="Pre-sales")
    ResourceAllocationFactory(
        project=project, kind=ResourceKind.BUDGET, description="Pilot", planned_cost=20_000
    )


def _fill_strategy(project: Project) -> None:
    strategy = StrategyFactory(project=project)
    TaskFactory(project=project, strategy=strategy, title=strategy.action_list[0])


def _fill_execution(project: Project) -> None:
    TaskFactory(project=project, status=TaskStatus.IN_PROGRESS)
    Project.objects.filter(pk=project.pk).update(review_cadence=ReviewCadence.WEEKLY)
    project.review_cadence = ReviewCadence.WEEKLY
    ReviewMeetingFactory(project=project)


def _fill_monitoring(project: Project) -> None:
    held = timezone.now() - datetime.timedelta(days=1)
    ReviewMeetingFactory(
        project=project, scheduled_for=held, held_at=held, decision=ReviewDecision.CLOSE
    )


def _fill_closure(project: Project) -> None:
    ClosureReportFactory(project=project, outcome=Outcome.WON, actual_value=480_000)
    LessonFactory(project=project, stage=Stage.CLOSURE)


_FILLERS: dict[Stage, Callable[[Project], None]] = {
    Stage.INITIATION: _fill_initiation,
    Stage.GOAL_SETTING: _fill_goal_setting,
    Stage.RESOURCE_ALLOCATION: _fill_resource_allocation,
    Stage.STRATEGY: _fill_strategy,
    Stage.EXECUTION: _fill_execution,
    Stage.MONITORING: _fill_monitoring,
    Stage.CLOSURE: _fill_closure,
    Stage.CLOSED: lambda project: None,  # no gate: nothing follows closed
}


def fill_gate(project: Project, stage: Stage | str) -> Project:
    """Create the records that meet the gate of `stage` on `project`; returns the project."""
    _FILLERS[Stage(stage)](project)
    return project


# --- breaking one criterion -----------------------------------------------------------------
@dataclass(frozen=True)
class Breaker:
    stage: Stage
    code: str
    break_it: Callable[[Project], None]
    unmet_after: frozenset[str]


def _project_fields(**values):
    return lambda project: Project.objects.filter(pk=project.pk).update(**values)


def _drop_fulfilment_lead_department(project: Project) -> None:
    project.memberships.filter(role=TeamRole.FULFILMENT_LEAD).update(department=None)


def _unlink_strategy_tasks(project: Project) -> None:
    project.tasks.filter(strategy__isnull=False).update(strategy=None)


def _past_next_review(project: Project) -> None:
    project.reviews.filter(held_at__isnull=True).update(
        scheduled_for=timezone.now() - datetime.timedelta(hours=1)
    )


def _report(project: Project):
    return ClosureReport.objects.filter(project=project)


def _breaker(stage: Stage, code: str, break_it, *also_unmet: str) -> Breaker:
    return Breaker(stage, code, break_it, frozenset({code, *also_unmet}))


BREAKERS: dict[str, Breaker] = {
    b.code: b
    for b in [
        # customer_set is not here: the database never holds a project without a customer.
        _breaker(Stage.INITIATION, "background_written", _project_fields(background="   ")),
        _breaker(Stage.INITIATION, "value_and_close_date", _project_fields(estimated_value=None)),
        _breaker(
            Stage.INITIATION,
            "feasibility_go",
            lambda p: Feasibility.objects.filter(project=p).update(
                decision=FeasibilityDecision.PENDING
            ),
        ),
        _breaker(
            Stage.GOAL_SETTING,
            "has_goal",
            lambda p: p.goals.all().delete(),
            "goals_smart",
            "revenue_goal",
        ),
        _breaker(
            Stage.GOAL_SETTING,
            "goals_smart",
            lambda p: p.goals.update(deadline=timezone.localdate() - datetime.timedelta(days=1)),
        ),
        _breaker(
            Stage.GOAL_SETTING,
            "revenue_goal",
            lambda p: p.goals.update(metric=GoalMetric.MARKET_SHARE),
        ),
        _breaker(Stage.RESOURCE_ALLOCATION, "iron_triangle", _drop_fulfilment_lead_department),
        _breaker(
            Stage.RESOURCE_ALLOCATION,
            "people_allocated",
            lambda p: p.allocations.filter(kind=ResourceKind.PEOPLE).delete(),
        ),
        _breaker(
            Stage.RESOURCE_ALLOCATION,
            "budget_planned",
            lambda p: p.allocations.filter(kind=ResourceKind.BUDGET).update(planned_cost=0),
        ),
        _breaker(
            Stage.STRATEGY,
            "active_strategy",
            lambda p: p.strategies.update(status=StrategyStatus.SUPERSEDED),
            # The task stays, but it comes from a strategy that is no longer active.
            "action_as_task",
        ),
        _breaker(Stage.STRATEGY, "action_as_task", _unlink_strategy_tasks),
        _breaker(Stage.EXECUTION, "task_started", lambda p: p.tasks.update(status=TaskStatus.TODO)),
        _breaker(Stage.EXECUTION, "cadence_set", _project_fields(review_cadence="none")),
        _breaker(Stage.EXECUTION, "next_review_scheduled", _past_next_review),
        _breaker(
            Stage.MONITORING,
            "review_decided_close",
            lambda p: p.reviews.update(decision=ReviewDecision.CONTINUE),
        ),
        _breaker(Stage.CLOSURE, "outcome_recorded", lambda p: _report(p).update(outcome="")),
        _breaker(
            Stage.CLOSURE, "actual_value_if_won", lambda p: _report(p).update(actual_value=None)
        ),
        _breaker(Stage.CLOSURE, "went_well", lambda p: _report(p).update(went_well="  ")),
        _breaker(Stage.CLOSURE, "to_improve", lambda p: _report(p).update(to_improve="")),
        _breaker(Stage.CLOSURE, "lesson_recorded", lambda p: p.lessons.all().delete()),
    ]
}
