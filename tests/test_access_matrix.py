"""Who may see and change what (issue 16): every role — anonymous, an outsider, an observer, a
team member, the owner, another sales manager (with a deal of the same customer) and a director —
against every page and API endpoint of one project and its records, the lists, exports, search,
feeds and the customer's interaction log.

Reads: the team and directors get the page (the dashboard: directors alone); outsiders and the
other manager get a 404 (the project's existence does not leak); the anonymous are sent to sign
in (pages) or get a 401 (API). Pages that change a project answer only its owner and directors.
Lists, exports, search, the customer page and feeds name the project to those who may see it and
to nobody else. Writes through the API by those who may not are refused and change nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.calendar import calendar_token_ensure
from collaboration.models import Interaction, InteractionKind
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from projects.models import Project, ProjectMembership, Stage, TeamRole
from tests.factories import (
    CommentFactory,
    GoalFactory,
    LessonFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    ReviewMeetingFactory,
    RiskFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "other manager", "observer", "member", "owner", "director"]
TEAM = {"observer", "member", "owner", "director"}
MANAGERS = {"owner", "director"}
SECRET = "Harbour Logistics ERP"  # the project's name: must not appear where it may not be seen
WHISPER = "Discount of 30 percent agreed"  # an interaction logged on the project


@pytest.fixture
def world(manager, director, member, outsider):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, name=SECRET)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    observer = ProjectMembershipFactory(
        project=project, user__username="olga-observer", role=TeamRole.OBSERVER
    ).user
    other_manager = UserFactory(username="otto-other", role=Role.SALES_MANAGER)
    sibling = ProjectFactory(owner=other_manager, customer=project.customer, name="Sibling CRM")
    ProjectMembershipFactory(project=sibling, user=other_manager, role=TeamRole.OWNER)
    task = TaskFactory(
        project=project,
        assignee=member,
        title="Prepare the pilot",
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    # Overdue (not held yesterday): the portfolio's review page lists it whatever the weekday.
    review = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(days=1)
    )
    review.attendees.set([manager, member])
    Interaction.objects.create(
        customer=project.customer,
        project=project,
        kind=InteractionKind.CALL,
        occurred_on=timezone.localdate(),
        user=manager,
        summary=WHISPER,
    )
    project_snapshots_rollup()  # the KPI rows: for the KPI lists, exports and the dashboard
    portfolio_rollup()
    records = {
        "project": project,
        "customer": project.customer,
        "task": task,
        "review": review,
        "risk": RiskFactory(project=project, title="Competitor undercuts"),
        "goal": GoalFactory(project=project, owner=manager),
        "resource": ResourceAllocationFactory(project=project),
        "strategy": StrategyFactory(project=project),
        "lesson": LessonFactory(project=project),
        "comment": CommentFactory(project=project, author=member, body="Pilot is on track"),
        "membership": ProjectMembership.objects.get(project=project, user=member),
    }
    people = {
        "anonymous": None,
        "outsider": outsider,
        "other manager": other_manager,
        "observer": observer,
        "member": member,
        "owner": manager,
        "director": director,
    }
    return people, records


def _page(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _api(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


# --- pages of one project ---------------------------------------------------------------------
# (route, its arguments from the records, who gets the page: TEAM or MANAGERS)
PAGES = [
    ("projects:project_detail", lambda r: [r["project"].pk], TEAM),
    ("projects:project_history", lambda r: [r["project"].pk], TEAM),
    ("monitoring:review_list", lambda r: [r["project"].pk], TEAM),
    ("monitoring:review_detail", lambda r: [r["project"].pk, r["review"].pk], TEAM),
    ("monitoring:review_minutes", lambda r: [r["project"].pk, r["review"].pk], TEAM),
    ("monitoring:risk_list", lambda r: [r["project"].pk], TEAM),
    ("dataio:task_export", lambda r: [r["project"].pk, "csv"], TEAM),
    ("dataio:risk_export", lambda r: [r["project"].pk, "csv"], TEAM),
    ("dataio:review_export", lambda r: [r["project"].pk, "csv"], TEAM),
    ("collaboration:team", lambda r: [r["project"].pk], TEAM),
    ("collaboration:task_list", lambda r: [r["project"].pk], TEAM),
    ("collaboration:task_board", lambda r: [r["project"].pk], TEAM),
    ("collaboration:task_detail", lambda r: [r["project"].pk, r["task"].pk], TEAM),
    ("collaboration:project_activity", lambda r: [r["project"].pk], TEAM),
    ("collaboration:project_gantt", lambda r: [r["project"].pk], TEAM),
    ("projects:project_edit", lambda r: [r["project"].pk], MANAGERS),
    ("monitoring:review_create", lambda r: [r["project"].pk], MANAGERS),
    ("monitoring:review_edit", lambda r: [r["project"].pk, r["review"].pk], MANAGERS),
    ("monitoring:risk_create", lambda r: [r["project"].pk], MANAGERS),
    ("monitoring:risk_edit", lambda r: [r["project"].pk, r["risk"].pk], MANAGERS),
    ("collaboration:task_create", lambda r: [r["project"].pk], MANAGERS),
    ("collaboration:task_edit", lambda r: [r["project"].pk, r["task"].pk], MANAGERS),
    (
        "projects:section_item_save",
        lambda r: [r["project"].pk, "goals", r["goal"].pk],
        MANAGERS,
    ),
]


def _expected_page(role: str, allowed: set[str]) -> set[int]:
    if role == "anonymous":
        return {302}
    if role in allowed:
        return {200}
    if role in TEAM:
        return {403}  # on the team: the project is no secret, the change is refused
    return {404}


@pytest.mark.parametrize(("route", "args", "allowed"), PAGES, ids=[page[0] for page in PAGES])
def test_project_pages(client, world, route, args, allowed):
    people, records = world
    url = reverse(route, args=args(records))
    wrong = {}
    for role in ROLES:
        response = _page(client, people[role], url)
        if response.status_code not in _expected_page(role, allowed):
            wrong[role] = response.status_code
        if response.status_code == 302:
            assert reverse("login") in response["Location"]
    assert wrong == {}, url


# --- the API of one project -------------------------------------------------------------------
API_READS = [
    ("api:project-detail", lambda r: [r["project"].pk]),
    ("api:project-gate", lambda r: [r["project"].pk]),
    ("api:project-history", lambda r: [r["project"].pk]),
    ("api:project-goals", lambda r: [r["project"].pk]),
    ("api:project-goals-detail", lambda r: [r["project"].pk, r["goal"].pk]),
    ("api:project-resources", lambda r: [r["project"].pk]),
    ("api:project-resources-detail", lambda r: [r["project"].pk, r["resource"].pk]),
    ("api:project-strategies", lambda r: [r["project"].pk]),
    ("api:project-strategies-detail", lambda r: [r["project"].pk, r["strategy"].pk]),
    ("api:project-lessons", lambda r: [r["project"].pk]),
    ("api:project-lessons-detail", lambda r: [r["project"].pk, r["lesson"].pk]),
    ("api:project-members", lambda r: [r["project"].pk]),
    ("api:project-members-detail", lambda r: [r["project"].pk, r["membership"].pk]),
    ("api:project-tasks", lambda r: [r["project"].pk]),
    ("api:project-tasks-detail", lambda r: [r["project"].pk, r["task"].pk]),
    ("api:project-comments", lambda r: [r["project"].pk]),
    ("api:project-comments-detail", lambda r: [r["project"].pk, r["comment"].pk]),
    ("api:review-detail", lambda r: [r["review"].pk]),
    ("api:risk-detail", lambda r: [r["risk"].pk]),
]


@pytest.mark.parametrize(("route", "args"), API_READS, ids=[read[0] for read in API_READS])
def test_project_api_reads(world, route, args):
    people, records = world
    url = reverse(route, args=args(records))
    expected = {"anonymous": 401, "outsider": 404, "other manager": 404}
    wrong = {}
    for role in ROLES:
        status = _api(people[role]).get(url).status_code
        if status != expected.get(role, 200):
            wrong[role] = status
    assert wrong == {}, url


# --- lists, search, exports, feeds and the interaction log ------------------------------------
LISTS = [
    ("projects:project_list", [], {}),
    ("projects:project_list", [], {"search": "Harbour"}),
    ("projects:project_board", [], {}),
    ("monitoring:portfolio_reviews", [], {}),
    ("monitoring:portfolio_risks", [], {}),
    ("collaboration:portfolio_tasks", [], {}),
    ("dataio:project_list_export", ["csv"], {}),
    ("dataio:portfolio_risk_export", ["csv"], {}),
    ("dataio:portfolio_review_export", ["csv"], {}),
    ("api:project-list", [], {}),
    ("api:project-list", [], {"search": "Harbour"}),
    ("api:review-list", [], {}),
    ("api:risk-list", [], {}),
    ("api:lesson-search", [], {"q": "pilot"}),
    ("dataio:kpi_project_export", ["csv"], {}),
    ("api:kpi-projects", [], {}),
]


@pytest.mark.parametrize(
    ("route", "args", "query"), LISTS, ids=[f"{r}{q or ''}" for r, _, q in LISTS]
)
def test_lists_name_the_project_only_to_those_who_may_see_it(client, world, route, args, query):
    people, records = world
    url = reverse(route, args=args)
    wrong = {}
    for role in ROLES[1:]:
        if route.startswith("api:"):
            response = _api(people[role]).get(url, query)
        else:
            client.logout()
            client.force_login(people[role])
            response = client.get(url, query)
        assert response.status_code == 200, (role, url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        named = SECRET.encode() in body or records["project"].code.encode() in body
        if named != (role in TEAM):
            wrong[role] = named
    assert wrong == {}, url


def test_the_interaction_log_shows_the_entry_to_the_team_only(client, world):
    people, records = world
    page = reverse("customers:customer_detail", args=[records["customer"].pk])
    api_url = reverse("api:customer-interactions", args=[records["customer"].pk])
    for role in ROLES[1:]:
        shown_page = WHISPER in _page(client, people[role], page).content.decode()
        shown_api = WHISPER in _api(people[role]).get(api_url).content.decode()
        assert shown_page == shown_api == (role in TEAM), role


def test_the_customer_page_lists_the_project_only_for_the_team(client, world):
    people, records = world
    url = reverse("customers:customer_detail", args=[records["customer"].pk])
    for role in ROLES[1:]:
        response = _page(client, people[role], url)
        assert response.status_code == 200, role
        assert (SECRET in response.content.decode()) == (role in TEAM), role


@pytest.mark.parametrize(
    ("route", "anonymous"), [("insights:dashboard", 302), ("api:dashboard", 401)]
)
def test_the_dashboard_is_the_directors(client, world, route, anonymous):
    people, _records = world
    url = reverse(route)
    for role in ROLES:
        if route.startswith("api:"):
            status = _api(people[role]).get(url).status_code
        else:
            status = _page(client, people[role], url).status_code
        expected = 200 if role == "director" else anonymous if role == "anonymous" else 403
        assert status == expected, role


def test_calendar_feeds_hold_the_project_only_for_the_team(client, world):
    people, records = world
    project = records["project"]
    for role in ROLES[1:]:
        token = calendar_token_ensure(user=people[role]).token
        mine = client.get(reverse("collaboration:calendar_feed", args=[token]))
        of_project = client.get(
            reverse("collaboration:calendar_project_feed", args=[token, project.pk])
        )
        assert mine.status_code == 200
        if role in TEAM:
            assert of_project.status_code == 200, role
        else:
            assert of_project.status_code == 404, role
            assert SECRET not in mine.content.decode(), role


# --- writes through the API -------------------------------------------------------------------
def _writes(records):
    project, task, risk = records["project"], records["task"], records["risk"]
    return [
        ("patch", reverse("api:project-detail", args=[project.pk]), {"name": "Renamed"}),
        (
            "post",
            reverse("api:project-transitions", args=[project.pk]),
            {"to_stage": "monitoring"},
        ),
        ("patch", reverse("api:project-tasks-detail", args=[project.pk, task.pk]), {"title": "x"}),
        ("delete", reverse("api:risk-detail", args=[risk.pk]), None),
        (
            "post",
            reverse("api:project-goals", args=[project.pk]),
            {
                "metric": "revenue",
                "title": "x",
                "target": "1",
                "unit": "CNY",
                "deadline": "2030-01-01",
                "owner": project.owner_id,
            },
        ),
        (
            "delete",
            reverse("api:project-members-detail", args=[project.pk, records["membership"].pk]),
            None,
        ),
    ]


def _state(records) -> tuple:
    project = Project.objects.get(pk=records["project"].pk)
    return (
        project.name,
        project.stage,
        project.tasks.get(pk=records["task"].pk).title,
        project.risks.count(),
        project.goals.count(),
        project.memberships.count(),
    )


@pytest.mark.parametrize("role", ["anonymous", "outsider", "other manager", "observer"])
def test_those_who_may_not_change_a_project_change_nothing(world, role):
    people, records = world
    before = _state(records)
    for method, url, body in _writes(records):
        response = getattr(_api(people[role]), method)(url, body, format="json")
        assert response.status_code in (401, 403, 404), (role, method, url, response.status_code)
    assert _state(records) == before
