"""A goal, resource, strategy or lesson has an edit page of its own (GET on its section URL);
the project page links to it. Owner and directors edit; the team reads; outsiders get 404."""

import pytest
from django.urls import reverse

from projects.models import Goal, ResourceAllocation, TeamRole
from tests.browser_forms import form_with
from tests.factories import (
    GoalFactory,
    LessonFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(project):
    return {
        "goals": GoalFactory(project=project, owner=project.owner),
        "resources": ResourceAllocationFactory(project=project),
        "strategies": StrategyFactory(project=project),
        "lessons": LessonFactory(project=project),
    }


def _url(project, section, record) -> str:
    return reverse("projects:section_item_save", args=[project.pk, section, record.pk])


@pytest.mark.parametrize("section", ["goals", "resources", "strategies", "lessons"])
def test_the_project_page_links_to_each_records_edit_page(
    client, manager, project, records, section
):
    client.force_login(manager)

    page = client.get(project.get_absolute_url()).content.decode()
    edit = client.get(_url(project, section, records[section]))

    assert f'href="{_url(project, section, records[section])}"' in page
    assert edit.status_code == 200
    assert edit.context["form"].instance == records[section]


def test_a_goal_edited_in_zh_hans_keeps_its_deadline(client, manager, project, records):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    goal = records["goals"]
    url = _url(project, "goals", goal)
    data = dict(form_with(client.get(url).content.decode(), "goals-title").submission())
    data["goals-title"] = "签订一期合同"

    response = client.post(url, data)

    assert response.status_code == 302
    fresh = Goal.objects.get(pk=goal.pk)
    assert (fresh.title, fresh.deadline, fresh.target) == (
        "签订一期合同",
        goal.deadline,
        goal.target,
    )


def test_bad_input_stays_on_the_edit_page_with_the_error(client, manager, project, records):
    client.force_login(manager)
    allocation = records["resources"]
    url = _url(project, "resources", allocation)
    data = dict(form_with(client.get(url).content.decode(), "resources-kind").submission())
    data["resources-planned_cost"] = "-5"

    response = client.post(url, data)

    assert response.status_code == 400
    assert response.templates[0].name == "projects/section_item_form.html"
    assert "planned_cost" in response.context["form"].errors
    assert ResourceAllocation.objects.get(pk=allocation.pk).planned_cost == allocation.planned_cost


def test_a_team_member_cannot_open_an_edit_page(client, project, records, member):
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    client.force_login(member)

    assert client.get(_url(project, "goals", records["goals"])).status_code == 403


def test_an_outsider_gets_404(client, project, records, outsider):
    client.force_login(outsider)

    assert client.get(_url(project, "goals", records["goals"])).status_code == 404


def test_sections_without_an_edit_page_answer_404_to_get(client, manager, project):
    client.force_login(manager)
    membership = project.memberships.get()

    assert client.get(_url(project, "team", membership)).status_code == 404
    assert (
        client.get(reverse("projects:section_save", args=[project.pk, "goals"])).status_code == 404
    )
