"""/api/v1/kpis/: the snapshots through the API, with the same visibility as the pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from insights.kpis import portfolio_rollup, project_snapshots_rollup
from projects.models import Stage
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def rolled(manager):
    mine = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    theirs = ProjectFactory(owner=UserFactory(username="other-manager"), stage=Stage.STRATEGY)
    project_snapshots_rollup()
    portfolio_rollup()
    return mine, theirs


def test_project_snapshots_follow_visibility(rolled, manager, director, outsider):
    mine, theirs = rolled
    url = reverse("api:kpi-projects")
    seen = [row["project"] for row in api(manager).get(url).json()["results"]]
    assert seen == [mine.pk]
    assert api(outsider).get(url).json()["results"] == []
    assert len(api(director).get(url).json()["results"]) == 2
    health = api(director).get(url, {"project": theirs.pk}).json()["results"][0]["health"]
    assert health in ("green", "amber", "red")


def test_the_portfolio_is_for_directors_and_each_owner_sees_their_row(rolled, manager, director):
    url = reverse("api:kpi-portfolio")
    overall = api(director).get(url, {"dimension": "overall"}).json()["results"]
    assert len(overall) == 1 and overall[0]["open_projects"] == 2
    assert "success_rate_365" in overall[0] and "weighted_forecast" in overall[0]
    rows = api(manager).get(url).json()["results"]
    assert [(row["dimension"], row["key"]) for row in rows] == [("owner", str(manager.pk))]


def test_date_range_and_bad_filters(rolled, director):
    url = reverse("api:kpi-projects")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert api(director).get(url, {"day_from": tomorrow}).json()["results"] == []
    bad = api(director).get(url, {"day_from": "not-a-day", "health": "purple"})
    assert bad.status_code == 400 and {"day_from", "health"} <= set(bad.json())


def test_kpi_lists_cost_fixed_queries(director, manager):
    ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    project_snapshots_rollup()
    portfolio_rollup()
    client = api(director)
    client.get(reverse("api:kpi-projects"))  # warm-up: the first request loads the user once
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("api:kpi-projects"))
        client.get(reverse("api:kpi-portfolio"))
    for _ in range(15):
        ProjectFactory(owner=UserFactory(), stage=Stage.STRATEGY)
    project_snapshots_rollup()
    portfolio_rollup()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("api:kpi-projects"))
        client.get(reverse("api:kpi-portfolio"))
    assert len(many) == len(one)
