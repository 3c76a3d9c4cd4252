"""A year of daily KPI snapshots for the scale portfolio.

Today's rows come from the real rollups (`insights.kpis`), which are set-based. The 364 days
before are worked out from the portfolio's story in memory — which stage each project was in
that day, what had closed in the trailing 90 and 365 days, the reviews due and the risks open
— the way `portfolio_rollup` would have counted them had it run every night.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from demo.scale.bulk import insert
from demo.scale.plans import Clock, Plan
from insights.kpis import THRESHOLDS, portfolio_rollup, project_snapshots_rollup
from insights.models import PortfolioDimension, PortfolioSnapshot
from monitoring.models import ReviewMeeting, Risk, RiskStatus, risk_level
from projects.models import Outcome, Stage

HISTORY_DAYS = 365
# The past days go in blocks of days: six statements whatever the size of the portfolio.
DAYS_PER_INSERT = 61
CENT = Decimal("0.01")


class _Series:
    """Daily figures per (dimension, key) as difference arrays: a figure over a range of days
    costs two writes, and one running sum per series gives every day."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.diffs: dict[tuple[str, str], dict[tuple, list[int]]] = defaultdict(dict)

    def add(self, keys: list[tuple[str, str]], metric: tuple, first: int, last: int, amount=1):
        """Add `amount` to `metric` on days `first` (inclusive) to `last` (exclusive)."""
        first, last = max(first, 0), min(last, self.days)
        if first >= last or not amount:
            return
        for key in keys:
            diff = self.diffs[key].get(metric)
            if diff is None:
                diff = self.diffs[key][metric] = [0] * (self.days + 1)
            diff[first] += amount
            diff[last] -= amount

    def daily(self, key: tuple[str, str]) -> dict[tuple, list[int]]:
        sums = {}
        for metric, diff in self.diffs[key].items():
            running, values = 0, []
            for change in diff[: self.days]:
                running += change
                values.append(running)
            sums[metric] = values
        return sums


def _keys(plan: Plan) -> list[tuple[str, str]]:
    return [
        (PortfolioDimension.OVERALL, ""),
        (PortfolioDimension.DEPARTMENT, plan.owner.department.code),
        (PortfolioDimension.OWNER, str(plan.owner.pk)),
        (PortfolioDimension.INDUSTRY, plan.customer.industry),
        (PortfolioDimension.REGION, plan.customer.region),
    ]


def _series(plans, reviews, risks, *, first_day, days, probabilities) -> _Series:
    series = _Series(days)

    def index(day: datetime.date) -> int:
        return (day - first_day).days

    reviews_of, risks_of = defaultdict(list), defaultdict(list)
    for review in reviews:
        reviews_of[review.project_id].append(review)
    for risk in risks:
        risks_of[risk.project_id].append(risk)
    for plan in plans:
        keys = _keys(plan)
        end = index(plan.closed_at.date()) if plan.closed_at else days
        for visit in plan.visits:
            if visit.stage == Stage.CLOSED:
                continue
            first = index(visit.start.date())
            last = index(visit.end.date()) if visit.end else days
            weighted = plan.value * probabilities.get(visit.stage, 0) // 100
            series.add(keys, ("count", visit.stage), first, last)
            series.add(keys, ("value", visit.stage), first, last, plan.value)
            series.add(keys, ("weighted", visit.stage), first, last, weighted)
        for review in reviews_of[plan.project.pk]:
            series.add(keys, ("reviews_due",), index(review.scheduled_for.date()), end)
            if review.held_at and review.held_at <= review.scheduled_for + THRESHOLDS.review_grace:
                series.add(keys, ("reviews_on_time",), index(review.held_at.date()), end)
        for risk in risks_of[plan.project.pk]:
            closed = risk.status == RiskStatus.CLOSED
            last = min(end, index(risk.updated_at.date()) if closed else days)
            level = risk_level(risk.probability, risk.impact).value
            series.add(keys, ("risk", level), index(risk.created_at.date()), last)
        if plan.closed_at is None:
            continue
        closed, outcome = index(plan.closed_at.date()), plan.outcome
        in_90, in_365 = (closed, closed + 91), (closed, closed + 366)
        series.add(keys, (f"{outcome}_90",), *in_90)
        series.add(keys, (f"{outcome}_365",), *in_365)
        if outcome == Outcome.WON and plan.all_goals_met:
            series.add(keys, ("won_all_goals_90",), *in_90)
            series.add(keys, ("won_all_goals_365",), *in_365)
        cycle = (plan.closed_at.date() - plan.created_at.date()).days
        series.add(keys, ("cycle_days",), *in_365, cycle)
        series.add(keys, ("cycle_n",), *in_365)
        if plan.reason_category:
            series.add(keys, ("reason", outcome, plan.reason_category), *in_365)
    return series


