"""KPI rollups: a snapshot of every open project per day, and its health with reasons.

Everything is counted in a fixed number of grouped queries (one per kind of record), never one
query per project; rows are upserted so that re-running a day replaces it.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import (
    Avg,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from collaboration.models import Task, TaskStatus, overdue_task
from customers.models import Industry, Region
from insights.models import Health, PortfolioDimension, PortfolioSnapshot, ProjectSnapshot
from monitoring.models import CADENCE_INTERVAL, ReviewMeeting, Risk, RiskLevel, RiskStatus
from projects.models import (
    ClosureReport,
    Goal,
    Outcome,
    Project,
    ResourceAllocation,
    ReviewCadence,
    Stage,
    StagePolicy,
    StageTransition,
    TransitionKind,
    goal_attainment_ratio,
    goal_met,
    open_project,
)

logger = logging.getLogger(__name__)


# --- health: the thresholds, in one place (README "KPIs and health") -------------------------
@dataclass(frozen=True)
class HealthThresholds:
    overdue_tasks_amber: int = 1  # this many overdue tasks make a project amber …
    overdue_tasks_red: int = 3  # … and this many red
    review_gap_cadences: int = 2  # no review held for this many cadence intervals: amber
    goals_behind_amber: int = 20  # attainment this many points behind the time elapsed: amber
    goals_behind_red: int = 40  # … red
    stage_norm_red_factor: int = 2  # days in stage above the norm: amber; above twice: red
    review_grace: datetime.timedelta = datetime.timedelta(days=1)  # "held on time" window


THRESHOLDS = HealthThresholds()
REVIEWED_STAGES = (Stage.EXECUTION, Stage.MONITORING)


@dataclass(frozen=True)
class Reason:
    code: str
    health: Health
    value: int

    def as_dict(self) -> dict:
        return {"code": self.code, "health": self.health.value, "value": self.value}


def reason_text(reason: dict) -> str:
    """One reason of a health colour, in the active language."""
    value = reason.get("value")
    texts = {
        "tasks_overdue": _("%(n)s tasks overdue"),
        "risk_critical": _("%(n)s critical risks open"),
        "risk_high": _("%(n)s high risks open"),
        "review_gap": _("no review held for %(n)s days"),
        "goals_behind": _("goals %(n)s points behind the time elapsed"),
        "stage_over_norm": _("%(n)s days in the stage, above its norm"),
    }
    text = texts.get(reason.get("code"))
    return text % {"n": value} if text else str(reason.get("code"))


def health_of(reasons: list[Reason]) -> Health:
    if any(reason.health == Health.RED for reason in reasons):
        return Health.RED
    return Health.AMBER if reasons else Health.GREEN


def _health_reasons(row: dict, *, now: datetime.datetime, norm: int | None) -> list[Reason]:
    t = THRESHOLDS
    reasons = []
    if row["tasks_overdue"] >= t.overdue_tasks_amber:
        level = Health.RED if row["tasks_overdue"] >= t.overdue_tasks_red else Health.AMBER
        reasons.append(Reason("tasks_overdue", level, row["tasks_overdue"]))
    risks = row["risks_open"]
    if risks.get(RiskLevel.CRITICAL):
        reasons.append(Reason("risk_critical", Health.RED, risks[RiskLevel.CRITICAL]))
    elif risks.get(RiskLevel.HIGH):
        reasons.append(Reason("risk_high", Health.AMBER, risks[RiskLevel.HIGH]))
    interval = CADENCE_INTERVAL.get(ReviewCadence(row["review_cadence"]))
    if interval and row["stage"] in REVIEWED_STAGES:
        since = row["last_held"] or row["stage_entered_at"]
        if now - since > t.review_gap_cadences * interval:
            reasons.append(Reason("review_gap", Health.AMBER, (now - since).days))
    if row["goal_attainment"] is not None and row["expected_close_date"]:
        # In local dates, as the expected close date is: UTC dates are a day off after midnight.
        start = timezone.localdate(row["created_at"])
        span = (row["expected_close_date"] - start).days
        if span > 0:
            elapsed = min(100, max(0, (timezone.localdate(now) - start).days * 100 // span))
            behind = elapsed - row["goal_attainment"]
            if behind >= t.goals_behind_amber:
                level = Health.RED if behind >= t.goals_behind_red else Health.AMBER
                reasons.append(Reason("goals_behind", level, behind))
    if norm and row["days_in_stage"] > norm:
        level = (
            Health.RED if row["days_in_stage"] > t.stage_norm_red_factor * norm else Health.AMBER
        )
        reasons.append(Reason("stage_over_norm", level, row["days_in_stage"]))
    return reasons


# --- the facts, counted per kind of record ----------------------------------------------------
def _by_project(queryset: QuerySet, **aggregates) -> dict[int, dict]:
    rows = queryset.order_by().values("project").annotate(**aggregates)
    return {row.pop("project"): row for row in rows}


def project_facts(
    projects: QuerySet[Project], *, day: datetime.date, now: datetime.datetime
) -> list[dict]:
    """Each project's KPI row for `day`, in a fixed number of queries."""
    rows = list(
        projects.values(
            "pk",
            "stage",
            "stage_entered_at",
            "estimated_value",
            "created_at",
            "expected_close_date",
            "review_cadence",
        )
    )
    ids = [row["pk"] for row in rows]
    goals = _by_project(
        Goal.objects.filter(project__in=ids),
        total=Count("pk"),
        met=Count("pk", filter=goal_met()),
        attainment=Avg(goal_attainment_ratio()),
    )
    tasks = _by_project(
        Task.objects.filter(project__in=ids),
        total=Count("pk"),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        overdue=Count("pk", filter=overdue_task(day)),
        blocked=Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
    )
    money = _by_project(
        ResourceAllocation.objects.filter(project__in=ids),
        planned=Sum("planned_cost"),
        actual=Sum("actual_cost"),
    )
    risks: dict[int, dict[str, int]] = {}
    for row in (
        Risk.objects.filter(project__in=ids)
        .exclude(status=RiskStatus.CLOSED)
        .order_by()
        .values("project", "level")
        .annotate(n=Count("pk"))
    ):
        risks.setdefault(row["project"], {})[row["level"]] = row["n"]
    reviews = _by_project(
        ReviewMeeting.objects.filter(project__in=ids),
        due=Count("pk", filter=Q(scheduled_for__lt=now)),
        on_time=Count(
            "pk",
            filter=Q(held_at__isnull=False)
            & Q(held_at__lte=F("scheduled_for") + Value(THRESHOLDS.review_grace)),
        ),
        last_held=Max("held_at"),
    )
    loops = _by_project(
        StageTransition.objects.filter(
            project__in=ids, kind=TransitionKind.LOOP, to_stage=Stage.STRATEGY
        ),
        n=Count("pk"),
    )
    policies = {policy.stage: policy for policy in StagePolicy.objects.all()}

    facts = []
    for row in rows:
        pk = row["pk"]
        goal = goals.get(pk, {})
        task = tasks.get(pk, {})
        spent = money.get(pk, {})
        review = reviews.get(pk, {})
        policy = policies.get(row["stage"])
        value = row["estimated_value"]
        attainment = goal.get("attainment")
        fact = {
            **row,
            "days_in_stage": max(0, (now - row["stage_entered_at"]).days),
            "weighted_value": (value * policy.win_probability / 100).quantize(Decimal("0.01"))
            if value is not None and policy
            else None,
            "goal_attainment": None if attainment is None else round(attainment * 100),
            "goals_total": goal.get("total", 0),
            "goals_met": goal.get("met", 0),
            "tasks_total": task.get("total", 0),
            "tasks_done": task.get("done", 0),
            "tasks_overdue": task.get("overdue", 0),
            "tasks_blocked": task.get("blocked", 0),
            "budget_planned": spent.get("planned") or Decimal(0),
            "budget_actual": spent.get("actual") or Decimal(0),
            "risks_open": risks.get(pk, {}),
            "reviews_due": review.get("due", 0),
            "reviews_on_time": review.get("on_time", 0),
            "last_held": review.get("last_held"),
            "loops": loops.get(pk, {}).get("n", 0),
        }
        reasons = _health_reasons(fact, now=now, norm=policy.norm_days if policy else None)
        fact["health"] = health_of(reasons)
        fact["health_reasons"] = [reason.as_dict() for reason in reasons]
        facts.append(fact)
    return facts


