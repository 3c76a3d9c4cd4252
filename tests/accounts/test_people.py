"""People pickers offer active, team-eligible people only: never the site's `admin` (a
superuser with no role) nor a deactivated account — in every form and filter that lists
people, in the pages (rendered in Chinese, as a person sees them) and the API; and a task's
stage is one of the seven open stages, never Closed."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.people import team_eligible_people
from accounts.roles import Role
from projects.models import Stage, TeamRole
from tests.factories import (
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    RiskFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Choices(HTMLParser):
    """Every choice of a page, by field name: <option> values and checkbox/radio values."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
            self.fields.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self.fields[self._select].append(attrs.get("value") or "")
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            self.fields.setdefault(attrs.get("name"), []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def choices(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    parser = Choices()
    parser.feed(response.content.decode())
    return parser.fields


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def gone(db):
    """A sales manager who has left the company: deactivated."""
    return UserFactory(username="gone-manager", role=Role.SALES_MANAGER, is_active=False)


@pytest.fixture
def superuser_director(db):
    """A director who is also a superuser is still a person of the business."""
    return UserFactory(username="root-director", role=Role.DIRECTOR, is_superuser=True)


@pytest.fixture
def crowd(project, team_member, admin_user, gone, superuser_director):
    """`admin` and the deactivated manager are on the team, hold tasks and risks, so every
    list of people drawn from the project's data would meet them."""
    for user in (admin_user, gone, superuser_director):
        ProjectMembershipFactory(project=project, user=user, role=TeamRole.MEMBER)
        TaskFactory(project=project, assignee=user)
        RiskFactory(project=project, owner=user)
    return project


def test_team_eligible_people_are_active_and_not_a_bare_superuser(
    admin_user, gone, superuser_director, member
):
    people = set(team_eligible_people())

    assert member in people
    assert superuser_director in people
    assert admin_user not in people
    assert gone not in people


def pickers(project, director) -> dict[str, tuple[str, list[str]]]:
    """Pages a director opens, and the names of the people pickers on each."""
    review = ReviewMeetingFactory(project=project)
    risk = project.risks.first()
    membership = project.memberships.first()
    return {
        "project form": (reverse("projects:project_create"), ["owner"]),
        "project page": (
            reverse("projects:project_detail", args=[project.pk]),
            ["goals-owner", "resources-person", "team-user", "reviews-attendees"],
        ),
        "task form": (reverse("collaboration:task_create", args=[project.pk]), ["assignee"]),
        "team": (reverse("collaboration:team", args=[project.pk]), ["team-user"]),
        "membership form": (
            reverse("collaboration:membership_edit", args=[project.pk, membership.pk]),
            ["team-user"],
        ),
        "review form": (
            reverse("monitoring:review_create", args=[project.pk]),
            ["reviews-attendees"],
        ),
        "review page": (
            reverse("monitoring:review_detail", args=[project.pk, review.pk]),
            ["action-owner"],
        ),
        "risk form": (reverse("monitoring:risk_edit", args=[project.pk, risk.pk]), ["owner"]),
        "project list filter": (reverse("projects:project_list"), ["owner"]),
        "task list filter": (
            reverse("collaboration:task_list", args=[project.pk]),
            ["assignee"],
        ),
        "open projects' tasks filter": (
            reverse("collaboration:portfolio_tasks"),
            ["assignee", "project_owner"],
        ),
        "risk register filter": (reverse("monitoring:risk_list", args=[project.pk]), ["owner"]),
        "portfolio risks filter": (
            reverse("monitoring:portfolio_risks"),
            ["owner", "project_owner"],
        ),
        "dashboard filter": (reverse("insights:dashboard"), ["owner"]),
    }


PAGES = [
    "project form",
    "project page",
    "task form",
    "team",
    "membership form",
    "review form",
    "review page",
    "risk form",
    "project list filter",
    "task list filter",
    "open projects' tasks filter",
    "risk register filter",
    "portfolio risks filter",
    "dashboard filter",
]


@pytest.mark.parametrize("page", PAGES)
def test_people_pickers_leave_out_admin_and_inactive_people(
    client, director, crowd, admin_user, gone, superuser_director, page
):
    director.language = "zh-hans"
    director.save()
    client.force_login(director)
    url, names = pickers(crowd, director)[page]

    drawn = choices(client.get(url))

    for name in names:
        assert name in drawn, f"{page}: no picker {name}"
        offered = set(drawn[name])
        assert str(admin_user.pk) not in offered, f"{page}: {name} offers admin"
        assert str(gone.pk) not in offered, f"{page}: {name} offers a deactivated person"
        # Project owners are listed by the projects' data; the other pickers offer the team.
        expected = crowd.owner if name == "project_owner" else superuser_director
        assert str(expected.pk) in offered, f"{page}: {name} misses {expected.username}"


def test_task_stage_choices_exclude_closed(client, manager, project):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    form = choices(client.get(reverse("collaboration:task_create", args=[project.pk])))
    listed = choices(client.get(reverse("collaboration:task_list", args=[project.pk])))

    assert Stage.CLOSED not in form["stage"]
    assert Stage.CLOSED not in listed["stage"]
    assert Stage.CLOSURE in form["stage"] and Stage.INITIATION in form["stage"]


def test_a_task_in_the_closed_stage_is_refused(client, manager, project):
    client.force_login(manager)
    data = {"title": "Archive the files", "stage": Stage.CLOSED, "status": "todo"}
    data |= {"priority": "normal", "progress": "0"}

    response = client.post(reverse("collaboration:task_create", args=[project.pk]), data)
    api = APIClient()
    api.force_authenticate(manager)
    answer = api.post(f"/api/v1/projects/{project.pk}/tasks/", data, format="json")

    assert "stage" in response.context["form"].errors
    assert answer.status_code == 400 and "stage" in answer.json()
    assert not project.tasks.filter(title="Archive the files").exists()


@pytest.mark.parametrize("who", ["admin_user", "gone"])
def test_api_refuses_admin_and_inactive_people(request, project, manager, who):
    person = request.getfixturevalue(who)
    api = APIClient()
    api.force_authenticate(manager)
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

    member = api.post(
        f"/api/v1/projects/{project.pk}/members/", {"user": person.pk, "role": "member"}
    )
    risk = api.post(
        "/api/v1/risks/",
        {
            "project": project.pk,
            "title": "Churn",
            "probability": 2,
            "impact": 2,
            "category": "customer",
            "owner": person.pk,
            "due_date": due,
        },
        format="json",
    )

    assert member.status_code == 400 and "user" in member.json()
    assert risk.status_code == 400 and "owner" in risk.json()


def test_dashboard_api_filters_by_eligible_owners_only(director, gone, manager):
    api = APIClient()
    api.force_authenticate(director)

    refused = api.get(f"/api/v1/dashboard/?owner={gone.pk}")
    accepted = api.get(f"/api/v1/dashboard/?owner={manager.pk}")

    assert refused.status_code == 400 and "owner" in refused.json()
    assert accepted.status_code == 204  # accepted; no figures before the first KPI rollup