COUNTS = [
    f"{outcome}_{window}" for window in (90, 365) for outcome in (*Outcome.values, "won_all_goals")
]


def _snapshot(day, dimension, key, figures: dict, index: int, computed_at) -> PortfolioSnapshot:
    snapshot = PortfolioSnapshot(
        day=day,
        dimension=dimension,
        key=key,
        by_stage={},
        reasons={},
        risks_open={},
        computed_at=computed_at,
    )
    value = weighted = 0
    for metric, values in figures.items():
        amount = values[index]
        if not amount:
            continue
        name = metric[0]
        if name == "count":
            snapshot.open_projects += amount
            stage = snapshot.by_stage.setdefault(metric[1], {})
            stage["count"] = amount
            stage["value"] = str(Decimal(figures[("value", metric[1])][index]).quantize(CENT))
            weighted_of = figures.get(("weighted", metric[1]))
            stage["weighted"] = str(
                Decimal(weighted_of[index] if weighted_of else 0).quantize(CENT)
            )
        elif name == "value":
            value += amount
        elif name == "weighted":
            weighted += amount
        elif name == "risk":
            snapshot.risks_open[metric[1]] = amount
        elif name == "reason":
            snapshot.reasons.setdefault(metric[1], {})[metric[2]] = amount
        elif name in ("reviews_due", "reviews_on_time") or name in COUNTS:
            setattr(snapshot, name, amount)
    snapshot.pipeline_value = Decimal(value).quantize(CENT)
    snapshot.weighted_forecast = Decimal(weighted).quantize(CENT)
    cycle_n = figures.get(("cycle_n",))
    if cycle_n and cycle_n[index]:
        snapshot.avg_cycle_days = round(figures[("cycle_days",)][index] / cycle_n[index], 1)
    return snapshot


def kpi_history_create(
    plans: list[Plan],
    *,
    reviews: list[ReviewMeeting],
    risks: list[Risk],
    clock: Clock,
    probabilities: dict[str, int],
) -> tuple[int, int]:
    """Today's project and portfolio snapshots by the rollups, and the portfolio's 364 days
    before; return how many project and portfolio snapshots there are."""
    days = HISTORY_DAYS - 1
    first_day = clock.today - datetime.timedelta(days=days)
    series = _series(
        plans, reviews, risks, first_day=first_day, days=days, probabilities=probabilities
    )
    daily = {key: series.daily(key) for key in series.diffs}
    written = 0
    for block in range(0, days, DAYS_PER_INSERT):
        rows = []
        for index in range(block, min(block + DAYS_PER_INSERT, days)):
            day = first_day + datetime.timedelta(days=index)
            computed_at = clock.at(day, 23 * 60 + 30)
            for (dimension, key), figures in daily.items():
                if any(values[index] for values in figures.values()):
                    rows.append(_snapshot(day, dimension, key, figures, index, computed_at))
        insert(PortfolioSnapshot, rows)
        written += len(rows)
    projects = project_snapshots_rollup(day=clock.today).written
    return projects, written + portfolio_rollup(day=clock.today)
