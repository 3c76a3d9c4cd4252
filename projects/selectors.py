"""Reads for the project pages and API, with access built in and a fixed number of queries."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Expression, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User

from .access import projects_visible_to
from .models import (
    Project,
    Stage,
    Strategy,
    action_key,
    goal_attainment_ratio,
    goal_met,
)

# What the apps above projects show on a list row, by name: each a function that makes the
# expression annotated on every project (monitoring: `review_overdue`). Filled in their
# AppConfig.ready with `list_annotation_register`.
list_annotations: dict[str, Callable[[], Expression]] = {}


def list_annotation_register(name: str, expression: Callable[[], Expression]) -> None:
    """Annotate each row of `project_list` with `name`, made by `expression()`."""
    list_annotations.setdefault(name, expression)


def project_list(user: User) -> QuerySet[Project]:
    """Projects `user` may see, with what a list row shows loaded in the same query."""
    return (
        projects_visible_to(user)
        .select_related("customer", "owner")
        .annotate(**{name: make() for name, make in list_annotations.items()})
    )


def stage_counts(queryset: QuerySet[Project]) -> dict[str, int]:
    """Number of projects per stage in `queryset` (one aggregate query)."""
    rows = queryset.order_by().values("stage").annotate(total=Count("id"))
    counts = {stage.value: 0 for stage in Stage}
    counts.update({row["stage"]: row["total"] for row in rows})
    return counts


@dataclass(frozen=True)
class ClosureMetrics:
    """How a project ended against its plan, computed from its records."""

    goal_attainment: int | None  # % of target reached, averaged over goals, each capped at 100
    goals_met: int
    goals_total: int
    schedule_variance_days: int | None  # closed (or today) minus expected close; > 0 is late
    budget_planned: Decimal
    budget_actual: Decimal
    budget_variance: Decimal  # actual minus planned; > 0 is over budget
    budget_variance_percent: int | None


def closure_metrics(project: Project) -> ClosureMetrics:
    """Goal attainment, schedule and budget variance of `project` (two aggregate queries)."""
    goals = project.goals.aggregate(
        attainment=Avg(goal_attainment_ratio()),
        met=Count("id", filter=goal_met()),
        total=Count("id"),
    )
    money = project.allocations.aggregate(
        planned=Coalesce(Sum("planned_cost"), Value(Decimal(0))),
        actual=Coalesce(Sum("actual_cost"), Value(Decimal(0))),
    )
    report = getattr(project, "closure_report", None)
    end = (report.closed_on if report and report.closed_on else None) or timezone.localdate()
    variance = money["actual"] - money["planned"]
    return ClosureMetrics(
        goal_attainment=None if goals["attainment"] is None else round(goals["attainment"] * 100),
        goals_met=goals["met"],
        goals_total=goals["total"],
        schedule_variance_days=(end - project.expected_close_date).days
        if project.expected_close_date
        else None,
        budget_planned=money["planned"],
        budget_actual=money["actual"],
        budget_variance=variance,
        budget_variance_percent=round(variance * 100 / money["planned"])
        if money["planned"]
        else None,
    )


# --- strategy revisions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    before: str
    after: str


@dataclass(frozen=True)
class StrategyChanges:
    """What a revision changed against the revision it supersedes, field by field."""

    against: int  # the number of the previous revision
    kind: Change | None
    summary: Change | None
    actions_added: list[str]
    actions_removed: list[str]

    @property
    def any(self) -> bool:
        return bool(self.kind or self.summary or self.actions_added or self.actions_removed)

    def as_dict(self) -> dict:
        return {
            "against_revision": self.against,
            "kind": self.kind and asdict(self.kind),
            "summary": self.summary and asdict(self.summary),
            "actions_added": self.actions_added,
            "actions_removed": self.actions_removed,
        }


def strategy_changes(strategy: Strategy) -> StrategyChanges | None:
    """The revision against its predecessor (None for a first revision). Actions are compared
    as `action_key` identifies them, so a respelled action is not a change."""
    previous = strategy.supersedes
    if previous is None:
        return None
    kind = None
    if previous.kind != strategy.kind:
        kind = Change(previous.get_kind_display(), strategy.get_kind_display())
    summary = None
    if previous.summary.strip() != strategy.summary.strip():
        summary = Change(previous.summary, strategy.summary)
    before = {action_key(action) for action in previous.action_list}
    after = {action_key(action) for action in strategy.action_list}
    return StrategyChanges(
        against=previous.revision,
        kind=kind,
        summary=summary,
        actions_added=[a for a in strategy.action_list if action_key(a) not in before],
        actions_removed=[a for a in previous.action_list if action_key(a) not in after],
    )
