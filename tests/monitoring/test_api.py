"""The 监控评估 REST API: reviews (schedule, prepare, hold with a decision, action items) and
risks (register, matrix): who may do what, bad input, the lifecycle driven by a hold,
filters, the schema and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.models import Notification, NotificationKind, Task
from monitoring.models import ReviewDecision, ReviewMeeting, Risk
from projects.models import Project, ReviewCadence, Stage, Strategy, StrategyStatus, TeamRole
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewActionItemFactory,
    ReviewMeetingFactory,
    RiskFactory,
    StrategyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DENIED = {401}  # anonymous: the first authenticator (token) challenges, so 401
NOW = timezone.now


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def ahead(**delta) -> str:
    return (NOW() + datetime.timedelta(**delta)).isoformat()


def fresh(user):
    """The user read again, so no cached relation hides a query from a count."""
    return type(user).objects.get(pk=user.pk)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def people(project, manager, director, team_member, observer, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "observer": observer,
        "member": team_member,
        "owner": manager,
        "director": director,
    }


@pytest.fixture
def review(project, manager, team_member):
    review = ReviewMeetingFactory(project=project, agenda="Goals, tasks, risks")
    review.attendees.set([manager, team_member])
    return review


@pytest.fixture
def risk(project, manager):
    return RiskFactory(project=project, title="Competitor undercuts", probability=3, impact=3)


def review_state(review: ReviewMeeting) -> dict:
    """What a refused write must leave exactly as it was."""
    row = ReviewMeeting.objects.get(pk=review.pk)
    return {
        "scheduled_for": row.scheduled_for,
        "duration_minutes": row.duration_minutes,
        "location": row.location,
        "agenda": row.agenda,
        "minutes": row.minutes,
        "decision": row.decision,
        "held_at": row.held_at,
        "attendees": sorted(row.attendees.values_list("pk", flat=True)),
        "action_items": row.action_items.count(),
    }


def risk_state(risk: Risk) -> dict:
    row = Risk.objects.get(pk=risk.pk)
    fields = ["title", "category", "probability", "impact", "owner_id", "status", "level"]
    return {name: getattr(row, name) for name in fields}


# --- reviews: who may do what ---------------------------------------------------------------
REVIEW_MATRIX = [
    # who, list sees it, detail, create, patch, add action, to tasks, hold
    ("anonymous", DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("outsider", {200}, {404}, {400}, {404}, {404}, {404}, {404}),
    ("observer", {200}, {200}, {403}, {403}, {403}, {403}, {403}),
    ("member", {200}, {200}, {403}, {403}, {403}, {403}, {403}),
    ("owner", {200}, {200}, {201}, {200}, {201}, {201}, {200}),
    ("director", {200}, {200}, {201}, {200}, {201}, {201}, {200}),
]


@pytest.mark.parametrize(
    ("who", "listed", "detail", "create", "patch", "add_action", "to_tasks", "hold"),
    REVIEW_MATRIX,
)
def test_review_permission_matrix(
    people, project, review, team_member, who, listed, detail, create, patch, add_action,
    to_tasks, hold,
):  # fmt: skip
    client = api(people[who])
    review_url = url("review-detail", review.pk)
    sees = 200 in detail

    listing = client.get(url("review-list"))
    assert listing.status_code in listed
    if listing.status_code == 200:
        assert [row["id"] for row in listing.json()["results"]] == ([review.pk] if sees else [])
    assert client.get(review_url).status_code in detail

    body = {"project": project.pk, "scheduled_for": ahead(days=10), "location": "Room 4"}
    assert client.post(url("review-list"), body, format="json").status_code in create
    assert ReviewMeeting.objects.filter(location="Room 4").exists() is (201 in create)

    changed = client.patch(review_url, {"agenda": "Only the pilot"}, format="json")
    assert changed.status_code in patch
    review.refresh_from_db()
    assert (review.agenda == "Only the pilot") is (200 in patch)

    action = {"title": "Send the offer", "owner": team_member.pk, "due_date": "2099-01-31"}
    added = client.post(url("review-action-items", review.pk), action, format="json")
    assert added.status_code in add_action
    assert review.action_items.exists() is (201 in add_action)

    converted = client.post(url("review-action-items-to-tasks", review.pk))
    assert converted.status_code in to_tasks
    assert Task.objects.filter(title="Send the offer").exists() is (201 in to_tasks)

    held = client.post(url("review-hold", review.pk), {"decision": "continue"}, format="json")
    assert held.status_code in hold
    review.refresh_from_db()
    assert review.is_held is (200 in hold)


def test_a_member_who_left_no_longer_sees_the_reviews(project, review, team_member):
    project.memberships.filter(user=team_member).update(left_on=timezone.localdate())

    client = api(team_member)

    assert client.get(url("review-list")).json()["results"] == []
    assert client.get(url("review-detail", review.pk)).status_code == 404


def test_a_closed_project_takes_no_review_from_its_owner(manager, review):
    Project.objects.filter(pk=review.project_id).update(stage=Stage.CLOSED, outcome="won")

    response = api(manager).post(url("review-hold", review.pk), {"decision": "continue"})

    assert response.status_code == 403
    assert not ReviewMeeting.objects.get(pk=review.pk).is_held


# --- reviews: what they read and write --------------------------------------------------------
def test_owner_schedules_a_review_with_attendees(project, manager, team_member):
    body = {
        "project": project.pk,
        "scheduled_for": ahead(days=3),
        "duration_minutes": 90,
        "location": "https://meet.example.com/harbour",
        "attendees": [manager.pk, team_member.pk],
        "agenda": "Pilot results",
    }

    response = api(manager).post(url("review-list"), body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    review = ReviewMeeting.objects.get(pk=data["id"])
    assert review.created_by == manager
    assert sorted(review.attendees.values_list("pk", flat=True)) == sorted(
        [manager.pk, team_member.pk]
    )
    assert data["state"] == "scheduled"
    assert data["decision"] is None
    assert data["duration_minutes"] == 90
    assert {person["id"] for person in data["attendee_details"]} == {manager.pk, team_member.pk}
    assert data["action_items"] == []
    assert data["brief"]["stage"] == Stage.EXECUTION


def test_review_detail_holds_action_items_and_the_brief(manager, review, team_member):
    item = ReviewActionItemFactory(review=review, owner=team_member, title="Call the buyer")
    RiskFactory(project=review.project, title="Budget freeze", probability=5, impact=4)

    data = api(manager).get(url("review-detail", review.pk)).json()

    assert data["action_items"] == [
        {
            "id": item.pk,
            "title": "Call the buyer",
            "owner": team_member.pk,
            "owner_name": team_member.display_name,
            "due_date": item.due_date.isoformat(),
            "task": None,
            "created_at": data["action_items"][0]["created_at"],
        }
    ]
    assert data["action_item_count"] == 1
    assert [risk["title"] for risk in data["brief"]["risks_new"]] == ["Budget freeze"]
    assert data["brief"]["open_risks_by_level"] == {"critical": 1}


def test_a_held_review_has_no_brief(manager, project):
    held = NOW() - datetime.timedelta(days=2)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=held, held_at=held, decision=ReviewDecision.CONTINUE
    )

    data = api(manager).get(url("review-detail", review.pk)).json()

    assert data["state"] == "held"
    assert data["decision"] == "continue"
    assert data["brief"] is None


def test_owner_reschedules_and_changes_attendees(manager, review, team_member):
    new_time = NOW() + datetime.timedelta(days=12)

    response = api(manager).patch(
        url("review-detail", review.pk),
        {"scheduled_for": new_time.isoformat(), "attendees": [manager.pk], "duration_minutes": 30},
        format="json",
    )

    assert response.status_code == 200, response.json()
    review.refresh_from_db()
    assert review.scheduled_for == new_time
    assert review.duration_minutes == 30
    assert list(review.attendees.all()) == [manager]
    assert response.json()["attendees"] == [manager.pk]


def test_owner_saves_agenda_and_minutes(manager, review, team_member):
    response = api(manager).patch(
        url("review-detail", review.pk),
        {"agenda": "1. Pilot", "minutes": "Pilot went well."},
        format="json",
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.agenda, review.minutes) == ("1. Pilot", "Pilot went well.")
    assert sorted(review.attendees.values_list("pk", flat=True)) == sorted(
        [review.project.owner_id, team_member.pk]
    )


def test_a_patch_cannot_move_a_review_to_another_project(manager, review):
    other = ProjectFactory(owner=manager, stage=Stage.EXECUTION)

    response = api(manager).patch(
        url("review-detail", review.pk), {"project": other.pk, "agenda": "A"}, format="json"
    )

    assert response.status_code == 200
    assert ReviewMeeting.objects.get(pk=review.pk).project_id == review.project_id


def test_action_items_become_tasks_once(manager, review, team_member):
    ReviewActionItemFactory(review=review, owner=team_member, title="Send the offer")
    ReviewActionItemFactory(review=review, owner=manager, title="Book the demo")
    client = api(manager)

    first = client.post(url("review-action-items-to-tasks", review.pk))
    again = client.post(url("review-action-items-to-tasks", review.pk))

    assert first.status_code == 201
    assert sorted(task["title"] for task in first.json()) == ["Book the demo", "Send the offer"]
    assert {task["assignee"] for task in first.json()} == {manager.pk, team_member.pk}
    assert again.status_code == 200
    assert again.json() == []
    assert review.action_items.filter(task__isnull=True).count() == 0


# --- reviews: bad input -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scheduled_for": "past"}, "scheduled_for"),
        ({"scheduled_for": "not a time"}, "scheduled_for"),
        ({"scheduled_for": None}, "scheduled_for"),
        ({"attendees": ["outsider"]}, "attendees"),
        ({"attendees": [10**30]}, "attendees"),
        ({"attendees": "everyone"}, "attendees"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"duration_minutes": 10_000}, "duration_minutes"),
        ({"location": "x" * 301}, "location"),
        ({"project": None}, "project"),
        ({"project": "abc"}, "project"),
        ({"project": 10**30}, "project"),
        ({"project": "hidden"}, "project"),
    ],
)
def test_bad_review_is_refused_with_the_field_named(project, manager, outsider, change, field):
    hidden = ProjectFactory(stage=Stage.EXECUTION)
    replace = {"past": ahead(hours=-1), "outsider": outsider.pk, "hidden": hidden.pk}
    change = {
        name: (
            [replace.get(v, v) for v in value]
            if isinstance(value, list)
            else replace.get(value, value)
            if isinstance(value, str)
            else value
        )
        for name, value in change.items()
    }
    body = {"project": project.pk, "scheduled_for": ahead(days=2), **change}

    response = api(manager).post(url("review-list"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ReviewMeeting.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scheduled_for": "past"}, "scheduled_for"),
        ({"attendees": ["outsider"]}, "attendees"),
        ({"attendees": [None]}, "attendees"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"agenda": "x" * 5001}, "agenda"),
        ({"minutes": ["not", "text"]}, "minutes"),
        ({"agenda": "Fine", "scheduled_for": "past"}, "scheduled_for"),
    ],
)
def test_bad_review_change_is_refused_and_changes_nothing(manager, review, outsider, change, field):
    replace = {"past": ahead(hours=-1), "outsider": outsider.pk}
    change = {
        name: (
            [replace.get(v, v) for v in value if v is None or isinstance(v, str)]
            + [v for v in value if not (v is None or isinstance(v, str))]
            if name == "attendees"
            else replace.get(value, value)
            if isinstance(value, str)
            else value
        )
        for name, value in change.items()
    }
    before = review_state(review)

    response = api(manager).patch(url("review-detail", review.pk), change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert review_state(review) == before


def test_a_held_review_cannot_be_changed(manager, project):
    held = NOW() - datetime.timedelta(days=1)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=held, held_at=held, decision=ReviewDecision.CONTINUE
    )
    before = review_state(review)
    client = api(manager)

    minutes = client.patch(url("review-detail", review.pk), {"minutes": "Rewritten"})
    moved = client.patch(url("review-detail", review.pk), {"scheduled_for": ahead(days=1)})

    assert minutes.status_code == 400 and "minutes" in minutes.json()
    assert moved.status_code == 400 and "scheduled_for" in moved.json()
    assert review_state(review) == before


def test_an_overdue_review_keeps_its_time_while_its_agenda_changes(manager, project):
    review = ReviewMeetingFactory(project=project, scheduled_for=NOW() - datetime.timedelta(1))

    response = api(manager).patch(
        url("review-detail", review.pk), {"location": "Room 2"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "overdue"
    assert ReviewMeeting.objects.get(pk=review.pk).location == "Room 2"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"decision": ""},
        {"decision": "celebrate"},
        {"decision": None},
        {"decision": ["continue"]},
        {"decision": "continue", "decision_note": "x" * 2001},
    ],
)
def test_hold_without_a_valid_decision_is_refused(manager, review, body):
    before = review_state(review)

    response = api(manager).post(url("review-hold", review.pk), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) <= {"decision", "decision_note"}
    assert review_state(review) == before
    assert Project.objects.get(pk=review.project_id).stage == Stage.EXECUTION


def test_holding_a_review_twice_is_refused(manager, review):
    client = api(manager)
    assert client.post(url("review-hold", review.pk), {"decision": "continue"}).status_code == 200

    again = client.post(url("review-hold", review.pk), {"decision": "escalate"})

    assert again.status_code == 400
    assert "decision" in again.json()
    assert ReviewMeeting.objects.get(pk=review.pk).decision == ReviewDecision.CONTINUE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Call", "owner": "outsider", "due_date": "2099-01-01"}, "owner"),
        ({"title": "Call", "owner": "member", "due_date": "2000-01-01"}, "due_date"),
        ({"title": "", "owner": "member", "due_date": "2099-01-01"}, "title"),
        ({"title": "Call", "owner": 10**30, "due_date": "2099-01-01"}, "owner"),
        ({"title": "Call", "owner": "member", "due_date": "soon"}, "due_date"),
    ],
)
def test_bad_action_item_is_refused(manager, review, team_member, outsider, body, field):
    who = {"outsider": outsider.pk, "member": team_member.pk}
    body = {**body, "owner": who.get(body["owner"], body["owner"])}

    response = api(manager).post(url("review-action-items", review.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not review.action_items.exists()


@pytest.mark.parametrize(
    ("name", "method", "needs_review"),
    [
        ("review-list", "post", False),
        ("review-detail", "patch", True),
        ("review-hold", "post", True),
        ("review-action-items", "post", True),
        ("risk-list", "post", False),
        ("risk-detail", "patch", True),
    ],
)
@pytest.mark.parametrize("body", [[1, 2], "text", {"project": {"id": 1}}, {"attendees": {"a": 1}}])
def test_no_body_gives_a_server_error(manager, review, risk, name, method, needs_review, body):
    target = (risk if name.startswith("risk") else review).pk
    args = [target] if needs_review else []

    response = getattr(api(manager), method)(url(name, *args), body, format="json")

    # A PATCH ignores what it may not change: the project (read-only), and attendees on a risk,
    # which has none. Everything else here is malformed: a 400 with the reason.
    ignored = method == "patch" and (
        body == {"project": {"id": 1}} or (name == "risk-detail" and "attendees" in body)
    )
    assert response.status_code == (200 if ignored else 400), response.content[:300]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reviews/99999999999999999999999/",
        "/api/v1/reviews/abc/",
        "/api/v1/risks/99999999999999999999999/",
    ],
)
def test_odd_ids_are_not_found(manager, path):
    assert api(manager).get(path).status_code == 404


def test_holding_a_review_that_does_not_exist_is_not_found(manager):
    path = "/api/v1/reviews/99999999999999999999999/hold/"

    assert api(manager).post(path, {"decision": "continue"}).status_code == 404


# --- a hold drives the cycle ------------------------------------------------------------------
def monitoring_project(owner, **extra) -> Project:
    project = ProjectFactory(
        owner=owner, stage=Stage.MONITORING, review_cadence=ReviewCadence.WEEKLY, **extra
    )
    ProjectMembershipFactory(project=project, user=owner, role=TeamRole.OWNER)
    return project


@pytest.mark.parametrize(
    ("decision", "stage"),
    [
        (ReviewDecision.CONTINUE, Stage.EXECUTION),
        (ReviewDecision.ADJUST_STRATEGY, Stage.STRATEGY),
        (ReviewDecision.CLOSE, Stage.CLOSURE),
        (ReviewDecision.ESCALATE, Stage.MONITORING),
    ],
)
def test_each_decision_takes_the_project_where_it_says(manager, director, decision, stage):
    project = monitoring_project(manager)
    StrategyFactory(project=project)
    review = ReviewMeetingFactory(project=project, scheduled_for=NOW() + datetime.timedelta(1))

    response = api(manager).post(
        url("review-hold", review.pk),
        {"decision": decision, "decision_note": "As agreed", "minutes": "We met."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    project.refresh_from_db()
    assert project.stage == stage
    assert data["moved_to"] == (None if stage == Stage.MONITORING else stage)
    assert data["awaiting_approval"] is False
    assert data["review"]["state"] == "held"
    assert data["review"]["decision"] == decision
    assert data["review"]["minutes"] == "We met."
    assert data["review"]["decision_note"] == "As agreed"
    if decision == ReviewDecision.CLOSE:
        assert data["next_review"] is None
    else:
        assert ReviewMeeting.objects.get(pk=data["next_review"]).held_at is None
    if decision == ReviewDecision.ADJUST_STRATEGY:
        assert project.strategies.filter(status=StrategyStatus.DRAFT).get().revision == 2
    if decision == ReviewDecision.ESCALATE:
        assert project.escalated_at is not None
        assert Notification.objects.filter(
            recipient=director, kind=NotificationKind.ESCALATED, project=project
        ).exists()


def test_a_move_the_lifecycle_refuses_keeps_nothing_of_the_hold(manager):
    # From execution, closing passes through monitoring, whose gate this project does not meet.
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    review = ReviewMeetingFactory(project=project)
    before = review_state(review)
    strategies = Strategy.objects.count()

    response = api(manager).post(url("review-hold", review.pk), {"decision": "close"})

    assert response.status_code == 400
    assert "decision" in response.json()
    assert review_state(review) == before
    assert Project.objects.get(pk=project.pk).stage == Stage.EXECUTION
    assert project.reviews.count() == 1
    assert Strategy.objects.count() == strategies


def test_a_decision_that_does_not_fit_the_stage_is_refused(manager):
    project = ProjectFactory(owner=manager, stage=Stage.GOAL_SETTING)
    review = ReviewMeetingFactory(project=project)

    response = api(manager).post(url("review-hold", review.pk), {"decision": "adjust_strategy"})

    assert response.status_code == 400
    assert "decision" in response.json()
    assert not ReviewMeeting.objects.get(pk=review.pk).is_held


def test_hold_answers_in_the_persons_language(manager, review):
    manager.language = "zh-hans"
    manager.save()

    response = api(manager).post(url("review-hold", review.pk), {}, format="json")

    assert response.status_code == 400
    assert any("\u4e00" <= char <= "\u9fff" for char in response.json()["decision"][0])


# --- reviews: filters -------------------------------------------------------------------------
@pytest.fixture
def three_reviews(project, manager):
    past = NOW() - datetime.timedelta(days=3)
    return {
        "upcoming": ReviewMeetingFactory(
            project=project, scheduled_for=NOW() + datetime.timedelta(5)
        ),
        "overdue": ReviewMeetingFactory(project=project, scheduled_for=past),
        "held": ReviewMeetingFactory(
            project=project, scheduled_for=past, held_at=past, decision=ReviewDecision.CONTINUE
        ),
    }


@pytest.mark.parametrize("state", ["upcoming", "overdue", "held"])
def test_reviews_filter_by_state(manager, three_reviews, state):
    response = api(manager).get(url("review-list"), {"state": state})

    assert [row["id"] for row in response.json()["results"]] == [three_reviews[state].pk]


def test_reviews_filter_by_project_and_dates(manager, project, three_reviews):
    other = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    elsewhere = ReviewMeetingFactory(project=other)
    client = api(manager)
    today = timezone.localdate()

    by_project = client.get(url("review-list"), {"project": other.pk}).json()["results"]
    ahead_only = client.get(
        url("review-list"), {"scheduled_from": today.isoformat(), "project": project.pk}
    ).json()["results"]
    before = client.get(
        url("review-list"), {"scheduled_to": (today - datetime.timedelta(1)).isoformat()}
    ).json()["results"]

    assert [row["id"] for row in by_project] == [elsewhere.pk]
    assert [row["id"] for row in ahead_only] == [three_reviews["upcoming"].pk]
    assert {row["id"] for row in before} == {three_reviews["overdue"].pk, three_reviews["held"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"state": "soon"},
        {"project": "abc"},
        {"project": 10**30},
        {"scheduled_from": "tomorrow"},
        {"ordering": "nonsense"},
    ],
)
def test_bad_review_filters_are_not_server_errors(manager, review, params):
    response = api(manager).get(url("review-list"), params)

    # An unknown ordering is ignored (DRF's OrderingFilter); a filter value that is none: 400.
    assert response.status_code == (200 if "ordering" in params else 400), response.content[:300]


# --- risks: who may do what -----------------------------------------------------------------
RISK_MATRIX = [
    # who, list sees it, detail, create, patch, delete
    ("anonymous", DENIED, DENIED, DENIED, DENIED, DENIED),
    ("outsider", {200}, {404}, {400}, {404}, {404}),
    ("observer", {200}, {200}, {403}, {403}, {403}),
    ("member", {200}, {200}, {403}, {403}, {403}),
    ("owner", {200}, {200}, {201}, {200}, {204}),
    ("director", {200}, {200}, {201}, {200}, {204}),
]


@pytest.mark.parametrize(("who", "listed", "detail", "create", "patch", "delete"), RISK_MATRIX)
def test_risk_permission_matrix(
    people, project, risk, manager, who, listed, detail, create, patch, delete
):
    client = api(people[who])
    risk_url = url("risk-detail", risk.pk)
    sees = 200 in detail

    listing = client.get(url("risk-list"))
    assert listing.status_code in listed
    if listing.status_code == 200:
        assert [row["id"] for row in listing.json()["results"]] == ([risk.pk] if sees else [])
    assert client.get(risk_url).status_code in detail

    body = {
        "project": project.pk,
        "title": "Key contact leaves",
        "category": "customer",
        "probability": 2,
        "impact": 4,
        "owner": manager.pk,
    }
    assert client.post(url("risk-list"), body, format="json").status_code in create
    assert Risk.objects.filter(title="Key contact leaves").exists() is (201 in create)

    changed = client.patch(risk_url, {"impact": 1}, format="json")
    assert changed.status_code in patch
    assert (Risk.objects.get(pk=risk.pk).impact == 1) is (200 in patch)

    assert client.delete(risk_url).status_code in delete
    assert Risk.objects.filter(pk=risk.pk).exists() is (204 not in delete)


def test_the_risks_owner_updates_it_but_does_not_delete_it(project, team_member):
    risk = RiskFactory(project=project, owner=team_member)
    client = api(team_member)

    changed = client.patch(
        url("risk-detail", risk.pk), {"status": "mitigating", "mitigation": "Weekly calls"}
    )
    deleted = client.delete(url("risk-detail", risk.pk))

    assert changed.status_code == 200
    assert changed.json()["status"] == "mitigating"
    assert deleted.status_code == 403
    assert Risk.objects.get(pk=risk.pk).mitigation == "Weekly calls"


def test_score_and_level_are_derived_not_written(project, manager):
    body = {
        "project": project.pk,
        "title": "Price war",
        "category": "competition",
        "probability": 5,
        "impact": 4,
        "owner": manager.pk,
        "score": 1,
        "level": "low",
    }

    response = api(manager).post(url("risk-list"), body, format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["score"], response.json()["level"]) == (20, "critical")
    risk = Risk.objects.get(title="Price war")
    assert (risk.score, risk.level, risk.created_by) == (20, "critical", manager)


def test_a_risk_that_becomes_high_tells_its_owner_and_the_directors(manager, director, risk):
    response = api(manager).patch(url("risk-detail", risk.pk), {"probability": 5}, format="json")

    assert response.json()["level"] == "high"
    notified = Notification.objects.filter(kind=NotificationKind.RISK_SERIOUS)
    assert set(notified.values_list("recipient", flat=True)) == {manager.pk, director.pk}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"probability": 0}, "probability"),
        ({"probability": 6}, "probability"),
        ({"impact": -1}, "impact"),
        ({"impact": "high"}, "impact"),
        ({"impact": 2.5}, "impact"),
        ({"category": "weather"}, "category"),
        ({"category": None}, "category"),
        ({"status": "forgotten"}, "status"),
        ({"owner": "outsider"}, "owner"),
        ({"owner": 10**30}, "owner"),
        ({"title": ""}, "title"),
        ({"due_date": "someday"}, "due_date"),
        ({"project": "hidden"}, "project"),
    ],
)
def test_bad_risk_is_refused_and_nothing_saved(project, manager, outsider, change, field):
    hidden = ProjectFactory(stage=Stage.EXECUTION)
    replace = {"outsider": outsider.pk, "hidden": hidden.pk}
    change = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    body = {
        "project": project.pk,
        "title": "Risk",
        "category": "technical",
        "probability": 3,
        "impact": 3,
        "owner": manager.pk,
        **change,
    }

    response = api(manager).post(url("risk-list"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"probability": 0}, "probability"),
        ({"impact": 6}, "impact"),
        ({"category": "weather"}, "category"),
        ({"owner": "outsider"}, "owner"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_risk_change_is_refused_and_changes_nothing(manager, risk, outsider, change, field):
    change = {k: outsider.pk if v == "outsider" else v for k, v in change.items()}
    before = risk_state(risk)

    response = api(manager).patch(url("risk-detail", risk.pk), change, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert risk_state(risk) == before


def test_risks_filter_by_status_level_category_and_owner(project, manager, team_member):
    serious = RiskFactory(project=project, probability=5, impact=5, category="legal")
    mine = RiskFactory(project=project, owner=team_member, probability=1, impact=1)
    closed = RiskFactory(project=project, status="closed", category="delivery")
    elsewhere = RiskFactory(project=ProjectFactory(owner=manager, stage=Stage.EXECUTION))
    client = api(manager)

    def ids(**params):
        response = client.get(url("risk-list"), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    # The register's filters: by default the risks still being worked.
    assert ids() == {serious.pk, mine.pk, elsewhere.pk}
    assert ids(status="") == {serious.pk, mine.pk, closed.pk, elsewhere.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(level="critical") == {serious.pk}
    assert ids(category="delivery", status="") == {closed.pk}
    assert ids(owner=team_member.pk) == {mine.pk}
    assert ids(project=project.pk) == {serious.pk, mine.pk}
    assert ids(probability=5, impact=5) == {serious.pk}
    assert ids(search="Risk") >= {serious.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"level": "huge"},
        {"status": "forgotten"},
        {"category": "weather"},
        {"owner": "abc"},
        {"owner": 10**30},
        {"project": "abc"},
        {"project": 10**30},
        {"probability": 9},
    ],
)
def test_bad_risk_filters_are_a_400(manager, risk, params):
    assert api(manager).get(url("risk-list"), params).status_code == 400


def test_the_owner_filter_offers_nobody_outside_the_risks_i_see(manager, outsider, risk):
    hidden = RiskFactory(project=ProjectFactory(), owner=outsider)

    response = api(manager).get(url("risk-list"), {"owner": hidden.owner_id})

    assert response.status_code == 400
    assert "owner" in response.json()


def test_risks_list_most_serious_first(project, manager):
    low = RiskFactory(project=project, probability=1, impact=2)
    high = RiskFactory(project=project, probability=4, impact=4)

    rows = api(manager).get(url("risk-list")).json()["results"]

    assert [row["id"] for row in rows] == [high.pk, low.pk]


# --- the matrix -----------------------------------------------------------------------------
def cell(matrix: dict, probability: int, impact: int) -> dict:
    found = matrix["rows"][5 - probability][impact - 1]
    assert (found["probability"], found["impact"]) == (probability, impact)
    return found


def test_the_matrix_counts_visible_open_risks_per_cell(project, manager):
    RiskFactory.create_batch(2, project=project, probability=5, impact=5)
    RiskFactory(project=project, probability=1, impact=4)
    RiskFactory(project=project, probability=1, impact=4, status="closed")
    RiskFactory(project=ProjectFactory(), probability=1, impact=4)  # a project not theirs

    matrix = api(manager).get(url("risk-matrix")).json()

    assert [len(row) for row in matrix["rows"]] == [5] * 5
    assert cell(matrix, 5, 5) == {"probability": 5, "impact": 5, "count": 2, "level": "critical"}
    assert cell(matrix, 1, 4)["count"] == 1
    assert cell(matrix, 1, 4)["level"] == "low"
    assert cell(matrix, 3, 2)["level"] == "medium"
    assert cell(matrix, 2, 5)["level"] == "high"
    assert matrix["total"] == 3
    assert matrix["by_level"] == {"low": 1, "medium": 0, "high": 0, "critical": 2}


def test_the_matrix_of_one_project_and_with_closed_risks(project, manager):
    other = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    RiskFactory(project=project, probability=2, impact=2)
    RiskFactory(project=project, probability=2, impact=2, status="closed")
    RiskFactory(project=other, probability=2, impact=2, category="legal")
    client = api(manager)

    one = client.get(url("risk-matrix"), {"project": project.pk}).json()
    all_of_it = client.get(url("risk-matrix"), {"status": ""}).json()
    closed = client.get(url("risk-matrix"), {"status": "closed"}).json()
    legal = client.get(url("risk-matrix"), {"category": "legal"}).json()

    assert cell(one, 2, 2)["count"] == 1
    assert cell(all_of_it, 2, 2)["count"] == 3
    assert closed["total"] == 1
    assert legal["total"] == 1


def test_a_director_sees_the_whole_portfolio_and_an_outsider_nothing(director, outsider, risk):
    assert api(director).get(url("risk-matrix")).json()["total"] == 1
    assert api(outsider).get(url("risk-matrix")).json()["total"] == 0
    assert api(outsider).get(url("risk-matrix"), {"project": risk.project_id}).json()["total"] == 0


@pytest.mark.parametrize(
    "params", [{"project": "x"}, {"project": 10**30}, {"status": "?"}, {"level": "huge"}]
)
def test_bad_matrix_parameters_are_a_400(manager, params):
    assert api(manager).get(url("risk-matrix"), params).status_code == 400


# --- query counts ---------------------------------------------------------------------------
def _count(client, path, params=None) -> tuple[CaptureQueriesContext, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return queries, response.json()


def assert_same_queries(few, many) -> None:
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_review_list_runs_a_fixed_number_of_queries(manager):
    def add(n):
        for _ in range(n):
            project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
            people = [UserFactory(role=Role.MEMBER) for _ in range(2)]
            for person in people:
                ProjectMembershipFactory(project=project, user=person)
            review = ReviewMeetingFactory(project=project)
            review.attendees.set(people)
            ReviewActionItemFactory(review=review)

    add(1)
    few, _ = _count(api(manager), url("review-list"))
    add(24)
    many, body = _count(api(fresh(manager)), url("review-list"))

    assert body["count"] == 25
    assert all(len(row["attendee_details"]) == 2 for row in body["results"])
    assert_same_queries(few, many)


def test_risk_list_runs_a_fixed_number_of_queries(manager):
    def add(n):
        for _ in range(n):
            project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
            owner = ProjectMembershipFactory(project=project).user
            RiskFactory(project=project, owner=owner)

    add(1)
    few, _ = _count(api(manager), url("risk-list"))
    add(24)
    many, body = _count(api(fresh(manager)), url("risk-list"))

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_risk_matrix_runs_a_fixed_number_of_queries(manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    RiskFactory(project=project)
    few, _ = _count(api(manager), url("risk-matrix"))
    for n in range(24):
        RiskFactory(project=project, probability=n % 5 + 1, impact=(n // 5) % 5 + 1)
    many, body = _count(api(fresh(manager)), url("risk-matrix"))

    assert body["total"] == 25
    assert_same_queries(few, many)


# --- the API as a whole ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["review-list", "risk-list", "risk-matrix"])
def test_browsable_api_pages_render(client, manager, review, risk, name):
    client.force_login(manager)

    response = client.get(url(name), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_documents_reviews_risks_and_the_calendar_token(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    schema = (tmp_path / "schema.yml").read_text()
    for path in [
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/",
        "/api/v1/reviews/{id}/hold/",
        "/api/v1/reviews/{id}/action-items/",
        "/api/v1/reviews/{id}/action-items/to-tasks/",
        "/api/v1/risks/",
        "/api/v1/risks/{id}/",
        "/api/v1/risks/matrix/",
        "/api/v1/calendar-token/",
    ]:
        assert f"  {path}:" in schema


def test_owner_cancels_a_pending_review_and_others_cannot(manager, review, team_member):
    refused = api(team_member).delete(url("review-detail", review.pk))
    assert refused.status_code == 403
    assert api(manager).delete(url("review-detail", review.pk)).status_code == 204
    assert not ReviewMeeting.objects.filter(pk=review.pk).exists()
    assert review.project.activities.filter(verb="review_cancelled").exists()


def test_a_held_review_cannot_be_cancelled_through_the_api(manager, project):
    held = NOW() - datetime.timedelta(days=1)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=held, held_at=held, decision=ReviewDecision.CONTINUE
    )
    response = api(manager).delete(url("review-detail", review.pk))
    assert response.status_code == 400 and "scheduled_for" in response.json()
    assert ReviewMeeting.objects.filter(pk=review.pk).exists()


def test_a_review_in_the_far_future_is_a_400_not_a_500(manager, project):
    response = api(manager).post(
        url("review-list"),
        {"project": project.pk, "scheduled_for": "9999-12-31T15:00:00Z", "duration_minutes": 600},
        format="json",
    )
    assert response.status_code == 400 and "scheduled_for" in response.json()
    assert not ReviewMeeting.objects.exists()