SNAPSHOT_BATCH = 500
SNAPSHOT_FIELDS = [
    "stage",
    "days_in_stage",
    "estimated_value",
    "weighted_value",
    "goal_attainment",
    "goals_total",
    "goals_met",
    "tasks_total",
    "tasks_done",
    "tasks_overdue",
    "tasks_blocked",
    "budget_planned",
    "budget_actual",
    "risks_open",
    "reviews_due",
    "reviews_on_time",
    "loops",
    "health",
    "health_reasons",
]


@dataclass
class SnapshotRollup:
    """What a rollup wrote, and the projects it had to skip (code → why)."""

    written: int
    skipped: dict[str, str]

    def summary(self) -> str:
        """The skipped projects in one line, for the run's record and the log."""
        return "; ".join(f"{code}: {why}" for code, why in self.skipped.items())


def _snapshots_write(snapshots: list[ProjectSnapshot]) -> None:
    ProjectSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["project", "day"],
        update_fields=[*SNAPSHOT_FIELDS, "computed_at"],
    )


@transaction.atomic
def project_snapshots_rollup(*, day: datetime.date | None = None) -> SnapshotRollup:
    """Snapshot every open project for `day` (today by default); a re-run replaces the day.

    One project whose facts the database refuses is skipped and reported, not allowed to stop
    the company's rollup: each batch is written under a savepoint, and a refused batch is
    written again one project at a time."""
    now = timezone.now()
    day = day or timezone.localdate(now)
    open_projects = Project.objects.open()
    facts = project_facts(open_projects, day=day, now=now)
    snapshots = [
        ProjectSnapshot(
            project_id=fact["pk"],
            day=day,
            computed_at=now,
            **{name: fact[name] for name in SNAPSHOT_FIELDS},
        )
        for fact in facts
    ]
    refused: dict[int, str] = {}  # project id → why
    for start in range(0, len(snapshots), SNAPSHOT_BATCH):
        batch = snapshots[start : start + SNAPSHOT_BATCH]
        try:
            with transaction.atomic():
                _snapshots_write(batch)
        except DatabaseError:
            for snapshot in batch:
                try:
                    with transaction.atomic():
                        _snapshots_write([snapshot])
                except DatabaseError as error:
                    refused[snapshot.project_id] = f"{type(error).__name__}: {error}".strip()
                    logger.error(
                        "KPI rollup %s: project %s skipped: %s", day, snapshot.project_id, error
                    )
    # Named by their codes, read only when something was refused.
    codes = (
        dict(Project.objects.filter(pk__in=refused).values_list("pk", "code")) if refused else {}
    )
    skipped = {codes.get(pk, str(pk)): why for pk, why in refused.items()}
    result = SnapshotRollup(written=len(snapshots) - len(skipped), skipped=skipped)
    logger.info("KPI rollup %s: %d project snapshots", day, result.written)
    return result


