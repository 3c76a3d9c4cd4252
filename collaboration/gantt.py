"""The Gantt chart of a project, laid out in Python and drawn as SVG by a template.

`project_gantt` reads everything in four queries (tasks, dependency edges, reviews, stage
transitions) whatever the number of tasks; `gantt_layout` is a pure function of those rows and
today's date, so its geometry is tested without a database. Coordinates are SVG user units
(pixels at 100 % zoom); a day covers `px_per_day` units and a date's x is the left edge of
its day, so a task due on a day ends at the right edge of that day.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import Registry
from projects.models import Project, Stage, StageTransition, TransitionKind

from .models import Task, TaskStatus


class Milestone(Protocol):
    """What the review lane draws: a review (monitoring), held or scheduled."""

    pk: int | None
    scheduled_for: datetime.datetime
    held_at: datetime.datetime | None


# The milestones of a project on the review lane, from the apps above collaboration
# (monitoring: its reviews), each read in one query; filled in their AppConfig.ready.
milestone_sources = Registry()
milestone_source_register = milestone_sources.register


class Zoom(models.TextChoices):
    WEEK = "week", _("Weeks")
    MONTH = "month", _("Months")


PX_PER_DAY = {Zoom.WEEK: 20, Zoom.MONTH: 4}
# How the axis labels its ticks: Django's localised format names, so both languages read well.
TICK_FORMAT = {Zoom.WEEK: "MONTH_DAY_FORMAT", Zoom.MONTH: "YEAR_MONTH_FORMAT"}

LABEL_WIDTH = 220  # the task titles on the left
BAND_LABEL_TOP, AXIS_TOP, REVIEW_LANE_TOP, ROWS_TOP = 0, 20, 42, 68
ROW_HEIGHT = 28
BAR_HEIGHT = 16
MILESTONE_RADIUS = 8
BOTTOM_MARGIN = 8
PADDING_DAYS = 3  # empty days kept around the earliest and latest dates
# The most days a chart spans (about 15,000 px either way): a project whose dates run further
# shows the part around today, bars beyond it stop at the edge.
MAX_DAYS = {Zoom.WEEK: 730, Zoom.MONTH: 3650}
ARROW_GAP = 6  # how far an arrow runs straight out of a bar before it turns


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    progress_width: float

    @property
    def end(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class Diamond:
    cx: float
    cy: float
    radius: float

    @property
    def points(self) -> str:
        cx, cy, r = self.cx, self.cy, self.radius
        return " ".join(
            f"{_n(x)},{_n(y)}" for x, y in ((cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy))
        )


@dataclass
class Row:
    task: Task
    index: int
    y: float  # top of the row
    start: datetime.date | None  # the dates drawn: a lone start or due date makes a 1-day bar
    end: datetime.date | None
    progress: int  # what the fill shows: 100 for a done task
    done: bool
    overdue: bool
    bar: Bar | None = None
    milestone: Diamond | None = None
    dependencies: list[Task] = field(default_factory=list)
    conflicts: list[Task] = field(default_factory=list)  # due after this task starts

    @property
    def middle(self) -> float:
        return self.y + ROW_HEIGHT / 2

    @property
    def text_y(self) -> float:
        return self.middle + 4

    @property
    def has_dates(self) -> bool:
        return self.start is not None

    @property
    def left(self) -> float | None:
        if self.milestone:
            return self.milestone.cx - self.milestone.radius
        return self.bar.x if self.bar else None

    @property
    def right(self) -> float | None:
        if self.milestone:
            return self.milestone.cx + self.milestone.radius
        return self.bar.end if self.bar else None


@dataclass(frozen=True)
class Arrow:
    """From the end of the prerequisite to the start of the task that waits for it."""

    prerequisite_id: int
    dependent_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    path: str
    prerequisite: Task | None = None
    dependent: Task | None = None

    @property
    def conflict(self) -> bool:
        """The dependent is planned to start before the prerequisite is due."""
        return bool(self.prerequisite and self.dependent) and self.dependent.starts_before_due_of(
            self.prerequisite
        )


@dataclass(frozen=True)
class ReviewMarker:
    review: Milestone
    date: datetime.date  # when it was held, else when it is scheduled
    held: bool
    cx: float
    cy: float


@dataclass(frozen=True)
class Band:
    stage: Stage
    start: datetime.datetime
    end: datetime.datetime | None  # None: the current stage, up to the end of the chart
    x: float
    width: float

    @property
    def label(self) -> str:
        return self.stage.label

    @property
    def label_x(self) -> float:
        return self.x + 4


@dataclass(frozen=True)
class Tick:
    date: datetime.date
    x: float

    @property
    def label_x(self) -> float:
        return self.x + 3


@dataclass
class Gantt:
    zoom: Zoom
    today: datetime.date
    start: datetime.date  # first day drawn
    end: datetime.date  # first day not drawn
    px_per_day: int
    width: float
    height: float
    rows: list[Row]
    arrows: list[Arrow]
    reviews: list[ReviewMarker]
    bands: list[Band]
    ticks: list[Tick]
    today_x: float

    # Fixed geometry, for the template.
    label_width = LABEL_WIDTH
    no_dates_x = LABEL_WIDTH + 8
    band_label_y = BAND_LABEL_TOP + 14
    axis_top = AXIS_TOP
    axis_label_y = AXIS_TOP + 15
    review_lane_top = REVIEW_LANE_TOP
    review_label_y = REVIEW_LANE_TOP + (ROWS_TOP - REVIEW_LANE_TOP) / 2 + 4
    rows_top = ROWS_TOP
    row_height = ROW_HEIGHT

    @property
    def tick_format(self) -> str:
        return TICK_FORMAT[self.zoom]

    def x_of(self, day: datetime.date) -> float:
        return _x(day, self.start, self.px_per_day)


def project_gantt(
    project: Project, *, zoom: Zoom | str = Zoom.WEEK, today: datetime.date | None = None
) -> Gantt:
    """The project's Gantt chart, read in four queries whatever the number of tasks."""
    tasks = list(project.tasks.select_related("assignee").order_by("id"))
    edges = list(
        Task.dependencies.through.objects.filter(from_task__project=project).values_list(
            "to_task_id", "from_task_id"
        )
    )
    return gantt_layout(
        project=project,
        tasks=tasks,
        edges=edges,
        reviews=[milestone for source in milestone_sources for milestone in source(project)],
        transitions=list(project.transitions.all()),
        today=today or timezone.localdate(),
        zoom=zoom,
    )


