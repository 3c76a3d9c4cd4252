"""The dashboard's filters on the lists: the project list (page, CSV export and API) by the
owner's department, strategy adjusted, open or closed and closed since; the portfolio risk
register by department, industry and region, which a project's own register does not offer."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from projects.models import (
    ClosureReport,
    Outcome,
    Project,
    Stage,
    StageTransition,
    TeamRole,
    TransitionKind,
)
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at use: a run may cross midnight


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def owners(db):
    """Two sales managers in different departments."""
    return {
        "ann": UserFactory(
            username="ann-accounts",
            role=Role.SALES_MANAGER,
            department=DepartmentFactory(code="key-accounts"),
        ),
        "ben": UserFactory(
            username="ben-channels",
            role=Role.SALES_MANAGER,
            department=DepartmentFactory(code="channels"),
        ),
    }


# --- the project list --------------------------------------------------------------------------
def _transition(project, from_stage, to_stage, kind) -> None:
    StageTransition.objects.create(
        project=project, from_stage=from_stage, to_stage=to_stage, kind=kind, actor=project.owner
    )


def _closed(owner, closed_on: datetime.date | None) -> Project:
    project = ProjectFactory(owner=owner, stage=Stage.CLOSED)
    ClosureReport.objects.create(project=project, outcome=Outcome.WON, closed_on=closed_on)
    return project


@pytest.fixture
def portfolio(owners):
    ann, ben = owners["ann"], owners["ben"]
    looped = ProjectFactory(owner=ann, stage=Stage.STRATEGY)
    _transition(looped, Stage.RESOURCE_ALLOCATION, Stage.STRATEGY, TransitionKind.ADVANCE)
    _transition(looped, Stage.MONITORING, Stage.STRATEGY, TransitionKind.LOOP)
    # Passed through strategy and looped back, but to execution: not strategy adjusted.
    passed = ProjectFactory(owner=ben, stage=Stage.MONITORING)
    _transition(passed, Stage.RESOURCE_ALLOCATION, Stage.STRATEGY, TransitionKind.ADVANCE)
    _transition(passed, Stage.MONITORING, Stage.EXECUTION, TransitionKind.LOOP)
    # In closure with a draft report: still open.
    closing = ProjectFactory(owner=ben, stage=Stage.CLOSURE)
    ClosureReport.objects.create(project=closing, outcome=Outcome.WON)
    return {
        "open_a": ProjectFactory(owner=ann, stage=Stage.EXECUTION),
        "looped_a": looped,
        "closed_undated_a": _closed(ann, None),
        "passed_b": passed,
        "closing_b": closing,
        "closed_recent_b": _closed(ben, days(-10)),
        "closed_old_b": _closed(ben, days(-400)),
    }


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_codes(user, params) -> set[str]:
    response = _signed_in(user).get(reverse("projects:project_list"), params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count < 25, "all rows must fit on one page"
    return {project.code for project in response.context["page"]}


def csv_codes(user, params) -> set[str]:
    response = _signed_in(user).get(reverse("dataio:project_list_export", args=["csv"]), params)
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    _header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return {row[0] for row in rows}


def api_codes(user, params) -> set[str]:
    api = APIClient()
    api.force_authenticate(user=user)
    response = api.get(reverse("api:project-list"), params)
    assert response.status_code == 200
    return {row["code"] for row in response.json()["results"]}


LISTS = {"page": page_codes, "csv": csv_codes, "api": api_codes}
OPEN = {"open_a", "looped_a", "passed_b", "closing_b"}
CLOSED = {"closed_undated_a", "closed_recent_b", "closed_old_b"}
ALL = OPEN | CLOSED
PROJECT_FILTERS = [
    ("department-a", {"department": "key-accounts"}, {"open_a", "looped_a", "closed_undated_a"}),
    (
        "department-b",
        {"department": "channels"},
        {"passed_b", "closing_b", "closed_recent_b", "closed_old_b"},
    ),
    ("looped", {"looped": "true"}, {"looped_a"}),
    ("not-looped", {"looped": "false"}, ALL - {"looped_a"}),
    ("active", {"active": "true"}, OPEN),
    ("closed-only", {"active": "false"}, CLOSED),
    ("closed-from-month", {"closed_from": days(-30).isoformat()}, {"closed_recent_b"}),
    ("closed-from-that-day", {"closed_from": days(-10).isoformat()}, {"closed_recent_b"}),
    (
        "closed-from-two-years",
        {"closed_from": days(-730).isoformat()},
        {"closed_recent_b", "closed_old_b"},
    ),
    ("closed-from-tomorrow", {"closed_from": days(1).isoformat()}, set()),
    (
        "department-and-active",
        {"department": "channels", "active": "true"},
        {"passed_b", "closing_b"},
    ),
    ("no-filter", {}, ALL),
]


@pytest.mark.parametrize("where", LISTS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [f[1:] for f in PROJECT_FILTERS],
    ids=[f[0] for f in PROJECT_FILTERS],
)
def test_project_filters_narrow_the_list(director, portfolio, where, params, expected):
    codes = LISTS[where](director, params)

    assert codes == {portfolio[name].code for name in expected}


def test_department_filter_follows_the_owner_not_the_team(director, owners):
    """A project counts for its owner's department, whoever of other departments is on it."""
    project = ProjectFactory(owner=owners["ann"])
    ProjectMembershipFactory(
        project=project, user=owners["ben"], department=owners["ben"].department
    )
    ProjectFactory(owner=UserFactory(role=Role.SALES_MANAGER))  # an owner with no department

    assert page_codes(director, {"department": "key-accounts"}) == {project.code}
    assert page_codes(director, {"department": "channels"}) == set()