def kpi_rollup_days(days: list[datetime.date]) -> dict[datetime.date, int | Exception]:
    """Roll up several days; one failing is logged and does not stop the others."""
    results: dict[datetime.date, int | Exception] = {}
    for day in days:
        try:
            results[day] = project_snapshots_rollup(day=day).written
            portfolio_rollup(day=day)
        except Exception as error:
            logger.exception("KPI rollup of %s failed", day)
            results[day] = error
    return results


# --- the portfolio ------------------------------------------------------------------------------
# How each dimension finds its key on a project (a path from Project).
DIMENSION_KEYS = {
    PortfolioDimension.OVERALL: None,
    PortfolioDimension.DEPARTMENT: "owner__department__code",
    PortfolioDimension.OWNER: "owner_id",
    PortfolioDimension.INDUSTRY: "customer__industry",
    PortfolioDimension.REGION: "customer__region",
}


def dimension_names() -> dict[tuple[str, str], str]:
    """How each (dimension, key) of the portfolio snapshots reads, in the active language."""
    names = {(PortfolioDimension.OVERALL, ""): str(PortfolioDimension.OVERALL.label)}
    for department in Department.objects.all():
        names[PortfolioDimension.DEPARTMENT, department.code] = str(department)
    owners = User.objects.filter(pk__in=Project.objects.values("owner"))
    for owner in owners:
        names[PortfolioDimension.OWNER, str(owner.pk)] = str(owner)
    for value, label in Industry.choices:
        names[PortfolioDimension.INDUSTRY, value] = str(label)
    for value, label in Region.choices:
        names[PortfolioDimension.REGION, value] = str(label)
    return names