def gantt_layout(
    *,
    project: Project,
    tasks: Iterable[Task],
    edges: Iterable[tuple[int, int]],
    reviews: Iterable[Milestone],
    transitions: Iterable[StageTransition],
    today: datetime.date,
    zoom: Zoom | str = Zoom.WEEK,
) -> Gantt:
    """Lay out the chart from rows already loaded; `edges` are (prerequisite, dependent) ids."""
    zoom = Zoom(zoom)
    px = PX_PER_DAY[zoom]
    tasks = sorted(tasks, key=_task_order)
    reviews = list(reviews)
    periods = _stage_periods(project, transitions)

    known = [today, timezone.localdate(project.created_at)]
    known += [timezone.localdate(start) for _stage, start, _end in periods]
    known += [day for task in tasks for day in (task.start_date, task.due_date) if day]
    known += [_review_date(review) for review in reviews]
    start, end = _chart_range(*_bounded(min(known), max(known), today, MAX_DAYS[zoom]), zoom)
    width = LABEL_WIDTH + (end - start).days * px

    by_id = {task.pk: task for task in tasks}
    rows = [_row(task, index, start=start, px=px, today=today) for index, task in enumerate(tasks)]
    rows_by_id = {row.task.pk: row for row in rows}
    arrows = []
    for prerequisite_id, dependent_id in sorted(edges):
        dependent = rows_by_id.get(dependent_id)
        if dependent is None or prerequisite_id not in by_id:
            continue
        prerequisite = by_id[prerequisite_id]
        dependent.dependencies.append(prerequisite)
        if dependent.task.starts_before_due_of(prerequisite):
            dependent.conflicts.append(prerequisite)
        arrow = _arrow(rows_by_id[prerequisite_id], dependent)
        if arrow:
            arrows.append(arrow)

    bands = []
    for stage, entered, left in periods:
        x = _x_at(entered, start, px)
        right = _x_at(left, start, px) if left else width
        bands.append(Band(stage=stage, start=entered, end=left, x=x, width=max(right - x, 0)))

    markers = [
        ReviewMarker(
            review=review,
            date=_review_date(review),
            held=review.held_at is not None,
            cx=_x(_review_date(review), start, px) + px / 2,
            cy=REVIEW_LANE_TOP + (ROWS_TOP - REVIEW_LANE_TOP) / 2,
        )
        for review in sorted(reviews, key=lambda review: (_review_date(review), review.pk or 0))
    ]

    return Gantt(
        zoom=zoom,
        today=today,
        start=start,
        end=end,
        px_per_day=px,
        width=width,
        height=ROWS_TOP + max(len(rows), 1) * ROW_HEIGHT + BOTTOM_MARGIN,
        rows=rows,
        arrows=arrows,
        reviews=markers,
        bands=bands,
        ticks=[Tick(date=day, x=_x(day, start, px)) for day in _tick_days(start, end, zoom)],
        today_x=_x(today, start, px) + px / 2,
    )


