"""The gates of the cycle: each stage's exit criteria, in a registry that the apps fill.

Projects registers the criteria on what it owns (the project, its feasibility, goals,
resources, strategies, closure report and lessons) here; an app above it registers the ones on
its own records from its `AppConfig.ready` (collaboration: tasks; monitoring: reviews), so that
projects never imports them. Each criterion has a position: the checklist on the pages and the
API's `unmet` list follow it, whichever app registered first.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# The iron triangle's roles and the team are projects' own once memberships move here.
from .models import (
    IRON_TRIANGLE,
    NEXT_STAGE,
    OPEN_STAGES,
    ClosureReport,
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    Project,
    ProjectMembership,
    ReviewCadence,
    Stage,
    StrategyStatus,
)


class GateFacts:
    """What the gate criteria look at, each read from the database at most once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._memo: dict[str, Any] = {}

    def memo(self, name: str, compute: Callable[["GateFacts"], Any]) -> Any:
        """The fact `name` of another app's criteria: `compute(self)` the first time, then the
        same answer for the rest of this evaluation."""
        if name not in self._memo:
            self._memo[name] = compute(self)
        return self._memo[name]

    @cached_property
    def feasibility(self):
        return getattr(self.project, "feasibility", None)

    @cached_property
    def goals(self) -> list:
        return list(self.project.goals.all())

    @cached_property
    def allocations(self) -> list:
        return list(self.project.allocations.all())

    @cached_property
    def lead_roles_with_department(self) -> set[str]:
        return set(
            ProjectMembership.objects.active()
            .filter(project=self.project, department__isnull=False)
            .values_list("role", flat=True)
        )

    @cached_property
    def active_strategy_ids(self) -> list[int]:
        return list(
            self.project.strategies.filter(status=StrategyStatus.ACTIVE).values_list(
                "pk", flat=True
            )
        )

    @cached_property
    def closure_report(self) -> ClosureReport | None:
        return ClosureReport.objects.filter(project=self.project).first()

    @cached_property
    def has_lesson(self) -> bool:
        return self.project.lessons.exists()


@dataclass(frozen=True)
class Criterion:
    code: str
    label: Promise
    hint: Promise
    test: Callable[[GateFacts], bool]
    # Its place in the stage's checklist: the lower comes first.
    position: int
    # The app that registered it (register_criteria fills it in).
    app: str = ""


@dataclass(frozen=True)
class CriterionResult:
    code: str
    label: str
    met: bool
    hint: str

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "met": self.met, "hint": self.hint}


# Each gate is the list of exit criteria of its stage (DESIGN.md, "The lifecycle state machine"),
# in the order of their positions; Closed has none, it is the end.
GATES: dict[Stage, list[Criterion]] = {stage: [] for stage in OPEN_STAGES}


def register_criteria(app: str, criteria: Mapping[Stage, Iterable[Criterion]]) -> None:
    """Add `criteria` to the gates of their stages on behalf of `app` (from its
    AppConfig.ready); a code or a position already taken in a stage is a mistake."""
    for stage, stage_criteria in criteria.items():
        gate = GATES[stage]
        for criterion in stage_criteria:
            criterion = replace(criterion, app=app)
            if criterion in gate:
                continue  # registered again (ready() run twice): nothing changes
            for registered in gate:
                if criterion.code == registered.code or criterion.position == registered.position:
                    raise ImproperlyConfigured(
                        f"{app} registers {criterion.code} at position {criterion.position} of "
                        f"the {stage} gate, where {registered.app} registered {registered.code} "
                        f"at {registered.position}."
                    )
            gate.append(criterion)
        gate.sort(key=lambda c: c.position)


@dataclass(frozen=True)
class Gate:
    stage: Stage
    next_stage: Stage | None
    criteria: list[CriterionResult] = field(default_factory=list)

    @property
    def can_advance(self) -> bool:
        return self.next_stage is not None and all(c.met for c in self.criteria)

    @property
    def unmet(self) -> list[CriterionResult]:
        return [c for c in self.criteria if not c.met]

    def as_dict(self) -> dict:
        return {
            "stage": self.stage.value,
            "next_stage": self.next_stage.value if self.next_stage else None,
            "can_advance": self.can_advance,
            "criteria": [c.as_dict() for c in self.criteria],
        }


def evaluate_gate(project: Project) -> Gate:
    """The exit criteria of the project's current stage, each met or not, with hints."""
    stage = Stage(project.stage)
    facts = GateFacts(project)
    results = []
    for criterion in GATES.get(stage, []):
        met = bool(criterion.test(facts))
        results.append(
            CriterionResult(
                code=criterion.code,
                label=str(criterion.label),
                met=met,
                hint="" if met else str(criterion.hint),
            )
        )
    return Gate(stage=stage, next_stage=NEXT_STAGE.get(stage), criteria=results)


# --- projects' own criteria ---------------------------------------------------------------------
def _goal_is_smart(goal) -> bool:
    return bool(
        goal.metric
        and goal.target is not None
        and goal.target > 0
        and goal.unit.strip()
        and goal.deadline
        and goal.deadline >= timezone.localdate()
        and goal.owner_id
    )


def _report(facts: GateFacts):
    return facts.closure_report


