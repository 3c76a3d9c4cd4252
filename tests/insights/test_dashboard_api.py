"""/api/v1/dashboard/: the director's figures for a period, as on the page (tests/books.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from projects.models import Stage, StagePolicy
from tests.factories import ProjectFactory, RiskFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:dashboard")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def stage(data: dict, name: str) -> dict:
    return next(row for row in data["stages"] if row["stage"] == name)


@pytest.mark.parametrize("role", ["manager", "member", "outsider"])
def test_only_directors_read_it(request, role):
    assert api(request.getfixturevalue(role)).get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401


def test_no_content_before_the_first_rollup(director):
    assert api(director).get(URL).status_code == 204


def test_the_figures_are_the_crafted_ones(director, book):
    data = api(director).get(URL).json()
    assert (data["period"], data["window"], data["dimension"], data["key"]) == (
        365,
        365,
        "overall",
        "",
    )
    assert data["success_rate"] == 50.0 and data["target"] == 60
    assert data["closed"] == {"won": 2, "lost": 2, "cancelled": 0}
    assert [point["rate"] for point in data["trend"]] == [25.0, 50.0]
    execution = stage(data, "execution")
    probability = StagePolicy.objects.get(stage=Stage.EXECUTION).win_probability
    assert execution["value"] == "1500000.00"
    assert float(execution["weighted"]) == 1500000 * float(probability) / 100
    assert (execution["count"], execution["reached"]) == (2, 2)
    assert stage(data, "strategy")["conversion"] == 66.7
    assert data["pipeline_value"] == "1700000.00"
    assert data["risks_by_level"]["critical"] == 1
    cell = next(c for c in data["risk_cells"] if (c["probability"], c["impact"]) == (5, 5))
    assert cell == {"probability": 5, "impact": 5, "level": "critical", "count": 1}
    assert data["workload"] == [
        {"department": "ops", "name": "Operations", "open": 2, "overdue": 1}
    ]
    assert [row["id"] for row in data["red"]] == [book["big"].pk]
    assert data["red"][0]["reasons"]


def test_a_filter_and_a_period(director, book):
    east = api(director).get(URL, {"department": "east"}).json()
    assert (east["dimension"], east["key"], east["window"]) == ("department", "east", 365)
    assert east["success_rate"] == 66.7  # won 2, lost 1
    east = api(director).get(URL, {"department": "east", "period": 90}).json()
    assert east["window"] == 90 and east["success_rate"] == 50.0  # the 100-day win is out
    assert stage(east, "execution")["value"] == "1000000.00"
    south = api(director).get(URL, {"region": "south"}).json()
    assert south["success_rate"] == 0.0
    assert south["red"] == []


def test_bad_input_is_a_400_with_field_errors(director, book):
    client = api(director)
    response = client.get(URL, {"period": 7, "department": "nowhere", "owner": 999999})
    assert response.status_code == 400
    assert {"period", "department", "owner"} <= set(response.json())
    response = client.get(URL, {"department": "east", "industry": "energy"})
    assert response.status_code == 400
    assert {"department", "industry"} <= set(response.json())
    assert client.get(URL, {"owner": "abc"}).status_code == 400


def test_the_query_count_does_not_grow_with_the_portfolio(director, manager, book):
    def queries() -> int:
        project_snapshots_rollup()
        portfolio_rollup()
        reader = User.objects.get(pk=director.pk)  # nothing cached on the user object
        with CaptureQueriesContext(connection) as captured:
            assert api(reader).get(URL).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(15):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        RiskFactory(project=project, probability=5, impact=5)
    assert queries() == few


def test_it_is_in_the_openapi_schema(director):
    schema = api(director).get("/api/schema/").content.decode()
    assert "/api/v1/dashboard/" in schema
    assert "finished_days" in schema
