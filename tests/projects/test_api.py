"""The REST API: sign-in, who may do what, the cycle, bad input and query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from accounts.models import Department
from accounts.roles import Role
from customers.models import Contact, Customer
from projects.models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Project,
    ProjectMembership,
    ResourceAllocation,
    Stage,
    StagePolicy,
    StageTransition,
    Strategy,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FUTURE = datetime.date(2030, 6, 30)


# --- helpers ------------------------------------------------------------------------------------
def make_customer(n: int = 0, **extra) -> Customer:
    values = {"industry": "finance", "region": "east", **extra}
    customer, _ = Customer.objects.get_or_create(name=f"API customer {n}", defaults=values)
    return customer


def make_project(owner, n: int = 0, **extra) -> Project:
    values = {
        "code": f"SP-2026-{8000 + n:04d}",
        "name": f"API project {n}",
        "customer": make_customer(n),
        "owner": owner,
        "background": "An opportunity.",
        "estimated_value": Decimal(1000 + n),
        "expected_close_date": FUTURE,
        **extra,
    }
    project = Project.objects.create(**values)
    ProjectMembership.objects.create(project=project, user=owner, role="owner")
    return project


def meet_initiation_gate(project: Project) -> None:
    Feasibility.objects.create(project=project, market_research="Market notes.", decision="go")


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def project(manager):
    return make_project(manager)


@pytest.fixture
def team_member(project):
    user = UserFactory(username="tina-team", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=user, role="member")
    return user


@pytest.fixture
def observer(project):
    user = UserFactory(username="otto-observer", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=user, role="observer")
    return user


@pytest.fixture
def other_manager(db):
    return UserFactory(username="olga-manager", role=Role.SALES_MANAGER)


@pytest.fixture
def department(db):
    return Department.objects.create(code="presales", name_zh="售前", name_en="Presales")


def who(request, project, name: str):
    """A user by the name the permission tables use (None is anonymous)."""
    if name == "anonymous":
        return None
    if name == "owner":
        return project.owner
    return request.getfixturevalue(name)


# --- sign-in ------------------------------------------------------------------------------------
def test_token_is_issued_and_authenticates(manager, password, project):
    client = APIClient()

    response = client.post(
        url("token"), {"username": manager.username, "password": password}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    assert AuthToken.objects.get(user=manager).token_key == body["token_key"] == token[:15]
    assert body["expiry"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = client.get(url("project-list"))
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [project.pk]
    manager.refresh_from_db()
    assert manager.last_login is not None


def test_wrong_password_is_a_400_without_a_token(manager):
    response = APIClient().post(
        url("token"), {"username": manager.username, "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x" * 300, "password": "whatever"}, "username"),
        ({"password": "whatever"}, "username"),
        ({"username": "someone"}, "password"),
        ({"username": "", "password": "whatever"}, "username"),
    ],
)
def test_bad_sign_in_input_is_a_400_on_the_field(db, body, field):
    response = APIClient().post(url("token"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_repeated_failures_lock_the_name_out(settings, manager, password):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url("token"), {"username": manager.username, "password": "no"}, format="json")

    response = client.post(
        url("token"), {"username": manager.username, "password": password}, format="json"
    )

    assert response.status_code == 429
    assert "detail" in response.json()
    assert not AuthToken.objects.exists()


def test_a_successful_sign_in_clears_earlier_failures(settings, manager, password):
    client = APIClient()
    wrong = {"username": manager.username, "password": "no"}
    right = {"username": manager.username, "password": password}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url("token"), wrong, format="json")
    assert client.post(url("token"), right, format="json").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url("token"), wrong, format="json")

    assert client.post(url("token"), right, format="json").status_code == 200


def test_token_users_are_answered_in_their_saved_language(manager, project):
    manager.language = "zh-hans"
    manager.save()
    client = APIClient()
    _token, secret = api_token_create(user=manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.post(
        url("project-goals", project.pk),
        goal_body(manager, deadline="2001-01-01"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["deadline"] == ["截止日期不能早于今天。"]


def test_a_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(url("project-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# --- who may do what on a project ---------------------------------------------------------------
MATRIX = [
    # who, sees it in the list, detail, update, transition
    ("anonymous", None, {401}, {401}, {401}),
    ("outsider", False, {404}, {404}, {404}),
    ("other_manager", False, {404}, {404}, {404}),
    ("team_member", True, {200}, {403}, {403}),
    ("observer", True, {200}, {403}, {403}),
    ("owner", True, {200}, {200}, {201}),
    ("director", True, {200}, {200}, {201}),
]


@pytest.mark.parametrize(("name", "listed", "detail", "update", "transition"), MATRIX)
def test_project_permission_matrix(request, project, name, listed, detail, update, transition):
    meet_initiation_gate(project)
    client = api(who(request, project, name))

    listing = client.get(url("project-list"))
    if listed is None:
        assert listing.status_code == 401
    else:
        assert listing.status_code == 200
        assert (project.pk in [row["id"] for row in listing.json()["results"]]) is listed

    assert client.get(url("project-detail", project.pk)).status_code in detail
    patched = client.patch(url("project-detail", project.pk), {"name": "Renamed"}, format="json")
    assert patched.status_code in update
    moved = client.post(
        url("project-transitions", project.pk), {"to_stage": "goal_setting"}, format="json"
    )
    assert moved.status_code in transition

    project.refresh_from_db()
    assert (project.name == "Renamed") is (200 in update)
    expected_stage = Stage.GOAL_SETTING if 201 in transition else Stage.INITIATION
    assert project.stage == expected_stage


@pytest.mark.parametrize(
    ("name", "status"),
    [("team_member", 403), ("observer", 403), ("outsider", 404), ("other_manager", 404)],
)
def test_readers_and_strangers_get_no_further_with_bad_input(request, project, name, status):
    """Who may act is decided before what they sent: no 400 that reveals the project."""
    client = api(who(request, project, name))

    patched = client.patch(
        url("project-detail", project.pk), {"estimated_value": "-5"}, format="json"
    )
    moved = client.post(url("project-transitions", project.pk), {"to_stage": "bogus"})

    assert patched.status_code == status
    assert moved.status_code == status


def test_owner_of_a_closed_project_may_no_longer_change_it(manager):
    project = make_project(manager, stage=Stage.CLOSED, outcome="won")

    response = api(manager).patch(
        url("project-detail", project.pk), {"name": "Too late"}, format="json"
    )

    assert response.status_code == 403


# --- projects: create, update, read -------------------------------------------------------------
def test_project_json_shape(manager, project):
    body = api(manager).get(url("project-detail", project.pk)).json()

    for key in [
        "id",
        "code",
        "name",
        "customer",
        "owner",
        "stage",
        "outcome",
        "estimated_value",
        "currency",
        "expected_close_date",
        "background",
        "review_cadence",
        "stage_entered_at",
        "days_in_stage",
        "awaiting_approval",
        "created_at",
        "updated_at",
    ]:
        assert key in body, key
    assert body["customer"] == project.customer_id
    assert body["owner"] == manager.pk
    assert body["stage"] == "initiation"
    assert body["awaiting_approval"] is False


def test_sales_manager_opens_a_project_they_own(manager):
    customer = make_customer()
    body = {
        "name": "New deal",
        "customer": customer.pk,
        "estimated_value": "250000.00",
        "expected_close_date": "2030-01-31",
        "stage": "closed",
        "code": "HACK-1",
        "outcome": "won",
    }

    response = api(manager).post(url("project-list"), body, format="json")

    assert response.status_code == 201, response.json()
    project = Project.objects.get(pk=response.json()["id"])
    assert project.owner == manager
    assert project.stage == Stage.INITIATION
    assert project.outcome == ""
    assert project.code.startswith("SP-") and project.code == response.json()["code"]
    assert ProjectMembership.objects.filter(project=project, user=manager, role="owner").exists()


def test_director_may_name_another_owner(director, manager):
    response = api(director).post(
        url("project-list"),
        {"name": "Delegated", "customer": make_customer().pk, "owner": manager.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Project.objects.get(pk=response.json()["id"]).owner == manager


def test_a_manager_cannot_hand_a_new_project_to_someone_else(manager, other_manager):
    response = api(manager).post(
        url("project-list"),
        {"name": "Mine", "customer": make_customer().pk, "owner": other_manager.pk},
        format="json",
    )

    assert response.status_code == 201
    assert Project.objects.get(pk=response.json()["id"]).owner == manager


def test_a_manager_cannot_change_the_owner_of_their_project(manager, other_manager, project):
    response = api(manager).patch(
        url("project-detail", project.pk),
        {"owner": other_manager.pk, "name": "Handed over"},
        format="json",
    )

    assert response.status_code == 403
    project.refresh_from_db()
    assert (project.owner, project.name) == (manager, "API project 0")


def test_a_manager_may_send_back_the_owner_they_read(manager, project):
    body = api(manager).get(url("project-detail", project.pk)).json()

    response = api(manager).patch(
        url("project-detail", project.pk),
        {"owner": body["owner"], "name": "Renamed"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Project.objects.get(pk=project.pk).name == "Renamed"


def test_members_cannot_open_projects(member):
    response = api(member).post(
        url("project-list"), {"name": "Nope", "customer": make_customer().pk}, format="json"
    )

    assert response.status_code == 403
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"estimated_value": "-1"}, "estimated_value"),
        ({"estimated_value": "a lot"}, "estimated_value"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"customer": 999999}, "customer"),
        ({"customer": None}, "customer"),
        ({"currency": "XXX"}, "currency"),
        ({"expected_close_date": "2001-01-01"}, "expected_close_date"),
        ({"expected_close_date": "soon"}, "expected_close_date"),
    ],
)
def test_bad_project_input_is_a_400_and_saves_nothing(manager, change, field):
    body = {"name": "Valid name", "customer": make_customer().pk, **change}

    response = api(manager).post(url("project-list"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Project.objects.count() == 0


def test_missing_required_fields_are_named(manager):
    response = api(manager).post(url("project-list"), {}, format="json")

    assert response.status_code == 400
    assert {"name", "customer"} <= set(response.json())


def test_bad_update_is_a_400_and_changes_nothing(manager, project):
    response = api(manager).patch(
        url("project-detail", project.pk),
        {"name": "Fine", "estimated_value": "-100"},
        format="json",
    )

    assert response.status_code == 400
    assert "estimated_value" in response.json()
    project.refresh_from_db()
    assert project.name == "API project 0"
    assert project.estimated_value == Decimal(1000)


def test_update_saves_the_fields_sent_but_never_the_stage(manager, project):
    response = api(manager).patch(
        url("project-detail", project.pk),
        {"name": "Renamed", "estimated_value": "42.50", "stage": "closed", "outcome": "won"},
        format="json",
    )

    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.name, project.estimated_value) == ("Renamed", Decimal("42.50"))
    assert project.stage == Stage.INITIATION
    assert project.outcome == ""


def test_an_old_close_date_may_stay_when_other_fields_change(manager):
    project = make_project(manager, expected_close_date=datetime.date(2020, 1, 1))

    response = api(manager).patch(
        url("project-detail", project.pk), {"expected_close_date": "2020-01-01", "name": "Kept"}
    )

    assert response.status_code == 200


def test_project_list_filters_and_orders(manager):
    first = make_project(manager, 1, name="Alpha")
    second = make_project(manager, 2, name="Beta", stage=Stage.STRATEGY)
    third = make_project(manager, 3, name="Gamma", stage=Stage.GOAL_SETTING)
    client = api(manager)

    by_stage = client.get(url("project-list"), {"stage": "strategy"}).json()["results"]
    searched = client.get(url("project-list"), {"search": "gamm"}).json()["results"]
    in_cycle_order = client.get(url("project-list"), {"ordering": "stage"}).json()["results"]
    by_name_desc = client.get(url("project-list"), {"ordering": "-name"}).json()["results"]

    assert [row["id"] for row in by_stage] == [second.pk]
    assert [row["id"] for row in searched] == [third.pk]
    assert [row["id"] for row in in_cycle_order] == [first.pk, third.pk, second.pk]
    assert [row["id"] for row in by_name_desc] == [third.pk, second.pk, first.pk]


def test_an_unknown_filter_value_is_a_400(manager, project):
    response = api(manager).get(url("project-list"), {"stage": "nowhere"})

    assert response.status_code == 400
    assert "stage" in response.json()


def test_project_list_runs_a_fixed_number_of_queries(manager):
    client = api(manager)
    make_project(manager, 0)

    with CaptureQueriesContext(connection) as one:
        assert client.get(url("project-list")).status_code == 200
    for n in range(1, 40):
        make_project(manager, n)
    # A fresh user object: nothing cached from the first request.
    client = api(type(manager).objects.get(pk=manager.pk))
    with CaptureQueriesContext(connection) as forty:
        response = client.get(url("project-list"))

    assert response.json()["count"] == 40
    assert len(forty) == len(one), [q["sql"] for q in forty.captured_queries]


def test_customer_list_runs_a_fixed_number_of_queries(member):
    make_customer(0)
    with CaptureQueriesContext(connection) as one:
        api(member).get(url("customer-list"))
    for n in range(1, 30):
        make_customer(n)
    client = api(type(member).objects.get(pk=member.pk))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("customer-list"))

    assert response.json()["count"] == 30
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


# --- the cycle ----------------------------------------------------------------------------------
def test_advance_with_the_gate_met(manager, project):
    meet_initiation_gate(project)

    response = api(manager).post(
        url("project-transitions", project.pk),
        {"to_stage": "goal_setting", "note": "Ready."},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["stage"] == "goal_setting"
    row = StageTransition.objects.get(project=project)
    assert (row.from_stage, row.to_stage, row.kind, row.note) == (
        "initiation",
        "goal_setting",
        "advance",
        "Ready.",
    )


def test_advance_with_the_gate_unmet_lists_what_is_missing(manager, project):
    response = api(manager).post(
        url("project-transitions", project.pk), {"to_stage": "goal_setting"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    codes = {criterion["code"] for criterion in body["unmet"]}
    assert codes == {"feasibility_go"}
    assert set(body["unmet"][0]) == {"code", "label", "met", "hint"}
    assert body["unmet"][0]["met"] is False
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


@pytest.mark.parametrize("to_stage", ["execution", "closed", "bogus", ""])
def test_unreachable_or_unknown_stage_is_a_400(manager, project, to_stage):
    meet_initiation_gate(project)

    response = api(manager).post(
        url("project-transitions", project.pk), {"to_stage": to_stage}, format="json"
    )

    assert response.status_code == 400
    assert "to_stage" in response.json()
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to_stage": "closure", "outcome": "lost"}, "reason"),
        ({"to_stage": "closure", "outcome": "won", "reason": "We won early."}, "outcome"),
        ({"to_stage": "closure", "outcome": "maybe", "reason": "Why not."}, "outcome"),
        ({"to_stage": "closure", "outcome": "lost", "reason_category": "luck"}, "reason_category"),
    ],
)
def test_bad_abort_is_a_400_on_the_field(manager, project, body, field):
    response = api(manager).post(url("project-transitions", project.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION
    assert not ClosureReport.objects.exists()


def test_abort_with_a_reason(manager, project):
    response = api(manager).post(
        url("project-transitions", project.pk),
        {
            "to_stage": "closure",
            "outcome": "lost",
            "reason": "Budget frozen.",
            "reason_category": "budget",
        },
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["stage"], response.json()["outcome"]) == ("closure", "lost")
    report = ClosureReport.objects.get(project=project)
    assert (report.reason, report.reason_category) == ("Budget frozen.", "budget")


def test_advance_that_needs_approval_waits_for_a_director(manager, director, project):
    meet_initiation_gate(project)
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)

    asked = api(manager).post(
        url("project-transitions", project.pk), {"to_stage": "goal_setting"}, format="json"
    )

    assert asked.status_code == 202
    assert asked.json()["awaiting_approval"] is True
    assert asked.json()["stage"] == "initiation"
    assert api(manager).post(url("project-approve", project.pk)).status_code == 403

    approved = api(director).post(url("project-approve", project.pk), {"note": "Go."})

    assert approved.status_code == 201
    assert approved.json()["stage"] == "goal_setting"
    assert approved.json()["awaiting_approval"] is False
    assert StageTransition.objects.get(project=project).kind == "approval"


def test_approve_with_nothing_waiting_is_a_conflict(director, project):
    response = api(director).post(url("project-approve", project.pk))

    assert response.status_code == 409
    assert "detail" in response.json()


def test_approve_is_hidden_from_strangers(outsider, project):
    assert api(outsider).post(url("project-approve", project.pk)).status_code == 404


def test_a_stale_view_of_the_stage_is_a_conflict(manager, project):
    meet_initiation_gate(project)

    response = api(manager).post(
        url("project-transitions", project.pk),
        {"to_stage": "resource_allocation", "from_stage": "goal_setting"},
        format="json",
    )

    assert response.status_code == 409
    assert "detail" in response.json()


def test_reopening_is_for_directors_only(manager, director):
    project = make_project(manager, stage=Stage.CLOSED, outcome="lost")
    ClosureReport.objects.create(project=project, outcome="lost")
    body = {"to_stage": "monitoring", "note": "They called back."}

    refused = api(manager).post(url("project-transitions", project.pk), body, format="json")
    reopened = api(director).post(url("project-transitions", project.pk), body, format="json")

    assert refused.status_code == 403
    assert reopened.status_code == 201
    assert reopened.json()["stage"] == "monitoring"


def test_gate_endpoint_shape(team_member, project):
    response = api(team_member).get(url("project-gate", project.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"stage", "next_stage", "can_advance", "criteria"}
    assert (body["stage"], body["next_stage"], body["can_advance"]) == (
        "initiation",
        "goal_setting",
        False,
    )
    assert [c["code"] for c in body["criteria"]] == [
        "customer_set",
        "background_written",
        "value_and_close_date",
        "feasibility_go",
    ]
    for criterion in body["criteria"]:
        assert set(criterion) == {"code", "label", "met", "hint"}


def test_gate_is_hidden_from_strangers(outsider, project):
    assert api(outsider).get(url("project-gate", project.pk)).status_code == 404


def test_history_lists_the_transitions(manager, observer, project):
    meet_initiation_gate(project)
    api(manager).post(
        url("project-transitions", project.pk),
        {"to_stage": "goal_setting", "note": "Onwards."},
        format="json",
    )

    response = api(observer).get(url("project-transitions", project.pk))

    assert response.status_code == 200
    [row] = response.json()
    assert (row["from_stage"], row["to_stage"], row["kind"], row["note"]) == (
        "initiation",
        "goal_setting",
        "advance",
        "Onwards.",
    )
    assert row["actor"] == {
        "id": manager.pk,
        "username": manager.username,
        "name": manager.display_name,
    }
    assert row["created_at"]


def test_history_is_hidden_from_strangers(outsider, project):
    assert api(outsider).get(url("project-transitions", project.pk)).status_code == 404


# --- customers ----------------------------------------------------------------------------------
def test_duplicate_customer_name_in_another_case_is_a_400(manager):
    make_customer(name="Acme Ltd")
    before = Customer.objects.count()

    response = api(manager).post(
        url("customer-list"),
        {"name": "ACME LTD", "industry": "finance", "region": "east"},
        format="json",
    )

    assert response.status_code == 400
    assert "name" in response.json()
    assert Customer.objects.count() == before


def test_renaming_a_customer_onto_another_name_is_a_400(manager):
    make_customer(1)
    second = make_customer(2)

    response = api(manager).patch(
        url("customer-detail", second.pk), {"name": "api CUSTOMER 1"}, format="json"
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_customer_keeps_its_own_name_in_another_case(manager):
    customer = make_customer(1)

    response = api(manager).patch(
        url("customer-detail", customer.pk), {"name": "API CUSTOMER 1"}, format="json"
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.name == "API CUSTOMER 1"


@pytest.mark.parametrize(("name", "status"), [("member", 403), ("manager", 201), ("director", 201)])
def test_only_directors_and_sales_managers_write_customers(request, name, status):
    user = request.getfixturevalue(name)

    response = api(user).post(
        url("customer-list"),
        {"name": "Globex", "industry": "energy", "region": "south"},
        format="json",
    )

    assert response.status_code == status
    assert Customer.objects.filter(name="Globex").exists() is (status == 201)
    if status == 201:
        assert Customer.objects.get(name="Globex").created_by == user


def test_everyone_signed_in_reads_and_filters_customers(member):
    make_customer(1, industry="energy")
    make_customer(2, industry="finance")

    response = api(member).get(url("customer-list"), {"industry": "energy"})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["API customer 1"]
    assert api(None).get(url("customer-list")).status_code == 401


def test_member_cannot_update_a_customer(member):
    customer = make_customer()

    response = api(member).patch(url("customer-detail", customer.pk), {"name": "Mine"})

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"industry": "mining"}, "industry"),
        ({"website": "not a url"}, "website"),
        ({"region": ""}, "region"),
    ],
)
def test_bad_customer_input_is_a_400(manager, change, field):
    body = {"name": "Initech", "industry": "technology", "region": "north", **change}

    response = api(manager).post(url("customer-list"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.exists()


def test_contacts_of_a_customer(manager, member):
    customer = make_customer()
    Contact.objects.create(customer=customer, name="Ann")

    listed = api(member).get(url("customer-contacts", customer.pk))
    refused = api(member).post(url("customer-contacts", customer.pk), {"name": "Bob"})
    added = api(manager).post(
        url("customer-contacts", customer.pk),
        {"name": "Bob", "email": "bob@example.com"},
        format="json",
    )
    bad = api(manager).post(
        url("customer-contacts", customer.pk), {"name": "Cid", "email": "nope"}, format="json"
    )

    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()] == ["Ann"]
    assert refused.status_code == 403
    assert added.status_code == 201
    assert added.json()["customer"] == customer.pk
    assert bad.status_code == 400 and "email" in bad.json()
    assert list(customer.contacts.values_list("name", flat=True)) == ["Ann", "Bob"]
    assert api(member).get(url("customer-contacts", 999999)).status_code == 404


# --- stage records ------------------------------------------------------------------------------
def goal_body(person, **extra) -> dict:
    return {
        "metric": "revenue",
        "title": "Sign the contract",
        "target": "100000",
        "unit": "CNY",
        "deadline": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "owner": person.pk,
        **extra,
    }


def test_feasibility_is_created_on_first_put(manager, team_member, project):
    client = api(manager)
    assert client.get(url("project-feasibility", project.pk)).status_code == 404
    body = {"market_research": "Notes.", "decision": "go"}

    created = client.put(url("project-feasibility", project.pk), body, format="json")
    updated = client.put(
        url("project-feasibility", project.pk), {**body, "competitors": "Initech"}, format="json"
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    feasibility = Feasibility.objects.get(project=project)
    assert feasibility.decided_by == manager
    assert feasibility.competitors == "Initech"
    read = api(team_member).get(url("project-feasibility", project.pk))
    assert read.status_code == 200
    assert read.json()["decision"] == "go"
    assert read.json()["decided_by"] == manager.pk


def test_readers_may_not_write_records(team_member, observer, project):
    for user in (team_member, observer):
        client = api(user)
        assert (
            client.put(url("project-feasibility", project.pk), {"decision": "go"}).status_code
            == 403
        )
        assert client.post(url("project-goals", project.pk), goal_body(user)).status_code == 403
        assert client.get(url("project-goals", project.pk)).status_code == 200
    assert not Feasibility.objects.exists()
    assert not Goal.objects.exists()


def test_records_of_an_invisible_project_are_a_404(outsider, other_manager, project):
    for user in (outsider, other_manager):
        client = api(user)
        for name in [
            "feasibility",
            "goals",
            "resources",
            "strategies",
            "closure-report",
            "lessons",
        ]:
            assert client.get(url(f"project-{name}", project.pk)).status_code == 404, name
        assert client.post(url("project-goals", project.pk), goal_body(user)).status_code == 404
        assert (
            client.put(url("project-feasibility", project.pk), {"decision": "go"}).status_code
            == 404
        )
    assert not Goal.objects.exists()


def test_goal_create_update_delete(manager, project):
    client = api(manager)

    created = client.post(url("project-goals", project.pk), goal_body(manager), format="json")
    assert created.status_code == 201, created.json()
    goal_url = url("project-goals-detail", project.pk, created.json()["id"])
    patched = client.patch(goal_url, {"current_value": "50000"}, format="json")
    listed = client.get(url("project-goals", project.pk))
    deleted = client.delete(goal_url)

    assert patched.status_code == 200
    assert patched.json()["progress_percent"] == 50
    assert [row["id"] for row in listed.json()] == [created.json()["id"]]
    assert deleted.status_code == 204
    assert not Goal.objects.exists()


def test_record_body_cannot_move_it_to_another_project(manager, director):
    mine = make_project(manager, 1)
    theirs = make_project(director, 2)

    response = api(manager).post(
        url("project-goals", mine.pk), goal_body(manager, project=theirs.pk), format="json"
    )

    assert response.status_code == 201
    assert Goal.objects.get().project == mine
    assert api(manager).get(url("project-goals-detail", theirs.pk, 1)).status_code == 404


def test_a_record_of_another_project_is_a_404(manager):
    mine = make_project(manager, 1)
    other = make_project(manager, 2)
    goal = Goal.objects.create(
        project=other, metric="revenue", title="T", target=1, unit="u", deadline=FUTURE,
        owner=manager,
    )  # fmt: skip

    response = api(manager).delete(url("project-goals-detail", mine.pk, goal.pk))

    assert response.status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"target": "0"}, "target"),
        ({"target": "-5"}, "target"),
        ({"target": "lots"}, "target"),
        ({"metric": "happiness"}, "metric"),
        ({"owner": 999999}, "owner"),
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"baseline": "abc"}, "baseline"),
    ],
)
def test_bad_goal_is_a_400_and_saves_nothing(manager, project, change, field):
    response = api(manager).post(
        url("project-goals", project.pk), goal_body(manager, **change), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert Goal.objects.count() == 0


def test_goal_missing_fields_are_named(manager, project):
    response = api(manager).post(url("project-goals", project.pk), {}, format="json")

    assert response.status_code == 400
    assert {"metric", "title", "target", "unit", "deadline", "owner"} <= set(response.json())


def test_old_goal_may_keep_its_past_deadline_but_not_get_a_new_one(manager, project):
    goal = Goal.objects.create(
        project=project,
        metric="revenue",
        title="Old",
        target=10,
        unit="u",
        deadline=datetime.date(2020, 1, 1),
        owner=manager,
    )
    goal_url = url("project-goals-detail", project.pk, goal.pk)
    client = api(manager)

    kept = client.patch(goal_url, {"title": "Renamed", "deadline": "2020-01-01"}, format="json")
    moved = client.patch(goal_url, {"deadline": "2020-02-01"}, format="json")

    assert kept.status_code == 200
    assert moved.status_code == 400
    assert "deadline" in moved.json()
    goal.refresh_from_db()
    assert (goal.title, goal.deadline) == ("Renamed", datetime.date(2020, 1, 1))


def test_resource_allocation_validates_people_and_departments(manager, project, department):
    client = api(manager)
    body = {"kind": "people", "description": "Solution architect", "planned_cost": "1000"}

    good = client.post(
        url("project-resources", project.pk),
        {**body, "person": manager.pk, "department": department.pk},
        format="json",
    )
    department.is_active = False
    department.save()
    bad_department = client.post(
        url("project-resources", project.pk), {**body, "department": department.pk}
    )
    bad_person = client.post(url("project-resources", project.pk), {**body, "person": 999999})
    bad_cost = client.post(url("project-resources", project.pk), {**body, "planned_cost": "-1"})
    bad_kind = client.post(url("project-resources", project.pk), {**body, "kind": "magic"})

    assert good.status_code == 201, good.json()
    assert (bad_department.status_code, list(bad_department.json())) == (400, ["department"])
    assert (bad_person.status_code, list(bad_person.json())) == (400, ["person"])
    assert (bad_cost.status_code, list(bad_cost.json())) == (400, ["planned_cost"])
    assert (bad_kind.status_code, list(bad_kind.json())) == (400, ["kind"])
    assert ResourceAllocation.objects.count() == 1


def test_strategy_records_its_author_and_a_referenced_one_is_not_removed(manager, project):
    client = api(manager)
    created = client.post(
        url("project-strategies", project.pk),
        {"kind": "pricing", "summary": "Undercut.", "actions": "Quote low\nBundle support"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["action_list"] == ["Quote low", "Bundle support"]
    first = Strategy.objects.get()
    assert first.created_by == manager
    Strategy.objects.create(project=project, kind="pricing", summary="Again.", supersedes=first)

    response = client.delete(url("project-strategies-detail", project.pk, first.pk))

    assert response.status_code == 409
    assert Strategy.objects.filter(pk=first.pk).exists()


def test_closure_report_needs_the_value_of_a_won_deal(manager, project):
    client = api(manager)
    report_url = url("project-closure-report", project.pk)

    refused = client.put(report_url, {"outcome": "won"}, format="json")
    saved = client.put(report_url, {"outcome": "won", "actual_value": "90000"}, format="json")

    assert refused.status_code == 400
    assert "actual_value" in refused.json()
    assert saved.status_code == 201
    body = client.get(report_url).json()
    assert body["actual_value"] == "90000.00"
    assert set(body["metrics"]) >= {
        "goal_attainment",
        "schedule_variance_days",
        "budget_variance",
        "budget_variance_percent",
    }


def test_lessons_are_tagged_with_the_customer(manager, project):
    response = api(manager).post(
        url("project-lessons", project.pk),
        {"text": "Call the CFO early.", "stage": "strategy"},
        format="json",
    )
    bad = api(manager).post(
        url("project-lessons", project.pk), {"text": "x", "stage": "nowhere"}, format="json"
    )

    assert response.status_code == 201
    lesson = Lesson.objects.get()
    assert (lesson.industry, lesson.region, lesson.created_by) == ("finance", "east", manager)
    assert bad.status_code == 400 and "stage" in bad.json()


def test_record_lists_run_a_fixed_number_of_queries(manager, project):
    def make_goal(n):
        Goal.objects.create(
            project=project, metric="revenue", title=f"G{n}", target=1, unit="u",
            deadline=FUTURE, owner=manager,
        )  # fmt: skip

    make_goal(0)
    with CaptureQueriesContext(connection) as one:
        api(manager).get(url("project-goals", project.pk))
    for n in range(1, 20):
        make_goal(n)
    client = api(type(manager).objects.get(pk=manager.pk))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("project-goals", project.pk))

    assert len(response.json()) == 20
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_history_runs_a_fixed_number_of_queries(manager, project):
    def add_rows(start, end):
        for n in range(start, end):
            actor = UserFactory(username=f"actor-{n}", role=Role.DIRECTOR)
            StageTransition.objects.create(
                project=project, from_stage="initiation", to_stage="initiation", kind="approval",
                actor=actor,
            )  # fmt: skip

    add_rows(0, 1)
    with CaptureQueriesContext(connection) as one:
        api(manager).get(url("project-transitions", project.pk))
    add_rows(1, 15)
    client = api(type(manager).objects.get(pk=manager.pk))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("project-transitions", project.pk))

    assert len(response.json()) == 15
    assert len(many) == len(one)


def test_director_names_only_a_manager_or_director_as_owner(director, member):
    response = api(director).post(
        url("project-list"),
        {"name": "Delegated", "customer": make_customer().pk, "owner": member.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "project-list",
        "project-detail",
        "project-gate",
        "project-transitions",
        "project-feasibility",
        "project-goals",
        "project-closure-report",
        "customer-list",
    ],
)
def test_browsable_api_pages_render(client, manager, project, path):
    meet_initiation_gate(project)
    Goal.objects.create(
        project=project, metric="revenue", title="G", target=1, unit="u", deadline=FUTURE,
        owner=manager,
    )  # fmt: skip
    ClosureReport.objects.create(project=project, outcome="lost")
    client.force_login(manager)
    args = [] if path.endswith("-list") else [project.pk]

    response = client.get(url(path, *args), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "project-list",
        "project-detail",
        "project-transitions",
        "project-approve",
        "project-feasibility",
        "project-closure-report",
        "project-goals",
        "customer-list",
        "customer-contacts",
    ],
)
def test_options_requests_describe_the_endpoint(manager, project, path):
    args = [] if path.endswith("-list") else [project.pk]
    if path == "customer-contacts":
        args = [project.customer_id]

    response = api(manager).options(url(path, *args))

    assert response.status_code == 200


def test_schema_is_served(member):
    response = api(member).get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/projects/{id}/transitions/" in response.content


def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/v1/projects/{id}/transitions/" in (tmp_path / "schema.yml").read_text()


def test_api_docs_are_served_offline(client, member):
    client.force_login(member)

    page = client.get("/api/docs/").content.decode()

    assert "drf_spectacular_sidecar" in page or "/static/" in page
    # Nothing loaded from another origin. (Not "cdn" anywhere: the page's random CSRF token
    # can spell it.)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