# Positions go in tens, leaving room between them for the other apps' criteria.
_PROJECTS_CRITERIA: dict[Stage, list[Criterion]] = {
    Stage.INITIATION: [
        Criterion(
            "customer_set",
            gettext_lazy("Customer set"),
            gettext_lazy("Choose the customer this project sells to."),
            lambda f: bool(f.project.customer_id),
            position=10,
        ),
        Criterion(
            "background_written",
            gettext_lazy("Background and opportunity described"),
            gettext_lazy("Describe the background and the opportunity on the project."),
            lambda f: bool(f.project.background.strip()),
            position=20,
        ),
        Criterion(
            "value_and_close_date",
            gettext_lazy("Estimated contract value and expected close date"),
            gettext_lazy("Enter an estimated value above zero and an expected close date."),
            lambda f: bool(f.project.estimated_value and f.project.expected_close_date),
            position=30,
        ),
        Criterion(
            "feasibility_go",
            gettext_lazy("Feasibility assessed with a go decision"),
            gettext_lazy("Record the market research notes and decide go in the feasibility."),
            lambda f: bool(
                f.feasibility
                and f.feasibility.market_research.strip()
                and f.feasibility.decision == FeasibilityDecision.GO
            ),
            position=40,
        ),
    ],
    Stage.GOAL_SETTING: [
        Criterion(
            "has_goal",
            gettext_lazy("At least one goal"),
            gettext_lazy("Add a goal."),
            lambda f: bool(f.goals),
            position=10,
        ),
        Criterion(
            "goals_smart",
            gettext_lazy("Every goal is SMART"),
            gettext_lazy(
                "Give every goal a metric, a numeric target, a unit, an owner and a deadline "
                "that is not in the past."
            ),
            lambda f: bool(f.goals) and all(_goal_is_smart(goal) for goal in f.goals),
            position=20,
        ),
        Criterion(
            "revenue_goal",
            gettext_lazy("A revenue goal"),
            gettext_lazy("Add a goal with the metric Revenue."),
            lambda f: any(goal.metric == GoalMetric.REVENUE for goal in f.goals),
            position=30,
        ),
    ],
    Stage.RESOURCE_ALLOCATION: [
        Criterion(
            "iron_triangle",
            gettext_lazy("Iron triangle in place: account, solution and fulfilment leads"),
            gettext_lazy(
                "Add an account lead, a solution lead and a fulfilment lead to the team, each "
                "with a department."
            ),
            lambda f: set(IRON_TRIANGLE) <= f.lead_roles_with_department,
            position=10,
        ),
        Criterion(
            "people_allocated",
            gettext_lazy("People allocated"),
            gettext_lazy("Add at least one resource allocation of kind People."),
            lambda f: any(a.kind == "people" for a in f.allocations),
            position=20,
        ),
        Criterion(
            "budget_planned",
            gettext_lazy("Budget planned"),
            gettext_lazy("Add a Budget allocation with a planned cost above zero."),
            lambda f: any(a.kind == "budget" and a.planned_cost > 0 for a in f.allocations),
            position=30,
        ),
    ],
    Stage.STRATEGY: [
        Criterion(
            "active_strategy",
            gettext_lazy("At least one active strategy"),
            gettext_lazy("Write a strategy with its actions, or rework and adopt its draft."),
            lambda f: bool(f.active_strategy_ids),
            position=10,
        ),
        # 20: collaboration's action_as_task.
    ],
    Stage.EXECUTION: [
        # 10: collaboration's task_started.
        Criterion(
            "cadence_set",
            gettext_lazy("Review cadence set"),
            gettext_lazy("Choose a review cadence: weekly, fortnightly or monthly."),
            lambda f: f.project.review_cadence != ReviewCadence.NONE,
            position=20,
        ),
        # 30: monitoring's next_review_scheduled.
    ],
    # Monitoring: monitoring's review_decided_close.
    Stage.CLOSURE: [
        Criterion(
            "outcome_recorded",
            gettext_lazy("Outcome recorded"),
            gettext_lazy("Fill in the closure report with the outcome: won, lost or cancelled."),
            lambda f: bool(_report(f) and _report(f).outcome),
            position=10,
        ),
        Criterion(
            "actual_value_if_won",
            gettext_lazy("Actual contract value (if won)"),
            gettext_lazy("Enter the actual contract value of the won deal."),
            lambda f: bool(
                _report(f)
                and (_report(f).outcome != Outcome.WON or _report(f).actual_value is not None)
            ),
            position=20,
        ),
        Criterion(
            "went_well",
            gettext_lazy("What went well"),
            gettext_lazy("Write what went well in the closure report."),
            lambda f: bool(_report(f) and _report(f).went_well.strip()),
            position=30,
        ),
        Criterion(
            "to_improve",
            gettext_lazy("What to improve"),
            gettext_lazy("Write what to improve in the closure report."),
            lambda f: bool(_report(f) and _report(f).to_improve.strip()),
            position=40,
        ),
        Criterion(
            "lesson_recorded",
            gettext_lazy("At least one lesson learned"),
            gettext_lazy("Record a lesson learned for later projects."),
            lambda f: f.has_lesson,
            position=50,
        ),
    ],
}

register_criteria("projects", _PROJECTS_CRITERIA)


__all__ = [
    "GATES",
    "Criterion",
    "CriterionResult",
    "Gate",
    "GateFacts",
    "evaluate_gate",
    "register_criteria",
]
