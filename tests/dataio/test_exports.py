"""Exports: CSV with a BOM and Excel files of the project list (with its filters), a project's
tasks, the risk registers and the reviews, in the reader's language, only what they may see,
in a number of queries that does not grow with the rows."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Stage
from tests.factories import (
    CustomerFactory,
    ProjectFactory,
    ReviewMeetingFactory,
    RiskFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response) if response.streaming else response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_project_csv_has_a_bom_and_chinese_round_trips(client, director):
    director.language = "zh-hans"
    director.save()
    ProjectFactory(name="华东物流平台", customer=CustomerFactory(name="上海港务集团"))
    client.force_login(director)

    response = client.get(reverse("dataio:project_list_export", args=["csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, row = csv_rows(response)
    assert header[:3] == ["代码", "名称", "客户"]
    assert row[1:3] == ["华东物流平台", "上海港务集团"]
    assert row[header.index("阶段")] == "项目立项"


def test_project_xlsx_opens_with_header_and_rows(client, director):
    ProjectFactory(name="Harbour ERP", stage=Stage.EXECUTION)
    ProjectFactory(name="Port CRM")
    client.force_login(director)

    response = client.get(reverse("dataio:project_list_export", args=["xlsx"]))

    rows = xlsx_rows(response)
    assert rows[0][:2] == ["code", "name"]
    assert {row[1] for row in rows[1:]} == {"Harbour ERP", "Port CRM"}
    harbour = next(row for row in rows if row[1] == "Harbour ERP")
    assert harbour[rows[0].index("stage")] == "Execution"
    assert harbour[rows[0].index("estimated contract value")] == 500000


def test_project_export_applies_the_list_filters(client, director):
    ProjectFactory(name="Harbour ERP", stage=Stage.EXECUTION)
    ProjectFactory(name="Port CRM")
    client.force_login(director)

    response = client.get(
        reverse("dataio:project_list_export", args=["csv"]), {"stage": Stage.EXECUTION}
    )

    assert [row[1] for row in csv_rows(response)[1:]] == ["Harbour ERP"]


def test_member_exports_only_their_projects(client, project, team_member):
    ProjectFactory(name="Someone else's deal")
    client.force_login(team_member)

    response = client.get(reverse("dataio:project_list_export", args=["csv"]))

    assert [row[1] for row in csv_rows(response)[1:]] == [project.name]


def test_dates_are_iso_and_formulas_stay_text(client, manager, project):
    project.name = "=HYPERLINK(1)"
    project.save()
    client.force_login(manager)

    csv_row = csv_rows(client.get(reverse("dataio:project_list_export", args=["csv"])))[1]
    xlsx = xlsx_rows(client.get(reverse("dataio:project_list_export", args=["xlsx"])))

    assert csv_row[1] == "'=HYPERLINK(1)"
    assert xlsx[1][1] == "=HYPERLINK(1)"
    assert project.expected_close_date.isoformat() in csv_row


def test_unknown_format_is_404(client, director):
    client.force_login(director)

    response = client.get(reverse("dataio:project_list_export", args=["pdf"]))

    assert response.status_code == 404


def test_export_requires_sign_in(client):
    response = client.get(reverse("dataio:project_list_export", args=["csv"]))

    assert response.status_code == 302


def test_team_member_exports_tasks(client, project, task, team_member):
    client.force_login(team_member)

    response = client.get(reverse("dataio:task_export", args=[project.pk, "xlsx"]))

    rows = xlsx_rows(response)
    assert rows[0][0] == "title"
    assert [row[0] for row in rows[1:]] == ["Prepare the pilot"]
    assert rows[1][rows[0].index("assignee")] == str(team_member)


def test_outsider_gets_404_on_a_projects_tasks(client, project, task, outsider):
    client.force_login(outsider)

    response = client.get(reverse("dataio:task_export", args=[project.pk, "csv"]))

    assert response.status_code == 404


def test_risk_export_applies_the_register_filters(client, manager, project):
    RiskFactory(project=project, title="Price war", probability=5, impact=5)
    RiskFactory(project=project, title="Late pilot", probability=1, impact=1)
    client.force_login(manager)

    response = client.get(
        reverse("dataio:risk_export", args=[project.pk, "csv"]), {"level": "critical"}
    )

    rows = csv_rows(response)
    assert [row[2] for row in rows[1:]] == ["Price war"]
    assert rows[1][rows[0].index("level")] == "Critical"


def test_portfolio_risks_only_of_visible_projects(client, manager, project):
    RiskFactory(project=project, title="Price war")
    RiskFactory(project=ProjectFactory(), title="Hidden")
    client.force_login(manager)

    response = client.get(reverse("dataio:portfolio_risk_export", args=["csv"]))

    assert [row[2] for row in csv_rows(response)[1:]] == ["Price war"]


def test_review_exports_only_visible_projects(client, manager, project):
    ReviewMeetingFactory(project=project, location="Room 1")
    ReviewMeetingFactory(project=ProjectFactory(), location="Hidden room")
    client.force_login(manager)

    portfolio = csv_rows(client.get(reverse("dataio:portfolio_review_export", args=["csv"])))
    own = xlsx_rows(client.get(reverse("dataio:review_export", args=[project.pk, "xlsx"])))

    assert [row[0] for row in portfolio[1:]] == [project.code]
    assert "Room 1" in portfolio[1]
    assert [row[0] for row in own[1:]] == [project.code]


def test_pages_link_to_the_exports(client, manager, project):
    client.force_login(manager)

    projects = client.get(reverse("projects:project_list"), {"stage": Stage.EXECUTION})
    risks = client.get(reverse("monitoring:risk_list", args=[project.pk]))
    reviews = client.get(reverse("monitoring:review_list", args=[project.pk]))

    export = reverse("dataio:project_list_export", args=["csv"])
    assert f"{export}?stage=execution" in projects.content.decode()
    assert reverse("dataio:risk_export", args=[project.pk, "xlsx"]) in risks.content.decode()
    assert reverse("dataio:review_export", args=[project.pk, "csv"]) in reviews.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_query_counts_do_not_grow_with_rows(client, manager, project, team_member, fmt):
    client.force_login(manager)
    urls = [
        reverse("dataio:project_list_export", args=[fmt]),
        reverse("dataio:task_export", args=[project.pk, fmt]),
        reverse("dataio:risk_export", args=[project.pk, fmt]),
        reverse("dataio:portfolio_risk_export", args=[fmt]),
        reverse("dataio:review_export", args=[project.pk, fmt]),
        reverse("dataio:portfolio_review_export", args=[fmt]),
    ]

    def add_rows(n: int) -> None:
        for _ in range(n):
            other = ProjectFactory(owner=manager)
            TaskFactory(project=project, assignee=team_member)
            RiskFactory(project=project, owner=team_member)
            ReviewMeetingFactory(project=project)
            RiskFactory(project=other)

    add_rows(1)
    one = [_queries(client, url) for url in urls]
    add_rows(19)
    twenty = [_queries(client, url) for url in urls]

    assert one == twenty


def test_the_task_list_and_portfolio_reviews_link_to_their_exports(client, director):
    from django.urls import reverse

    from tests.factories import ProjectFactory

    project = ProjectFactory()
    client.force_login(director)
    tasks = client.get(reverse("collaboration:task_list", args=[project.pk])).text
    reviews = client.get(reverse("monitoring:portfolio_reviews")).text
    assert reverse("dataio:task_export", args=[project.pk, "xlsx"]) in tasks
    assert reverse("dataio:portfolio_review_export", args=["csv"]) in reviews