# --- pieces -----------------------------------------------------------------------------------
def _n(value: float) -> str:
    """A number for an SVG attribute: no exponent, no needless decimals, never localised."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _x(day: datetime.date, start: datetime.date, px: int) -> float:
    return LABEL_WIDTH + max((day - start).days, 0) * px


def _x_at(moment: datetime.datetime, start: datetime.date, px: int) -> float:
    """The x of a moment, within its (local) day: stage changes can happen hours apart."""
    local = timezone.localtime(moment)
    midnight = datetime.datetime.combine(local.date(), datetime.time(), tzinfo=local.tzinfo)
    fraction = (local - midnight).total_seconds() / 86400
    return round(_x(local.date(), start, px) + fraction * px, 2)


def _task_order(task: Task) -> tuple:
    """By start, then due date, then id; a lone due date counts as the start of its 1-day bar,
    and tasks without dates come last."""
    start = task.start_date or task.due_date
    due = task.due_date or start
    return (start is None, start or datetime.date.min, due or datetime.date.min, task.pk or 0)


def _review_date(review: Milestone) -> datetime.date:
    return timezone.localdate(review.held_at or review.scheduled_for)


def _bounded(
    first: datetime.date, last: datetime.date, today: datetime.date, days: int
) -> tuple[datetime.date, datetime.date]:
    """`first`–`last` cut to at most `days` around today (a quarter of them before it)."""
    if (last - first).days <= days:
        return first, last
    first = max(first, today - datetime.timedelta(days=days // 4))
    return first, min(last, first + datetime.timedelta(days=days))


def _chart_range(
    first: datetime.date, last: datetime.date, zoom: Zoom
) -> tuple[datetime.date, datetime.date]:
    """Whole weeks (from Monday) or whole months around the dates, with a little room."""
    first -= datetime.timedelta(days=PADDING_DAYS)
    last += datetime.timedelta(days=PADDING_DAYS + 1)
    if zoom == Zoom.MONTH:
        start = first.replace(day=1)
        end = last if last.day == 1 else _next_month(last)
    else:
        start = first - datetime.timedelta(days=first.weekday())
        end = last + datetime.timedelta(days=(7 - last.weekday()) % 7)
    return start, end


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _tick_days(start: datetime.date, end: datetime.date, zoom: Zoom) -> list[datetime.date]:
    days, day = [], start
    while day < end:
        days.append(day)
        day = _next_month(day) if zoom == Zoom.MONTH else day + datetime.timedelta(days=7)
    return days


def _stage_periods(
    project: Project, transitions: Iterable[StageTransition]
) -> list[tuple[Stage, datetime.datetime, datetime.datetime | None]]:
    """(stage, entered, left) from the history; the current stage has not been left."""
    periods = []
    stage, entered = Stage.INITIATION, project.created_at
    for row in sorted(transitions, key=lambda row: (row.created_at, row.pk or 0)):
        # The same test as lifecycle.stage_durations: only a change of stage starts a period.
        if row.kind == TransitionKind.APPROVAL or row.from_stage != row.to_stage:
            periods.append((stage, entered, row.created_at))
            stage, entered = Stage(row.to_stage), row.created_at
    periods.append((stage, entered, None))
    return periods


def _row(task: Task, index: int, *, start: datetime.date, px: int, today: datetime.date) -> Row:
    done = task.status == TaskStatus.DONE
    first = task.start_date or task.due_date
    last = task.due_date or task.start_date
    row = Row(
        task=task,
        index=index,
        y=ROWS_TOP + index * ROW_HEIGHT,
        start=first,
        end=last,
        progress=100 if done else min(max(task.progress, 0), 100),
        done=done,
        overdue=not done and task.due_date is not None and task.due_date < today,
    )
    if first is None:
        return row
    if task.is_milestone:
        row.milestone = Diamond(
            cx=_x(last, start, px) + px / 2, cy=row.middle, radius=MILESTONE_RADIUS
        )
        return row
    x = _x(first, start, px)
    width = ((last - first).days + 1) * px
    row.bar = Bar(
        x=x,
        width=width,
        y=row.middle - BAR_HEIGHT / 2,
        height=BAR_HEIGHT,
        progress_width=round(width * row.progress / 100, 2),
    )
    return row


def _arrow(prerequisite: Row, dependent: Row) -> Arrow | None:
    if prerequisite.right is None or dependent.left is None:
        return None  # a task without dates has nowhere to draw from or to
    x1, y1, x2, y2 = prerequisite.right, prerequisite.middle, dependent.left, dependent.middle
    if x2 - x1 >= 2 * ARROW_GAP:
        path = f"M{_n(x1)},{_n(y1)} H{_n(x1 + ARROW_GAP)} V{_n(y2)} H{_n(x2)}"
    else:
        # The dependent starts before the prerequisite ends (or just after): go round, along
        # the border between the rows, so the line does not cross the bars.
        border = y2 - ROW_HEIGHT / 2 if y2 > y1 else y2 + ROW_HEIGHT / 2
        path = (
            f"M{_n(x1)},{_n(y1)} H{_n(x1 + ARROW_GAP)} V{_n(border)} "
            f"H{_n(x2 - ARROW_GAP)} V{_n(y2)} H{_n(x2)}"
        )
    return Arrow(
        prerequisite_id=prerequisite.task.pk,
        dependent_id=dependent.task.pk,
        x1=x1,
        y1=y1,
        x2=x2,
        y2=y2,
        path=path,
        prerequisite=prerequisite.task,
        dependent=dependent.task,
    )
