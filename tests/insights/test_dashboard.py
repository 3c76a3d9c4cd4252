"""The director's dashboard on a crafted portfolio whose figures are known by hand."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from insights.models import PortfolioSnapshot, ProjectSnapshot
from projects.models import Project, Stage, StagePolicy, StageTransition, TransitionKind
from tests.factories import (
    DepartmentFactory,
    ProjectFactory,
    RiskFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("insights:dashboard")


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def table(response, name: str) -> list[list[str]]:
    """The cells' texts, row by row, of the table `data-testid="table-<name>"`."""
    html = response.content.decode()
    found = re.search(rf'<table[^>]*data-testid="table-{name}".*?</table>', html, re.S)
    assert found, name
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(0), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in rows
    ]


def row_of(rows: list[list[str]], label: str) -> list[str]:
    return next(row for row in rows if row and row[0] == label)


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_directors_see_it(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_the_nav_links_it_for_directors_only(client, director, manager):
    client.force_login(director)
    assert 'data-testid="nav-dashboard"' in client.get(reverse("home")).content.decode()
    client.force_login(manager)
    assert 'data-testid="nav-dashboard"' not in client.get(reverse("home")).content.decode()


def test_it_says_the_rollup_runs_nightly_before_any_snapshot(client, director):
    client.force_login(director)
    response = client.get(URL)
    assert response.status_code == 200
    assert b'data-testid="dashboard-empty"' in response.content
    assert b"runs every night" in response.content
    # The filters offer their choices already: departments and the people who may own projects.
    department = DepartmentFactory(code="north")
    owner = UserFactory(username="olga", role=Role.SALES_MANAGER)
    html = client.get(URL).content.decode()
    assert f'<option value="{department.code}"' in html
    assert f'<option value="{owner.pk}"' in html
    assert f'<option value="{director.pk}"' in html


def test_it_draws_every_chart(client, director, book):
    client.force_login(director)
    html = client.get(URL).content.decode()
    for chart in [
        "chart-success-rate",
        "chart-pipeline",
        "chart-funnel",
        "chart-stage-days",
        "chart-numbers",
        "risk-matrix",
        "chart-workload",
        "chart-red",
    ]:
        assert f'data-testid="{chart}"' in html, chart
    assert "<svg" in html and "<title>" in html


def test_the_tables_hold_the_crafted_figures(client, director, book):
    client.force_login(director)
    response = client.get(URL)
    html = response.content.decode()
    assert 'data-testid="success-rate">50%' in html
    trend = table(response, "success-rate")
    assert [cells[1] for cells in trend[1:]] == ["25%", "50%"]
    assert html.count('class="chart-point"') == 2

    pipeline = table(response, "pipeline")
    execution = row_of(pipeline, "Execution")
    probability = StagePolicy.objects.get(stage=Stage.EXECUTION).win_probability
    assert execution[1] == "1,500,000"
    assert execution[2] == f"{Decimal(1500000) * probability / 100:,.0f}"
    assert row_of(pipeline, "Strategy")[1] == "200,000"

    funnel = table(response, "funnel")
    assert row_of(funnel, "Initiation")[1:] == ["0", "3", "100%"]
    assert row_of(funnel, "Strategy")[1:] == ["1", "3", "66.7%"]
    assert row_of(funnel, "Execution")[1:] == ["2", "2", "0%"]

    days = table(response, "stage-days")
    expected = (
        sum(
            ProjectSnapshot.objects.filter(stage=Stage.EXECUTION).values_list(
                "days_in_stage", flat=True
            )
        )
        / 2
    )
    # No stage history in this book: no finished stays; today's open projects only.
    assert row_of(days, "Execution")[1:3] == ["0", "0"]
    assert row_of(days, "Execution")[3] == f"{round(expected, 1):g}"
    assert row_of(days, "Execution")[4] == str(
        StagePolicy.objects.get(stage=Stage.EXECUTION).norm_days
    )
    assert row_of(table(response, "closed"), "Won")[1] == "2"
    assert row_of(table(response, "closed"), "Lost")[1] == "2"

    assert row_of(table(response, "risks"), "Critical")[1] == "1"
    assert 'data-testid="risk-cell-5-5" data-level="critical" data-count="1"' in html
    assert row_of(table(response, "workload"), "Operations")[1:] == ["2", "1"]
    red = table(response, "red")
    assert len(red) == 2  # the header and the big project
    assert book["big"].name in red[1][0]
    assert "1 critical risks open" in red[1][1]


def test_a_filter_changes_the_figures(client, director, book):
    client.force_login(director)
    response = client.get(URL, {"department": "east"})
    assert b'data-testid="success-rate">66.7%' in response.content
    assert row_of(table(response, "pipeline"), "Execution")[1] == "1,000,000"
    assert row_of(table(response, "workload"), "Operations")[1:] == ["1", "1"]

    response = client.get(URL, {"region": "south"})
    assert b'data-testid="success-rate">0%' in response.content
    assert row_of(table(response, "pipeline"), "Execution")[1] == "500,000"
    assert table(response, "red")[1] == ["No project is in red."]


def test_only_the_first_filter_counts_and_it_says_so(client, director, book):
    client.force_login(director)
    response = client.get(URL, {"department": "west", "industry": "energy"})
    assert b"showing Department; ignored Industry." in response.content
    assert row_of(table(response, "pipeline"), "Execution")[1] == "500,000"


def test_the_period_picks_the_window_and_the_trend_span(client, director, book):
    PortfolioSnapshot.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=60),
        dimension="overall",
        key="",
        won_90=3,
        lost_90=1,
        won_365=3,
        lost_365=1,
    )
    client.force_login(director)
    assert len(table(client.get(URL), "success-rate")) == 4  # the header and three days
    response = client.get(URL, {"period": "30"})
    assert len(table(response, "success-rate")) == 3
    assert b"Success rate (90 days)" in response.content