def _key(path: str | None, prefix: str = "") -> Cast | Value:
    if path is None:
        return Value("")
    return Coalesce(Cast(F(prefix + path), CharField()), Value(""))


def _grouped(queryset: QuerySet, path: str | None, prefix: str, *fields: str, **aggregates):
    return (
        queryset.order_by()
        .annotate(dimension_key=_key(path, prefix))
        .values("dimension_key", *fields)
        .annotate(**aggregates)
    )


ONE_DAY = datetime.timedelta(days=1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _stage_visits(*, since: datetime.date, day: datetime.date) -> QuerySet[StageTransition]:
    """The stays in a stage that ended in (since, day], each annotated with its length
    (`spent`): from the move into the stage (the project's creation for the first one) to the
    move out of it. A director's approval moves the project like an advance and ends a stay
    too; a reopened closed project's stay in "closed" is not a working stage."""
    moves = StageTransition.objects.all()
    entered = moves.filter(project=OuterRef("project"), created_at__lt=OuterRef("created_at"))
    entered_at = Coalesce(
        Subquery(entered.order_by("-created_at").values("created_at")[:1]),
        F("project__created_at"),
    )
    return (
        moves.exclude(from_stage=Stage.CLOSED)
        .filter(created_at__gte=_midnight(since + ONE_DAY), created_at__lt=_midnight(day + ONE_DAY))
        .annotate(spent=ExpressionWrapper(F("created_at") - entered_at, DurationField()))
    )


def portfolio_rollup(*, day: datetime.date | None = None) -> int:
    """Roll the day's project snapshots and the closed projects up per dimension; upserted.

    Seven grouped queries per dimension, whatever the size of the portfolio. Run it after
    `project_snapshots_rollup` for the same day.
    """
    now = timezone.now()
    day = day or timezone.localdate(now)
    since_90, since_365 = day - datetime.timedelta(days=90), day - datetime.timedelta(days=365)
    snapshots = ProjectSnapshot.objects.filter(day=day)
    unmet_goal = Goal.objects.filter(project=OuterRef("project")).exclude(goal_met())
    closed = ClosureReport.objects.filter(
        ~open_project("project"), closed_on__gte=since_365, closed_on__lte=day
    ).annotate(all_goals_met=~Exists(unmet_goal))
    open_risks = Risk.objects.exclude(status=RiskStatus.CLOSED).filter(open_project("project"))
    stage_visits = _stage_visits(since=since_365, day=day)
    open_tasks = Task.objects.open().filter(open_project("project"))
    rows: dict[tuple[str, str], PortfolioSnapshot] = {}

    def row(dimension: str, key: str) -> PortfolioSnapshot:
        if (dimension, key) not in rows:
            rows[dimension, key] = PortfolioSnapshot(
                day=day,
                dimension=dimension,
                key=key,
                computed_at=now,
                by_stage={},
                reasons={},
                risks_open={},
                stage_days={},
                risk_cells={},
                workload={},
            )
        return rows[dimension, key]

    for dimension, path in DIMENSION_KEYS.items():
        for item in _grouped(
            snapshots,
            path,
            "project__",
            "stage",
            n=Count("pk"),
            value=Sum("estimated_value"),
            weighted=Sum("weighted_value"),
            due=Sum("reviews_due"),
            on_time=Sum("reviews_on_time"),
            days=Avg("days_in_stage"),
            loops=Sum("loops"),
        ):
            snap = row(dimension, item["dimension_key"])
            value, weighted = item["value"] or Decimal(0), item["weighted"] or Decimal(0)
            snap.by_stage[item["stage"]] = {
                "count": item["n"],
                "value": str(value),
                "weighted": str(weighted),
                "days": round(item["days"] or 0, 1),
                "loops": item["loops"] or 0,
            }
            snap.open_projects += item["n"]
            snap.pipeline_value += value
            snap.weighted_forecast += weighted
            snap.reviews_due += item["due"] or 0
            snap.reviews_on_time += item["on_time"] or 0
        won, lost, cancelled = Outcome.WON, Outcome.LOST, Outcome.CANCELLED
        recent = Q(closed_on__gte=since_90)
        cycle = ExpressionWrapper(
            F("closed_on") - TruncDate("project__created_at"), output_field=DurationField()
        )
        for item in _grouped(
            closed,
            path,
            "project__",
            won_90=Count("pk", filter=recent & Q(outcome=won)),
            lost_90=Count("pk", filter=recent & Q(outcome=lost)),
            cancelled_90=Count("pk", filter=recent & Q(outcome=cancelled)),
            won_all_goals_90=Count("pk", filter=recent & Q(outcome=won, all_goals_met=True)),
            won_365=Count("pk", filter=Q(outcome=won)),
            lost_365=Count("pk", filter=Q(outcome=lost)),
            cancelled_365=Count("pk", filter=Q(outcome=cancelled)),
            won_all_goals_365=Count("pk", filter=Q(outcome=won, all_goals_met=True)),
            cycle=Avg(cycle),
        ):
            snap = row(dimension, item.pop("dimension_key"))
            cycle_time = item.pop("cycle")
            for name, count in item.items():
                setattr(snap, name, count)
            snap.avg_cycle_days = (
                round(cycle_time.total_seconds() / 86400, 1) if cycle_time else None
            )
        for item in _grouped(
            closed.exclude(reason_category=""),
            path,
            "project__",
            "outcome",
            "reason_category",
            n=Count("pk"),
        ):
            reasons = row(dimension, item["dimension_key"]).reasons
            reasons.setdefault(item["outcome"], {})[item["reason_category"]] = item["n"]
        for item in _grouped(
            open_risks, path, "project__", "level", "probability", "impact", n=Count("pk")
        ):
            snap = row(dimension, item["dimension_key"])
            snap.risks_open[item["level"]] = snap.risks_open.get(item["level"], 0) + item["n"]
            snap.risk_cells[f"{item['probability']}-{item['impact']}"] = item["n"]
        for item in _grouped(
            open_tasks,
            path,
            "project__",
            "department",
            n=Count("pk"),
            overdue=Count("pk", filter=overdue_task(day)),
        ):
            department = "" if item["department"] is None else str(item["department"])
            row(dimension, item["dimension_key"]).workload[department] = {
                "open": item["n"],
                "overdue": item["overdue"],
            }
        for item in _grouped(
            stage_visits, path, "project__", "from_stage", n=Count("pk"), days=Avg("spent")
        ):
            row(dimension, item["dimension_key"]).stage_days[item["from_stage"]] = {
                "days": round(item["days"].total_seconds() / 86400, 1),
                "count": item["n"],
            }

    fields = [
        field.name
        for field in PortfolioSnapshot._meta.concrete_fields
        if field.name not in ("id", "day", "dimension", "key")
    ]
    with transaction.atomic():
        PortfolioSnapshot.objects.bulk_create(
            list(rows.values()),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["day", "dimension", "key"],
            update_fields=fields,
        )
    logger.info("KPI rollup %s: %d portfolio snapshots", day, len(rows))
    return len(rows)
