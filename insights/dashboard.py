"""The director's dashboard: its figures, read from the KPI snapshots in a fixed number of
queries whatever the size of the portfolio, and laid out as server-drawn SVG charts."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Max, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Department, User
from collaboration.models import TaskStatus
from core.numbers import format_amount, format_percent
from insights.kpis import DIMENSION_KEYS, reason_text
from insights.models import Health, PortfolioDimension, PortfolioSnapshot, ProjectSnapshot
from monitoring.risks import risk_matrix_of_cells
from projects.access import projects_visible_to
from projects.models import OPEN_STAGES, Outcome, Project, Stage, StagePolicy

PERIODS = (30, 90, 365)
RED_SHOWN = 20  # projects in red listed on the dashboard; the rest are a link away
DEFAULT_PERIOD = 365
SUCCESS_TARGET = 60  # the method's benchmark, in %
# The filters, in the order of precedence when several are set (a snapshot has one dimension).
FILTERS = (
    PortfolioDimension.DEPARTMENT,
    PortfolioDimension.OWNER,
    PortfolioDimension.INDUSTRY,
    PortfolioDimension.REGION,
)
# How the filter reads in the project list (ProjectFilter) and the risk register (RiskFilter).
LIST_PARAMS = {
    PortfolioDimension.DEPARTMENT: "department",
    PortfolioDimension.OWNER: "owner",
    PortfolioDimension.INDUSTRY: "industry",
    PortfolioDimension.REGION: "region",
}
RISK_PARAMS = LIST_PARAMS | {PortfolioDimension.OWNER: "project_owner"}
TASK_PARAMS = RISK_PARAMS | {PortfolioDimension.DEPARTMENT: "project_department"}


@dataclass(frozen=True)
class DashboardFilter:
    period: int = DEFAULT_PERIOD
    dimension: str = PortfolioDimension.OVERALL
    key: str = ""
    ignored: tuple[str, ...] = ()

    @property
    def window(self) -> int:
        """The success-rate window: snapshots keep 90 and 365 days; 30 uses the 90."""
        return 365 if self.period == 365 else 90

    @property
    def used_label(self) -> str:
        return str(PortfolioDimension(self.dimension).label)

    @property
    def ignored_labels(self) -> str:
        return ", ".join(str(PortfolioDimension(name).label) for name in self.ignored)

    @property
    def list_query(self) -> dict[str, str]:
        """The filter as parameters of the project list."""
        param = LIST_PARAMS.get(self.dimension)
        return {param: self.key} if param else {}

    @property
    def task_query(self) -> dict[str, str]:
        """The filter as parameters of the open projects' task list."""
        param = TASK_PARAMS.get(self.dimension)
        return {param: self.key} if param else {}

    @property
    def risk_query(self) -> QueryDict:
        """The filter as parameters of the portfolio risk register."""
        query = QueryDict(mutable=True)
        param = RISK_PARAMS.get(self.dimension)
        if param:
            query[param] = self.key
        return query


def dashboard_filter_parse(query: QueryDict) -> DashboardFilter:
    """Read period and the first set of department, owner, industry, region from `query`."""
    try:
        period = int(query.get("period", DEFAULT_PERIOD))
    except ValueError:
        period = DEFAULT_PERIOD
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    chosen = [
        (name, query.get(name, "").strip()) for name in FILTERS if query.get(name, "").strip()
    ]
    if not chosen:
        return DashboardFilter(period=period)
    (dimension, key), ignored = chosen[0], tuple(name for name, _key in chosen[1:])
    return DashboardFilter(period=period, dimension=dimension, key=key[:64], ignored=ignored)


# --- chart geometry (px) -------------------------------------------------------------------------
CHART_WIDTH, LABEL_WIDTH, ROW_HEIGHT, BAR_GAP = 560, 170, 16, 4
TREND_HEIGHT, TREND_LEFT, TREND_TOP, TREND_BOTTOM = 220, 44, 12, 28


@dataclass
class Bar:
    series: int
    value: float
    text: str
    href: str = ""  # the list behind this bar, where it differs from its row's
    x: int = 0
    y: int = 0
    width: int = 0


@dataclass
class BarRow:
    label: str
    href: str
    bars: list[Bar]
    note: str = ""
    count: int | None = None  # the funnel's projects in the stage itself
    marker: float | None = None
    marker_x: int | None = None
    y: int = 0
    label_y: int = 0


@dataclass
class BarChart:
    rows: list[BarRow]
    series: int
    width: int = CHART_WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH


