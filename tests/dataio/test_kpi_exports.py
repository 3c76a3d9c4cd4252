"""KPI snapshot downloads: CSV (with a BOM) and Excel, only what the reader may see, the latest
day by default or a date range of at most a year."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from insights.models import PortfolioSnapshot, ProjectSnapshot
from projects.models import Stage
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECTS_CSV = reverse("dataio:kpi_project_export", args=["csv"])
PORTFOLIO_CSV = reverse("dataio:kpi_portfolio_export", args=["csv"])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def rolled(manager):
    """Two days of snapshots: the manager's project and someone else's."""
    mine = ProjectFactory(owner=manager, stage=Stage.EXECUTION, name="我的项目")
    theirs = ProjectFactory(owner=UserFactory(username="other-manager"), stage=Stage.STRATEGY)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for day in (yesterday, None):
        project_snapshots_rollup(day=day)
        portfolio_rollup(day=day)
    return mine, theirs


def test_login_is_required(client):
    assert client.get(PROJECTS_CSV).status_code == 302
    assert client.get(PORTFOLIO_CSV).status_code == 302


def test_project_snapshots_latest_day_and_visibility(client, manager, director, rolled):
    mine, theirs = rolled
    client.force_login(manager)
    with translation.override("en"):
        rows = csv_rows(client.get(PROJECTS_CSV, HTTP_ACCEPT_LANGUAGE="en"))
    assert column(rows, "name") == ["我的项目"]  # only the latest day, only what they may see
    assert column(rows, "day") == [timezone.localdate().isoformat()]
    assert column(rows, "stage") == ["Execution"]
    assert "open risks: Critical" in rows[0] and "health reasons" in rows[0]

    client.force_login(director)
    rows = csv_rows(client.get(PROJECTS_CSV))
    assert len(rows) == 3  # the header and both projects
    rows = csv_rows(client.get(PROJECTS_CSV, {"owner": theirs.owner_id}))
    assert len(rows) == 2 and rows[1][1] == theirs.code


def test_a_date_range_holds_every_day(client, director, rolled):
    client.force_login(director)
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=1)).isoformat()
    rows = csv_rows(client.get(PROJECTS_CSV, {"day_from": since, "day_to": today.isoformat()}))
    assert len(rows) == 1 + 2 * 2
    assert ProjectSnapshot.objects.count() == 4


@pytest.mark.parametrize(
    "query",
    [
        {"day_from": "2026-01-01"},  # a range needs both ends
        {"day_from": "2024-01-01", "day_to": "2026-01-01"},  # more than a year
        {"day_from": "yesterday", "day_to": "2026-01-01"},
        {"health": "purple"},
    ],
)
def test_bad_input_is_a_400_not_a_file(client, director, rolled, query):
    client.force_login(director)
    response = client.get(PROJECTS_CSV, query)
    assert response.status_code == 400
    assert not response.content.startswith("\ufeff".encode())


def test_the_portfolio_is_for_directors_each_owner_reads_their_row(
    client, manager, director, rolled
):
    client.force_login(manager)
    rows = csv_rows(client.get(PORTFOLIO_CSV, HTTP_ACCEPT_LANGUAGE="en"))
    assert [(row[1], row[2]) for row in rows[1:]] == [("Owner", str(manager.pk))]

    client.force_login(director)
    with translation.override("en"):
        rows = csv_rows(client.get(PORTFOLIO_CSV, HTTP_ACCEPT_LANGUAGE="en"))
    today = timezone.localdate().isoformat()
    expected = PortfolioSnapshot.objects.filter(day=today).count()
    assert len(rows) == 1 + expected
    overall = next(row for row in rows[1:] if row[1] == "Overall")
    assert overall[rows[0].index("open projects")] == "2"
    assert overall[rows[0].index("name")] == "Overall"
    owner_row = next(row for row in rows[1:] if row[2] == str(manager.pk))
    assert owner_row[rows[0].index("name")] == str(manager)


def test_the_portfolio_range_and_filters(client, director, rolled):
    client.force_login(director)
    today = timezone.localdate()
    query = {
        "dimension": "overall",
        "day_from": (today - datetime.timedelta(days=30)).isoformat(),
        "day_to": today.isoformat(),
    }
    rows = csv_rows(client.get(PORTFOLIO_CSV, query))
    assert [row[0] for row in rows[1:]] == [
        today.isoformat(),
        (today - datetime.timedelta(days=1)).isoformat(),
    ]


def test_excel_holds_the_same_rows(client, director, rolled):
    client.force_login(director)
    response = client.get(reverse("dataio:kpi_project_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert client.get(reverse("dataio:kpi_project_export", args=["pdf"])).status_code == 404


def test_the_query_count_does_not_grow_with_the_rows(client, director, manager, rolled):
    client.force_login(director)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = (queries(PROJECTS_CSV), queries(PORTFOLIO_CSV))
    for _ in range(10):
        ProjectFactory(owner=UserFactory(role=Role.SALES_MANAGER), stage=Stage.EXECUTION)
    project_snapshots_rollup()
    portfolio_rollup()
    assert (queries(PROJECTS_CSV), queries(PORTFOLIO_CSV)) == few


def test_the_dashboard_links_the_downloads_with_its_filter(client, director, rolled):
    client.force_login(director)
    html = client.get(reverse("insights:dashboard"), {"region": "east"}).content.decode()
    assert f'{PROJECTS_CSV}?region=east"' in html
    assert f"{PORTFOLIO_CSV}?dimension=region&amp;key=east&amp;day_from=" in html
