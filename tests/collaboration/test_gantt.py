"""The Gantt chart: its layout (pure, from rows in memory) and its page (access, zoom, queries)."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from collaboration.gantt import (
    MILESTONE_RADIUS,
    PX_PER_DAY,
    Zoom,
    gantt_layout,
    project_gantt,
)
from collaboration.models import Task, TaskStatus
from monitoring.models import ReviewMeeting
from projects.models import Project, Stage, StageTransition, TransitionKind
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    TaskFactory,
)

TODAY = datetime.date(2026, 3, 18)  # a Wednesday
SVG = "{http://www.w3.org/2000/svg}"


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def at(offset: int, hour: int = 9) -> datetime.datetime:
    moment = datetime.datetime.combine(day(offset), datetime.time(hour))
    return timezone.make_aware(moment)


def task(pk: int, start: int | None = None, due: int | None = None, **fields) -> Task:
    return Task(
        pk=pk,
        title=f"Task {pk}",
        start_date=None if start is None else day(start),
        due_date=None if due is None else day(due),
        **fields,
    )


def layout(tasks=(), edges=(), reviews=(), transitions=(), zoom=Zoom.WEEK, created=-30):
    return gantt_layout(
        project=Project(pk=1, created_at=at(created)),
        tasks=tasks,
        edges=edges,
        reviews=reviews,
        transitions=transitions,
        today=TODAY,
        zoom=zoom,
    )


def row_of(gantt, pk: int):
    return next(row for row in gantt.rows if row.task.pk == pk)


# --- layout -----------------------------------------------------------------------------------
def test_bars_run_from_start_to_due_in_date_order():
    gantt = layout([task(1, start=10, due=14), task(2, start=0, due=3), task(3, start=0, due=1)])

    assert [row.task.pk for row in gantt.rows] == [3, 2, 1]
    early, late = row_of(gantt, 2), row_of(gantt, 1)
    assert early.bar.x == gantt.x_of(day(0))
    assert early.bar.width == 4 * gantt.px_per_day  # start and due day both included
    assert late.bar.x == gantt.x_of(day(10))
    assert early.bar.end < late.bar.x
    assert early.y < late.y


def test_a_task_with_one_date_gets_a_one_day_bar():
    gantt = layout([task(1, due=5), task(2, start=2)])

    due_only, start_only = row_of(gantt, 1), row_of(gantt, 2)
    assert (due_only.bar.x, due_only.bar.width) == (gantt.x_of(day(5)), gantt.px_per_day)
    assert (start_only.bar.x, start_only.bar.width) == (gantt.x_of(day(2)), gantt.px_per_day)
    assert [row.task.pk for row in gantt.rows] == [2, 1]  # a lone due date orders as the start


def test_a_task_without_dates_is_listed_last_without_a_bar():
    gantt = layout([task(1), task(2, start=1, due=2)])

    undated = row_of(gantt, 1)
    assert [row.task.pk for row in gantt.rows] == [2, 1]
    assert undated.bar is None and undated.milestone is None and not undated.has_dates


def test_progress_fill_is_proportional_to_progress():
    gantt = layout([task(1, start=0, due=9, progress=40)])

    bar = row_of(gantt, 1).bar
    assert bar.progress_width == pytest.approx(bar.width * 0.4)


def test_a_done_task_is_filled_completely_whatever_its_progress():
    gantt = layout([task(1, start=-9, due=-5, progress=30, status=TaskStatus.DONE)])

    row = row_of(gantt, 1)
    assert row.done and row.progress == 100
    assert row.bar.progress_width == row.bar.width
    assert not row.overdue


def test_only_open_tasks_past_their_due_date_are_overdue():
    gantt = layout(
        [
            task(1, start=-5, due=-1),
            task(2, start=-5, due=0),
            task(3, start=-5, due=-1, status=TaskStatus.DONE),
        ]
    )

    assert [row_of(gantt, pk).overdue for pk in (1, 2, 3)] == [True, False, False]


def test_a_milestone_is_a_diamond_at_its_due_date():
    gantt = layout([task(1, start=0, due=6, is_milestone=True)])

    row = row_of(gantt, 1)
    assert row.bar is None
    assert row.milestone.cx == gantt.x_of(day(6)) + gantt.px_per_day / 2
    assert row.milestone.cy == row.middle
    points = [tuple(map(float, point.split(","))) for point in row.milestone.points.split()]
    cx, cy, r = row.milestone.cx, row.milestone.cy, MILESTONE_RADIUS
    assert sorted(points) == sorted([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)])


def test_a_dependency_arrow_goes_from_the_prerequisites_end_to_the_dependents_start():
    gantt = layout([task(1, start=0, due=3), task(2, start=6, due=8)], edges=[(1, 2)])

    (arrow,) = gantt.arrows
    prerequisite, dependent = row_of(gantt, 1), row_of(gantt, 2)
    assert (arrow.x1, arrow.y1) == (prerequisite.bar.end, prerequisite.middle)
    assert (arrow.x2, arrow.y2) == (dependent.bar.x, dependent.middle)
    assert arrow.path.startswith(f"M{arrow.x1:g},{arrow.y1:g} ")
    assert arrow.path.endswith(f"V{arrow.y2:g} H{arrow.x2:g}")
    assert dependent.dependencies == [prerequisite.task]


def test_an_arrow_to_a_task_that_starts_too_early_goes_round_and_still_ends_at_its_start():
    gantt = layout([task(1, start=0, due=5), task(2, start=2, due=8)], edges=[(1, 2)])

    (arrow,) = gantt.arrows
    assert arrow.x2 < arrow.x1
    assert arrow.path.endswith(f"V{arrow.y2:g} H{arrow.x2:g}")
    assert arrow.x2 == row_of(gantt, 2).bar.x


def test_arrows_reach_milestones_and_skip_tasks_without_dates():
    gantt = layout(
        [task(1, start=0, due=3), task(2, due=9, is_milestone=True), task(3)],
        edges=[(1, 2), (2, 3), (3, 1)],
    )

    (arrow,) = gantt.arrows
    milestone = row_of(gantt, 2).milestone
    assert (arrow.prerequisite_id, arrow.dependent_id) == (1, 2)
    assert arrow.x2 == milestone.cx - milestone.radius


def test_stage_bands_follow_the_history():
    created = at(-40)
    history = [
        StageTransition(
            pk=1,
            from_stage=Stage.INITIATION,
            to_stage=Stage.GOAL_SETTING,
            kind=TransitionKind.ADVANCE,
            created_at=at(-30, hour=15),
        ),
        StageTransition(
            pk=2,
            from_stage=Stage.GOAL_SETTING,
            to_stage=Stage.RESOURCE_ALLOCATION,
            kind=TransitionKind.APPROVAL,
            created_at=at(-20),
        ),
    ]
    gantt = layout(transitions=reversed(history), created=-40)

    assert [band.stage for band in gantt.bands] == [
        Stage.INITIATION,
        Stage.GOAL_SETTING,
        Stage.RESOURCE_ALLOCATION,
    ]
    first, second, current = gantt.bands
    px = gantt.px_per_day
    assert first.start == created and first.end == history[0].created_at
    assert first.x == gantt.x_of(day(-40)) + px * 9 / 24
    assert first.x + first.width == second.x == gantt.x_of(day(-30)) + px * 15 / 24
    assert second.x + second.width == current.x
    assert current.end is None
    assert current.x + current.width == gantt.width  # the current stage runs to the chart's end
    with translation.override("en"):
        assert [band.label for band in gantt.bands] == [
            "Initiation",
            "Goal setting",
            "Resource allocation",
        ]


def test_a_loop_back_shows_the_stage_again():
    loop = StageTransition(
        pk=1,
        from_stage=Stage.MONITORING,
        to_stage=Stage.EXECUTION,
        kind=TransitionKind.LOOP,
        created_at=at(-5),
    )
    earlier = [
        StageTransition(
            pk=0, from_stage=a, to_stage=b, kind=TransitionKind.ADVANCE, created_at=at(n)
        )
        for n, (a, b) in enumerate(zip(list(Stage)[:5], list(Stage)[1:6], strict=True), start=-25)
    ]

    gantt = layout(transitions=[*earlier, loop], created=-30)

    assert [band.stage for band in gantt.bands][-3:] == [
        Stage.EXECUTION,
        Stage.MONITORING,
        Stage.EXECUTION,
    ]


def test_the_today_line_is_in_the_middle_of_today():
    gantt = layout([task(1, start=-3, due=-1), task(2, start=1, due=2)])

    assert gantt.today_x == gantt.x_of(TODAY) + gantt.px_per_day / 2
    assert row_of(gantt, 1).bar.end < gantt.today_x < row_of(gantt, 2).bar.x


def test_month_zoom_draws_days_narrower_with_month_ticks():
    tasks = [task(1, start=-50, due=-10), task(2, start=0, due=60)]

    week, month = layout(tasks, zoom=Zoom.WEEK), layout(tasks, zoom=Zoom.MONTH)

    assert week.px_per_day == PX_PER_DAY[Zoom.WEEK] > month.px_per_day == PX_PER_DAY[Zoom.MONTH]
    assert row_of(week, 1).bar.width / row_of(month, 1).bar.width == week.px_per_day / (
        month.px_per_day
    )
    assert week.start.weekday() == 0
    assert all(tick.date.weekday() == 0 for tick in week.ticks)
    assert {(b.date - a.date).days for a, b in zip(week.ticks, week.ticks[1:], strict=False)} == {7}
    assert month.start.day == 1
    assert all(tick.date.day == 1 for tick in month.ticks)
    assert [tick.date.month for tick in month.ticks][:3] == [1, 2, 3]
    for gantt in (week, month):
        assert gantt.start <= day(-50) and gantt.end > day(60)
        assert all(tick.x == gantt.x_of(tick.date) for tick in gantt.ticks)


def test_reviews_are_marked_on_their_day_held_or_scheduled():
    held = ReviewMeeting(pk=1, scheduled_for=at(-8), held_at=at(-7), decision="continue")
    scheduled = ReviewMeeting(pk=2, scheduled_for=at(4))

    gantt = layout(reviews=[scheduled, held])

    first, second = gantt.reviews
    assert (first.review, first.held, first.date) == (held, True, day(-7))
    assert (second.review, second.held, second.date) == (scheduled, False, day(4))
    assert second.cx == gantt.x_of(day(4)) + gantt.px_per_day / 2
    assert first.cy == second.cy < gantt.rows_top


def test_an_unknown_zoom_is_refused_by_the_layout():
    with pytest.raises(ValueError):
        layout(zoom="decade")


# --- the page ---------------------------------------------------------------------------------
@pytest.fixture
def project(manager):
    return ProjectFactory(owner=manager)


@pytest.fixture
def team_member(project, member):
    ProjectMembershipFactory(project=project, user=member)
    return member


def url(project, **query) -> str:
    query_string = "&".join(f"{key}={value}" for key, value in query.items())
    return reverse("collaboration:project_gantt", args=[project.pk]) + (
        f"?{query_string}" if query else ""
    )


def svg_of(response) -> ET.Element:
    """The chart, parsed as XML: it must be well-formed to be parsed at all."""
    body = response.content.decode()
    match = re.search(r'<svg xmlns="http://www.w3.org/2000/svg".*?</svg>', body, re.S)
    return ET.fromstring(match.group(0))


def by_testid(svg: ET.Element, testid: str) -> ET.Element:
    (element,) = [el for el in svg.iter() if el.get("data-testid") == testid]
    return element


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, project):
    response = client.get(url(project))

    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize(
    ("who", "status"), [("team_member", 200), ("director", 200), ("outsider", 404)]
)
def test_only_people_who_see_the_project_see_its_chart(client, request, project, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(project)).status_code == status


def test_the_chart_draws_bars_milestones_reviews_bands_and_today(client, team_member, project):
    today = timezone.localdate()

    def days(n: int) -> datetime.date:
        return today + datetime.timedelta(days=n)

    done = TaskFactory(
        project=project,
        title="Site survey",
        start_date=days(-6),
        due_date=days(-2),
        status=TaskStatus.DONE,
        progress=50,
    )
    late = TaskFactory(
        project=project, title="Send offer", start_date=days(-3), due_date=days(-1), progress=20
    )
    milestone = TaskFactory(
        project=project, title="Contract signed", due_date=days(10), is_milestone=True
    )
    undated = TaskFactory(project=project, title="Find a sponsor")
    late.dependencies.add(done)
    review = ReviewMeetingFactory(project=project)
    client.force_login(team_member)
    client.cookies.load({"salescycle_language": "en"})

    response = client.get(url(project))

    svg = svg_of(response)
    assert svg.get("data-zoom") == "week"
    done_bar = by_testid(svg, f"gantt-bar-{done.pk}")
    late_bar = by_testid(svg, f"gantt-bar-{late.pk}")
    assert "done" in done_bar.get("class").split() and done_bar.get("data-progress") == "100"
    assert "overdue" in late_bar.get("class").split() and late_bar.get("data-progress") == "20"
    assert done_bar.get("href") == f"{project.get_absolute_url()}#task-{done.pk}"
    tooltip = done_bar.find(f"{SVG}title").text
    assert "Site survey" in tooltip and "100% done" in tooltip
    track, fill = done_bar.findall(f"{SVG}rect")
    assert float(track.get("width")) == float(fill.get("width"))
    assert by_testid(svg, f"gantt-milestone-{milestone.pk}").find(f"{SVG}polygon") is not None
    assert by_testid(svg, f"gantt-arrow-{done.pk}-{late.pk}").get("marker-end")
    assert "scheduled" in by_testid(svg, f"gantt-review-{review.pk}").get("class")
    assert by_testid(svg, "gantt-band-initiation").find(f"{SVG}text").text == "Initiation"
    assert by_testid(svg, "gantt-today").get("data-date") == today.isoformat()
    assert by_testid(svg, f"gantt-no-dates-{undated.pk}").text == "no dates"
    body = response.content.decode()
    assert f'data-testid="gantt-task-{undated.pk}"' in body  # the table lists every task
    assert 'href="?zoom=month"' in body


def test_month_zoom_is_chosen_by_the_query(client, team_member, project):
    client.force_login(team_member)

    svg = svg_of(client.get(url(project, zoom="month")))

    assert svg.get("data-zoom") == "month"
    assert svg.get("data-px-per-day") == str(PX_PER_DAY[Zoom.MONTH])


@pytest.mark.parametrize("zoom", ["decade", "", "MONTH", "%00", "week%27"])
def test_an_odd_zoom_falls_back_to_weeks(client, team_member, project, zoom):
    client.force_login(team_member)

    response = client.get(url(project, zoom=zoom))

    assert response.status_code == 200
    assert svg_of(response).get("data-zoom") == "week"


def test_the_chart_renders_in_chinese(client, team_member, project):
    TaskFactory(project=project, start_date=timezone.localdate(), due_date=timezone.localdate())
    client.force_login(team_member)
    client.cookies.load({"salescycle_language": "zh-hans"})

    response = client.get(url(project, zoom="month"))

    assert response.status_code == 200
    svg_of(response)  # still well-formed, numbers not localised


def test_the_project_page_links_to_the_chart(client, team_member, project):
    client.force_login(team_member)

    body = client.get(project.get_absolute_url()).content.decode()

    assert f'href="{url(project)}"' in body


def _fill(project, count: int) -> None:
    start = timezone.localdate() - datetime.timedelta(days=20)
    previous = None
    for n in range(count):
        new = TaskFactory(
            project=project,
            assignee=ProjectMembershipFactory(project=project).user,
            start_date=start + datetime.timedelta(days=n),
            due_date=start + datetime.timedelta(days=n + 3),
            is_milestone=n % 7 == 6,
            status=TaskStatus.DONE if n % 5 == 0 else TaskStatus.TODO,
        )
        if previous is not None:
            new.dependencies.add(previous)
        previous = new
    for n in range(min(count, 5)):
        ReviewMeetingFactory(
            project=project,
            scheduled_for=timezone.now() + datetime.timedelta(days=n * 7 - 14),
            held_at=timezone.now() if n < 2 else None,
            decision="continue" if n < 2 else "",
        )
    stages = list(Stage)[: min(count, 5) + 1]
    for n, (a, b) in enumerate(zip(stages, stages[1:], strict=False)):
        StageTransition.objects.create(
            project=project,
            from_stage=a,
            to_stage=b,
            kind=TransitionKind.ADVANCE,
            actor=project.owner,
            created_at=timezone.now() - datetime.timedelta(days=10 - n),
        )


def test_the_page_runs_the_same_number_of_queries_for_1_or_30_tasks(client, director):
    small, large = ProjectFactory(), ProjectFactory()
    _fill(small, 1)
    _fill(large, 30)
    client.force_login(director)
    client.get(url(small))  # warm up the session and role caches

    with CaptureQueriesContext(connection) as one:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(url(large))

    assert response.status_code == 200
    paths = svg_of(response).iter(f"{SVG}path")
    arrows = [path for path in paths if "gantt-arrow" in path.get("class").split()]
    assert len(arrows) == 29
    assert len(thirty) == len(one), [query["sql"] for query in thirty.captured_queries]


@pytest.mark.django_db
def test_the_chart_is_read_in_four_queries(django_assert_num_queries):
    project = ProjectFactory()
    _fill(project, 30)

    # tasks with their assignees, dependency edges, reviews, stage transitions
    with django_assert_num_queries(4):
        gantt = project_gantt(project)

    assert len(gantt.rows) == 30 and len(gantt.arrows) == 29
    assert len(gantt.reviews) == 5 and len(gantt.bands) == 6