def bar_chart(rows: list[BarRow]) -> BarChart:
    """Place horizontal bars, one group of `series` bars per row, scaled to the largest value
    (or marker)."""
    series = max((len(row.bars) for row in rows), default=1)
    scale_to = max(
        [bar.value for row in rows for bar in row.bars]
        + [row.marker for row in rows if row.marker is not None]
        + [1]
    )
    span = CHART_WIDTH - LABEL_WIDTH - 70  # room for the value after the bar
    group = series * (ROW_HEIGHT + BAR_GAP) + 2 * BAR_GAP
    for index, row in enumerate(rows):
        row.y = index * group + BAR_GAP
        row.label_y = row.y + group // 2 - BAR_GAP
        for number, bar in enumerate(row.bars):
            bar.x = LABEL_WIDTH
            bar.y = row.y + number * (ROW_HEIGHT + BAR_GAP)
            bar.width = round(bar.value * span / scale_to)
        if row.marker is not None:
            row.marker_x = LABEL_WIDTH + round(row.marker * span / scale_to)
    return BarChart(rows=rows, series=series, height=max(len(rows), 1) * group + BAR_GAP)


@dataclass
class TrendPoint:
    day: datetime.date
    rate: float
    x: int = 0
    y: int = 0


@dataclass
class TrendChart:
    points: list[TrendPoint]
    polyline: str
    target_y: int
    width: int = CHART_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    ticks: list[tuple[int, int]] = field(default_factory=list)  # (percent, y)


def trend_chart(points: list[TrendPoint], *, since: datetime.date, until: datetime.date):
    """A line of success rates over the days `since`..`until`, on a 0–100 % axis."""
    plot_width = CHART_WIDTH - TREND_LEFT - 12
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    days = max((until - since).days, 1)

    def y_of(percent: float) -> int:
        return TREND_TOP + round(plot_height * (100 - percent) / 100)

    for point in points:
        point.x = TREND_LEFT + round(plot_width * (point.day - since).days / days)
        point.y = y_of(point.rate)
    return TrendChart(
        points=points,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        target_y=y_of(SUCCESS_TARGET),
        ticks=[(percent, y_of(percent)) for percent in (0, 20, 40, 60, 80, 100)],
    )


# --- the figures -------------------------------------------------------------------------------
def _money(value) -> str:
    return format_amount(value, 0)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _list_href(filters: DashboardFilter, **params) -> str:
    """The project list with `params` and the dashboard's filter."""
    query = urlencode({**params, **filters.list_query})
    return f"{reverse('projects:project_list')}?{query}"


def _tasks_href(filters: DashboardFilter, department: int | None, **params) -> str:
    """Open tasks (of one department) on the open projects, with the dashboard's filter."""
    query = [("status", status) for status in TaskStatus.values if status != TaskStatus.DONE]
    query += [("department", department or "")]
    query += [*params.items(), *filters.task_query.items()]
    return f"{reverse('collaboration:portfolio_tasks')}?{urlencode(query)}"


@dataclass(frozen=True)
class Closed:
    """Projects closed with one outcome in the success-rate window, and their list."""

    outcome: Outcome
    count: int
    href: str


def dashboard_projects(*, user: User, filters: DashboardFilter) -> QuerySet[Project]:
    """The projects behind the project-level charts: visible to `user`, of the filter's key."""
    projects = projects_visible_to(user)
    path = DIMENSION_KEYS.get(filters.dimension)
    return projects.filter(**{path: filters.key}) if path else projects


@dataclass(frozen=True)
class StageFigures:
    """One open stage on the dashboard: its projects, funnel, values and time spent."""

    stage: Stage
    count: int  # open projects in the stage
    reached: int  # open projects at or past it
    conversion: float | None  # % of those that reached the next stage
    value: Decimal
    weighted: Decimal
    finished_days: float  # average days of the stays that ended in the trailing year
    finished_stays: int
    open_days: float  # average days so far of today's open projects in the stage
    norm: int | None


def stage_figures(current: PortfolioSnapshot | None) -> list[StageFigures]:
    """The open stages' figures from the day's portfolio snapshot."""
    by_stage = current.by_stage if current else {}
    finished = current.stage_days if current else {}
    norms = dict(StagePolicy.objects.values_list("stage", "norm_days"))
    counts = [by_stage.get(stage, {}).get("count", 0) for stage in OPEN_STAGES]
    # The funnel counts the open projects at or past each stage, so the conversion between
    # two stages is the share of those that got at least as far as the next one.
    reached = [sum(counts[index:]) for index in range(len(counts))]
    rows = []
    for index, stage in enumerate(OPEN_STAGES):
        figures, stays = by_stage.get(stage, {}), finished.get(stage, {})
        rows.append(
            StageFigures(
                stage=stage,
                count=counts[index],
                reached=reached[index],
                conversion=(
                    _share(reached[index + 1], reached[index]) if index + 1 < len(reached) else None
                ),
                value=Decimal(figures.get("value", 0)),
                weighted=Decimal(figures.get("weighted", 0)),
                finished_days=stays.get("days", 0),
                finished_stays=stays.get("count", 0),
                open_days=figures.get("days", 0),
                norm=norms.get(stage),
            )
        )
    return rows