def test_figures_link_to_the_filtered_lists(client, director, book):
    client.force_login(director)
    html = client.get(URL, {"owner": book["erin"].pk}).content.decode()
    assert f'href="/projects/?stage=execution&amp;owner={book["erin"].pk}"' in html
    assert f'href="{book["big"].get_absolute_url()}"' in html
    erin = book["erin"].pk
    assert f'href="/risks/?project_owner={erin}&amp;probability=5&amp;impact=5"' in html
    html = client.get(URL).content.decode()
    assert 'href="/risks/?probability=5&amp;impact=5"' in html
    assert 'href="/projects/?stage=strategy"' in html


def test_finished_stays_come_from_the_stage_history(client, director, book):
    """The big project spent 12 days in strategy before moving to execution 4 days ago."""
    move = StageTransition.objects.create(
        project=book["big"],
        from_stage=Stage.STRATEGY,
        to_stage=Stage.EXECUTION,
        kind=TransitionKind.ADVANCE,
        actor=book["erin"],
    )
    StageTransition.objects.filter(pk=move.pk).update(created_at=ago(4))
    Project.objects.filter(pk=book["big"].pk).update(created_at=ago(16))
    portfolio_rollup()
    client.force_login(director)
    days = table(client.get(URL), "stage-days")
    assert row_of(days, "Strategy")[1:3] == ["12", "1"]
    assert row_of(days, "Initiation")[1:3] == ["0", "0"]


def test_every_figure_links_to_its_list_with_the_filter(client, director, book):
    """Each link carries the dashboard's department, and the list behind it shows the figure."""
    client.force_login(director)
    html = client.get(URL, {"department": "east"}).content.decode()
    links = set(re.findall(r'href="([^"]+)"', html.replace("&amp;", "&")))

    stage = "/projects/?stage=execution&department=east"
    assert stage in links
    listed = client.get(stage).content.decode()
    assert book["big"].name in listed
    assert Project.objects.get(owner=book["will"], stage=Stage.EXECUTION).name not in listed

    since = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    won = f"/projects/?stage=closed&outcome=won&closed_from={since}&department=east"
    assert won in links
    assert client.get(won).content.decode().count('data-testid="project-row-') == 2

    assert "/projects/?looped=true&active=true&department=east" in links
    assert reverse("monitoring:portfolio_reviews") in links

    cell = "/risks/?department=east&probability=5&impact=5"
    assert cell in links
    register = client.get(cell).content.decode()
    assert register.count('data-testid="risk-row-') == 1

    ops = Department.objects.get(code="ops").pk
    open_tasks = (
        f"/tasks/?status=todo&status=in_progress&status=blocked&department={ops}"
        "&project_department=east"
    )
    assert open_tasks in links
    overdue = open_tasks.replace("&project_department", "&overdue=true&project_department")
    assert overdue in links
    assert client.get(overdue).content.decode().count('<tr data-testid="task-') == 1
    listed = client.get(open_tasks).content.decode()
    assert listed.count('<tr data-testid="task-') == 1  # east's open ops task; west's is not


def test_the_red_list_shows_a_screenful_and_links_to_all(client, director, book, monkeypatch):
    """Two projects in red, one shown (the most valuable); the count links to both."""
    from insights import dashboard

    monkeypatch.setattr(dashboard, "RED_SHOWN", 1)
    other = ProjectFactory(owner=book["will"], stage=Stage.STRATEGY, estimated_value=Decimal(5))
    RiskFactory(project=other, probability=5, impact=5)
    project_snapshots_rollup()
    portfolio_rollup()
    client.force_login(director)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    red = table(response, "red")
    assert len(red) == 2 and book["big"].name in red[1][0]
    html = response.content.decode()
    assert 'href="/projects/?health=red" data-testid="red-link">2 projects in red' in html
    listed = client.get("/projects/?health=red").content.decode()
    assert listed.count('data-testid="project-row-') == 2
    assert client.get("/projects/?health=green").content.decode().count("project-row-") == 2


def test_the_query_count_does_not_grow_with_the_portfolio(client, director, manager):
    def queries() -> int:
        project_snapshots_rollup()
        portfolio_rollup()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    client.force_login(director)
    for _ in range(2):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        RiskFactory(project=project, probability=5, impact=5)
        TaskFactory(project=project, department=DepartmentFactory())
    few = queries()
    for _ in range(18):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        RiskFactory(project=project, probability=5, impact=5)
        TaskFactory(project=project, department=DepartmentFactory())
    assert queries() == few


def test_every_share_on_the_dashboard_is_written_one_way(client, director, book):
    """85.7%, 60% — never "85.7 %" beside "60.0%"."""
    import re

    client.force_login(director)
    html = client.get(URL).content.decode()

    shares = re.findall(r"\d[\d.,]*\s*%", html)
    assert shares
    assert [s for s in shares if re.search(r"\s%|\.0%", s)] == []
