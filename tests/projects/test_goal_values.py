"""A goal's values feed the KPI rollup (issue 16): a negative reading is refused where it enters
— the edit page in Chinese, the progress control, the API and the database — attainment is
bounded to 0–100 %, and one project whose snapshot the database refuses is skipped and named
while every other project is rolled up."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from insights.kpi_runs import kpi_run_execute
from insights.kpis import project_snapshots_rollup
from insights.models import KpiRun, KpiRunStatus, ProjectSnapshot
from projects.models import Goal
from tests.browser_forms import form_with
from tests.factories import GoalFactory, ProjectFactory, ResourceAllocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(project):
    return GoalFactory(project=project, owner=project.owner, target=Decimal(100))


def test_a_negative_current_value_is_refused_on_the_chinese_edit_page(client, manager, goal):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    url = reverse("projects:section_item_save", args=[goal.project.pk, "goals", goal.pk])
    data = dict(form_with(client.get(url).content.decode(), "goals-title").submission())
    data["goals-current_value"] = "-1000"

    response = client.post(url, data)

    assert response.status_code == 400
    assert "确保该值大于或等于0。" in response.context["form"].errors["current_value"]
    assert Goal.objects.get(pk=goal.pk).current_value == goal.current_value


def test_a_negative_progress_reading_is_refused(client, manager, goal):
    client.force_login(manager)
    url = reverse("projects:goal_progress", args=[goal.project.pk, goal.pk])

    client.post(url, {f"goal-{goal.pk}-current_value": "-1000"})

    assert Goal.objects.get(pk=goal.pk).current_value == goal.current_value


@pytest.mark.parametrize("field", ["current_value", "baseline"])
def test_the_api_answers_400_for_a_negative_goal_value(manager, goal, field):
    api = APIClient()
    api.force_authenticate(manager)
    url = reverse("api:project-goals-detail", args=[goal.project.pk, goal.pk])

    response = api.patch(url, {field: "-1000"}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert getattr(Goal.objects.get(pk=goal.pk), field) == getattr(goal, field)


def test_the_database_refuses_a_negative_goal_value(goal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=goal.pk).update(current_value=Decimal(-1000))


def test_attainment_past_the_target_counts_as_100(project, goal):
    Goal.objects.filter(pk=goal.pk).update(current_value=Decimal(100_000))

    project_snapshots_rollup()

    assert ProjectSnapshot.objects.get(project=project).goal_attainment == 100


@pytest.fixture
def refused_project(require_postgres):
    """A project whose snapshot the database will not store (a constraint added for the test:
    whatever a future bug puts in one project's facts, the effect is a refused row)."""
    project = ProjectFactory(code="P-REFUSED")
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE projects_projectsnapshot ADD CONSTRAINT test_refused "
            f"CHECK (project_id <> {int(project.pk)})"
        )
    return project


def test_one_refused_project_does_not_stop_the_rollup(refused_project):
    others = ProjectFactory.create_batch(3)

    rollup = project_snapshots_rollup()

    assert rollup.written == 3
    assert list(rollup.skipped) == ["P-REFUSED"]
    assert "test_refused" in rollup.skipped["P-REFUSED"]
    stored = set(ProjectSnapshot.objects.values_list("project", flat=True))
    assert stored == {project.pk for project in others}


def test_a_recompute_finishes_and_names_the_skipped_project(director, refused_project):
    ProjectFactory.create_batch(2)
    run = KpiRun.objects.create(started_by=director)

    run = kpi_run_execute(run_id=run.pk)

    assert run.status == KpiRunStatus.DONE
    assert run.projects_done == 2
    assert run.error.startswith("P-REFUSED: ")


def test_budgets_at_the_largest_allocation_still_roll_up(project):
    largest = Decimal("999999999999.99")  # what one allocation can hold
    ResourceAllocationFactory.create_batch(3, project=project, planned_cost=largest)

    rollup = project_snapshots_rollup()

    assert rollup.skipped == {}
    assert ProjectSnapshot.objects.get(project=project).budget_planned == 3 * largest