def director_dashboard(*, user: User, filters: DashboardFilter) -> dict | None:
    """Every figure of the director's dashboard, or None before the first nightly rollup."""
    latest = PortfolioSnapshot.objects.filter(dimension=PortfolioDimension.OVERALL).aggregate(
        day=Max("day")
    )["day"]
    if latest is None:
        return None
    since = latest - datetime.timedelta(days=filters.period - 1)
    history = list(
        PortfolioSnapshot.objects.filter(
            dimension=filters.dimension, key=filters.key, day__gte=since, day__lte=latest
        ).order_by("day")
    )
    current = history[-1] if history and history[-1].day == latest else None
    rate_of = f"success_rate_{filters.window}"
    trend = trend_chart(
        [
            TrendPoint(day=row.day, rate=getattr(row, rate_of))
            for row in history
            if getattr(row, rate_of) is not None
        ],
        since=since,
        until=latest,
    )

    stages = stage_figures(current)
    pipeline_rows, funnel_rows, days_rows = [], [], []
    for figures in stages:
        label, href = str(figures.stage.label), _list_href(filters, stage=figures.stage)
        pipeline_rows.append(
            BarRow(
                label=label,
                href=href,
                bars=[
                    Bar(0, float(figures.value), _money(figures.value)),
                    Bar(1, float(figures.weighted), _money(figures.weighted)),
                ],
            )
        )
        conversion = figures.conversion
        funnel_rows.append(
            BarRow(
                label=label,
                href=href,
                bars=[Bar(0, figures.reached, str(figures.reached))],
                count=figures.count,
                note="" if conversion is None else format_percent(conversion),
            )
        )
        finished, now = figures.finished_days, figures.open_days
        days_rows.append(
            BarRow(
                label=label,
                href=href,
                bars=[Bar(0, finished, f"{finished:g}"), Bar(1, now, f"{now:g}")],
                count=figures.finished_stays,
                marker=figures.norm,
                note="" if figures.norm is None else str(figures.norm),
            )
        )
    by_stage = current.by_stage if current else {}
    loops = sum(figures.get("loops", 0) for figures in by_stage.values())
    matrix = risk_matrix_of_cells(current.risk_cells if current else {})

    departments = {department.pk: department for department in Department.objects.all()}
    workload = sorted(
        (current.workload if current else {}).items(),
        key=lambda item: (item[0] == "", int(item[0] or 0)),
    )
    workload_rows, workload_figures = [], []
    for key, row in workload:
        department = int(key) if key and int(key) in departments else None
        workload_figures.append(
            {
                "department": departments[department].code if department else None,
                "name": str(departments[department]) if department else None,
                "open": row["open"],
                "overdue": row["overdue"],
            }
        )
        href = _tasks_href(filters, department) if department else ""
        overdue_href = _tasks_href(filters, department, overdue="true") if department else ""
        workload_rows.append(
            BarRow(
                label=str(departments[department]) if department else "—",
                href=href,
                bars=[
                    Bar(0, row["open"], str(row["open"]), href=href),
                    Bar(1, row["overdue"], str(row["overdue"]), href=overdue_href),
                ],
            )
        )
    closed_from = (latest - datetime.timedelta(days=filters.window)).isoformat()
    closed = [
        Closed(
            outcome=outcome,
            count=getattr(current, f"{outcome}_{filters.window}", 0) if current else 0,
            href=_list_href(filters, stage=Stage.CLOSED, outcome=outcome, closed_from=closed_from),
        )
        for outcome in Outcome
    ]

    # The red projects: the most valuable first, a screenful; the count links to all of them.
    projects = dashboard_projects(user=user, filters=filters)
    red_snapshots = ProjectSnapshot.objects.filter(
        day=latest, health=Health.RED, project__in=projects
    )
    red = [
        {"project": snapshot.project, "reasons": [reason_text(r) for r in snapshot.health_reasons]}
        for snapshot in red_snapshots.select_related("project").order_by(
            F("estimated_value").desc(nulls_last=True), "project_id"
        )[:RED_SHOWN]
    ]
    return {
        "day": latest,
        "current": current,
        "success_rate": getattr(current, rate_of) if current else None,
        "goal_success_rate": getattr(current, f"goal_{rate_of}") if current else None,
        "target": SUCCESS_TARGET,
        "trend": trend,
        "pipeline": bar_chart(pipeline_rows),
        "funnel": bar_chart(funnel_rows),
        "stage_days": bar_chart(days_rows),
        "stages": stages,
        "closed": closed,
        "loops": loops,
        "loops_href": _list_href(filters, looped="true", active="true"),
        "review_compliance": current.review_compliance if current else None,
        "reviews_href": reverse("monitoring:portfolio_reviews"),
        "matrix": matrix,
        "workload": bar_chart(workload_rows),
        "workload_figures": workload_figures,
        "red": red,
        "red_count": red_snapshots.count(),
        "red_href": _list_href(filters, health=Health.RED),
    }