def test_member_filters_only_the_projects_they_see(member, owners):
    seen = ProjectFactory(owner=owners["ann"])
    ProjectMembershipFactory(project=seen, user=member, role=TeamRole.MEMBER)
    ProjectFactory(owner=owners["ann"])

    assert page_codes(member, {"department": "key-accounts", "active": "true"}) == {seen.code}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"closed_from": "notadate"}, "closed_from"),
        ({"department": "no-such-department"}, "department"),
    ],
)
def test_invalid_value_is_an_error_by_the_field_not_a_500(
    client, director, portfolio, params, field
):
    client.force_login(director)

    response = client.get(reverse("projects:project_list"), params)

    assert response.status_code == 200
    assert field in response.context["filter"].errors
    assert 'class="field-error"' in response.content.decode()
    assert len(response.context["page"]) == 0


def test_invalid_value_exports_just_the_header(director, portfolio):
    assert csv_codes(director, {"closed_from": "notadate"}) == set()


def test_invalid_value_is_a_400_in_the_api(director, portfolio):
    api = APIClient()
    api.force_authenticate(user=director)

    response = api.get(reverse("api:project-list"), {"closed_from": "notadate"})

    assert response.status_code == 400
    assert "closed_from" in response.json()


def test_an_unknown_boolean_does_not_filter(director, portfolio):
    codes = page_codes(director, {"looped": "maybe", "active": "maybe"})

    assert codes == {project.code for project in portfolio.values()}


def test_the_list_offers_the_new_filters(client, director):
    client.force_login(director)

    response = client.get(reverse("projects:project_list"))

    page = response.content.decode()
    for name in ("department", "looped", "active", "closed_from"):
        assert f'name="{name}"' in page
    assert 'type="date"' in page


# --- the risk registers ------------------------------------------------------------------------
@pytest.fixture
def risks(owners):
    """A risk on a project of each owner; their customers in different industries and regions."""
    a = ProjectFactory(
        owner=owners["ann"],
        stage=Stage.EXECUTION,
        customer=CustomerFactory(industry="finance", region="east"),
    )
    b = ProjectFactory(
        owner=owners["ben"],
        stage=Stage.EXECUTION,
        customer=CustomerFactory(industry="energy", region="south"),
    )
    return {
        "a": RiskFactory(project=a, title="Budget freeze at the bank"),
        "b": RiskFactory(project=b, title="Grid tender postponed"),
    }


def risk_ids(response) -> set[int]:
    return {risk.pk for risk in response.context["page"]}


RISK_FILTERS = [
    ("department-a", {"department": "key-accounts"}, {"a"}),
    ("department-b", {"department": "channels"}, {"b"}),
    ("industry", {"industry": "energy"}, {"b"}),
    ("industry-none", {"industry": "retail"}, set()),
    ("region", {"region": "east"}, {"a"}),
    ("combined", {"department": "key-accounts", "region": "south"}, set()),
    ("no-filter", {}, {"a", "b"}),
]


@pytest.mark.parametrize(
    ("params", "expected"), [f[1:] for f in RISK_FILTERS], ids=[f[0] for f in RISK_FILTERS]
)
def test_portfolio_risk_filters_narrow_the_register(client, director, risks, params, expected):
    client.force_login(director)

    response = client.get(reverse("monitoring:portfolio_risks"), params)

    assert response.status_code == 200
    assert risk_ids(response) == {risks[name].pk for name in expected}
    assert response.context["matrix"].total == len(expected)


def test_portfolio_risk_export_applies_the_new_filters(client, director, risks):
    client.force_login(director)

    response = client.get(
        reverse("dataio:portfolio_risk_export", args=["csv"]), {"department": "channels"}
    )

    content = (b"".join(response) if response.streaming else response.content).decode("utf-8-sig")
    assert "Grid tender postponed" in content
    assert "Budget freeze at the bank" not in content


def test_portfolio_register_offers_the_new_filters(client, director, risks):
    client.force_login(director)

    response = client.get(reverse("monitoring:portfolio_risks"))

    fields = response.context["filter"].form.fields
    assert {"department", "industry", "region"} <= set(fields)
    page = response.content.decode()
    for name in ("department", "industry", "region"):
        assert f'name="{name}"' in page


def test_bad_department_on_the_portfolio_register_is_a_field_error(client, director, risks):
    client.force_login(director)

    response = client.get(reverse("monitoring:portfolio_risks"), {"department": "nope"})

    assert response.status_code == 200
    assert "department" in response.context["filter"].errors
    assert risk_ids(response) == set()


def test_a_projects_own_register_does_not_offer_them(client, director, risks):
    project = risks["a"].project
    client.force_login(director)

    # Values for them are ignored: the project's risk is still listed.
    response = client.get(
        reverse("monitoring:risk_list", args=[project.pk]),
        {"department": "channels", "industry": "energy", "region": "south"},
    )

    assert response.status_code == 200
    fields = set(response.context["filter"].form.fields)
    assert not {"department", "industry", "region", "project_owner"} & fields
    page = response.content.decode()
    for name in ("department", "industry", "region"):
        assert f'name="{name}"' not in page
    assert risk_ids(response) == {risks["a"].pk}
