"""Calendar feeds: what the personal and project feeds hold and for whom, the token that
authenticates them (rotate, revoke), the settings page, the token API and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.calendar import calendar_token_ensure
from collaboration.models import CalendarToken, TaskStatus
from monitoring.models import ReviewDecision
from projects.models import Stage, TeamRole
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now
TODAY = timezone.localdate


def token_of(user) -> str:
    return calendar_token_ensure(user=user).token


def feed(client, user_or_token, project=None):
    token = user_or_token if isinstance(user_or_token, str) else token_of(user_or_token)
    if project is None:
        return client.get(reverse("collaboration:calendar_feed", args=[token]))
    return client.get(reverse("collaboration:calendar_project_feed", args=[token, project.pk]))


def events(response) -> dict[str, object]:
    """The feed's events by UID (the feed must parse)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def review_uid(review) -> str:
    return f"review-{review.pk}@salescycle"


def task_uid(task) -> str:
    return f"task-{task.pk}-due@salescycle"


def days_ago(days: int) -> datetime.datetime:
    return NOW() - datetime.timedelta(days=days)


@pytest.fixture
def attended(project, manager, team_member):
    """An upcoming review the member attends."""
    review = ReviewMeetingFactory(
        project=project, location="Room 4", agenda="Pilot results", duration_minutes=90
    )
    review.attendees.set([manager, team_member])
    return review


@pytest.fixture
def not_attended(project, manager):
    review = ReviewMeetingFactory(project=project)
    review.attendees.set([manager])
    return review


# --- the personal feed ------------------------------------------------------------------------
def test_the_feed_is_a_calendar_clients_accept(client, team_member, attended):
    response = feed(client, team_member)
    calendar = Calendar.from_ical(response.content)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//SalesCycle//Calendar feed//EN"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert team_member.display_name in str(calendar["X-WR-CALNAME"])
    assert "private" in response["Cache-Control"]
    for event in calendar.walk("VEVENT"):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(event)


def test_a_review_event_says_when_where_and_what(client, settings, team_member, attended):
    settings.SITE_URL = "https://sales.example.com/"

    event = events(feed(client, team_member))[review_uid(attended)]

    start = attended.scheduled_for.replace(microsecond=0)  # iCalendar counts whole seconds
    assert event["DTSTART"].dt == start
    assert event["DTSTART"].dt.utcoffset() == datetime.timedelta(0)
    assert event["DTEND"].dt == start + datetime.timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Review: Harbour Logistics ERP"
    assert str(event["LOCATION"]) == "Room 4"
    assert str(event["DESCRIPTION"]) == "Pilot results"
    assert str(event["URL"]) == (
        f"https://sales.example.com/projects/{attended.project_id}/reviews/{attended.pk}/"
    )
    start_line = next(
        line for line in feed(client, team_member).content.splitlines() if b"DTSTART" in line
    )
    assert start_line.endswith(b"Z")  # UTC, which every client reads the same way


def test_a_task_due_date_is_an_all_day_event(client, team_member, task):
    task.due_date = TODAY() + datetime.timedelta(days=4)
    task.save()

    event = events(feed(client, team_member))[task_uid(task)]

    assert event["DTSTART"].dt == task.due_date
    assert event["DTEND"].dt == task.due_date + datetime.timedelta(days=1)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert str(event["SUMMARY"]) == "Due: Prepare the pilot (Harbour Logistics ERP)"
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_the_feed_holds_my_reviews_and_tasks_and_nothing_else(
    client, project, manager, team_member, colleague, attended, not_attended, task
):
    task.due_date = TODAY() + datetime.timedelta(days=3)
    task.save()
    overdue = ReviewMeetingFactory(project=project, scheduled_for=days_ago(2))
    recent = ReviewMeetingFactory(
        project=project, scheduled_for=days_ago(30), held_at=days_ago(30), decision="continue"
    )
    old = ReviewMeetingFactory(
        project=project, scheduled_for=days_ago(120), held_at=days_ago(120), decision="continue"
    )
    for review in (overdue, recent, old):
        review.attendees.set([team_member])
    overdue_task = TaskFactory(
        project=project, assignee=team_member, due_date=TODAY() - datetime.timedelta(2)
    )
    TaskFactory(project=project, assignee=team_member, due_date=TODAY(), status=TaskStatus.DONE)
    TaskFactory(project=project, assignee=team_member, due_date=None)
    colleagues = TaskFactory(project=project, assignee=colleague, due_date=TODAY())

    mine = set(events(feed(client, team_member)))
    theirs = set(events(feed(client, colleague)))

    assert mine == {
        review_uid(attended),
        review_uid(overdue),
        review_uid(recent),
        task_uid(task),
        task_uid(overdue_task),
    }
    assert theirs == {task_uid(colleagues)}


def test_the_owner_gets_every_review_of_the_project(client, manager, attended, not_attended):
    uids = set(events(feed(client, manager)))

    assert uids == {review_uid(attended), review_uid(not_attended)}


def test_a_director_gets_only_the_reviews_they_attend(client, director, attended, not_attended):
    attended.attendees.add(director)

    assert set(events(feed(client, director))) == {review_uid(attended)}


def test_who_left_the_project_no_longer_gets_its_events(
    client, project, team_member, attended, task
):
    task.due_date = TODAY()
    task.save()
    assert events(feed(client, team_member))

    project.memberships.filter(user=team_member).update(left_on=TODAY())

    assert events(feed(client, team_member)) == {}


def test_events_of_projects_i_cannot_see_are_left_out(client, team_member):
    hidden = ProjectFactory(stage=Stage.EXECUTION)
    review = ReviewMeetingFactory(project=hidden)
    review.attendees.set([team_member])
    TaskFactory(project=hidden, assignee=team_member, due_date=TODAY())

    assert events(feed(client, team_member)) == {}


def test_the_feed_speaks_the_persons_language(client, project, team_member):
    team_member.language = "zh-hans"
    team_member.save()
    held = ReviewMeetingFactory(
        project=project,
        scheduled_for=days_ago(3),
        held_at=days_ago(3),
        decision=ReviewDecision.ADJUST_STRATEGY,
    )
    held.attendees.set([team_member])

    event = events(feed(client, team_member))[review_uid(held)]

    assert "调整策略" in str(event["DESCRIPTION"])


def test_uids_are_stable_between_fetches(client, team_member, attended, task):
    task.due_date = TODAY()
    task.save()

    assert set(events(feed(client, team_member))) == set(events(feed(client, team_member)))


# --- the token --------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["nope", "x" * 65, "a" * 43])
def test_an_unknown_token_is_not_found(client, team_member, token):
    token_of(team_member)

    assert feed(client, token).status_code == 404


def test_a_revoked_token_is_not_found(client, team_member):
    token = token_of(team_member)
    CalendarToken.objects.filter(user=team_member).delete()

    assert feed(client, token).status_code == 404


def test_the_token_of_a_deactivated_person_is_not_found(client, team_member):
    token = token_of(team_member)
    team_member.is_active = False
    team_member.save()

    assert feed(client, token).status_code == 404


def test_a_feed_is_read_only(client, team_member):
    response = client.post(reverse("collaboration:calendar_feed", args=[token_of(team_member)]))

    assert response.status_code == 405


# --- the project feed -------------------------------------------------------------------------
def test_the_project_feed_holds_all_its_reviews_and_task_deadlines(
    client, project, team_member, colleague, attended, not_attended, task
):
    task.due_date = TODAY()
    task.save()
    colleagues = TaskFactory(project=project, assignee=colleague, due_date=TODAY(), title="Quote")
    elsewhere = ProjectFactory(stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=elsewhere, user=team_member)
    ReviewMeetingFactory(project=elsewhere).attendees.set([team_member])

    found = events(feed(client, team_member, project))

    assert set(found) == {
        review_uid(attended),
        review_uid(not_attended),
        task_uid(task),
        task_uid(colleagues),
    }
    assert colleague.display_name in str(found[task_uid(colleagues)]["SUMMARY"])


@pytest.mark.parametrize(
    ("who", "code"),
    [("outsider", 404), ("observer", 200), ("team_member", 200), ("director", 200)],
)
def test_the_project_feed_is_for_those_who_see_the_project(client, request, project, who, code):
    person = request.getfixturevalue(who)

    assert feed(client, person, project).status_code == code


def test_the_project_feed_ends_when_the_person_leaves(client, project, team_member):
    token = token_of(team_member)
    assert feed(client, token, project).status_code == 200

    project.memberships.filter(user=team_member).update(left_on=TODAY())

    assert feed(client, token, project).status_code == 404


def test_the_project_feed_needs_a_valid_token(client, project, team_member):
    token = token_of(team_member)
    CalendarToken.objects.filter(user=team_member).delete()

    assert feed(client, token, project).status_code == 404


# --- query counts ---------------------------------------------------------------------------
def _count(client, path) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return queries


def _populate(project, person, n: int) -> None:
    for _ in range(n):
        review = ReviewMeetingFactory(project=project)
        review.attendees.set([person])
        assignee = UserFactory(role=Role.MEMBER)
        ProjectMembershipFactory(project=project, user=assignee)
        TaskFactory(project=project, assignee=person, due_date=TODAY())
        TaskFactory(project=project, assignee=assignee, due_date=TODAY())


def test_the_personal_feed_runs_a_fixed_number_of_queries(client, team_member):
    token = token_of(team_member)
    path = reverse("collaboration:calendar_feed", args=[token])
    projects = []
    for _ in range(2):
        projects.append(ProjectFactory(stage=Stage.EXECUTION))
        ProjectMembershipFactory(project=projects[-1], user=team_member)
    _populate(projects[0], team_member, 1)
    few = _count(client, path)
    for project in projects:
        _populate(project, team_member, 12)
    many = _count(client, path)

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_project_feed_runs_a_fixed_number_of_queries(client, project, team_member):
    path = reverse("collaboration:calendar_project_feed", args=[token_of(team_member), project.pk])
    _populate(project, team_member, 1)
    few = _count(client, path)
    _populate(project, team_member, 24)
    many = _count(client, path)

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- the settings page ------------------------------------------------------------------------
PAGE = "/calendar/"


def test_the_page_requires_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_offers_to_make_a_feed_and_does_not_make_one_by_itself(client, team_member):
    client.force_login(team_member)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert b'data-testid="create-feed"' in response.content
    assert not CalendarToken.objects.filter(user=team_member).exists()


def test_the_page_shows_my_feed_and_my_projects_feeds(client, project, team_member, attended):
    other = ProjectFactory(stage=Stage.EXECUTION, name="Not mine")
    token = token_of(team_member)
    client.force_login(team_member)

    page = client.get(PAGE).content.decode()

    assert f'value="http://testserver/calendar/{token}.ics"' in page
    assert f"webcal://testserver/calendar/{token}.ics" in page
    assert f"http://testserver/calendar/{token}/projects/{project.pk}.ics" in page
    assert f"/projects/{other.pk}.ics" not in page
    assert "Not mine" not in page
    assert "Outlook" in page and "Google Calendar" in page and "Apple Calendar" in page


def test_making_a_feed_on_the_page(client, team_member):
    client.force_login(team_member)

    response = client.post(PAGE, {"action": "create"})

    assert response.status_code == 302
    token = CalendarToken.objects.get(user=team_member).token
    assert feed(client, token).status_code == 200


def test_a_new_address_on_the_page_ends_the_old_one(client, team_member):
    old = token_of(team_member)
    client.force_login(team_member)

    response = client.post(PAGE, {"action": "rotate"}, follow=True)

    new = CalendarToken.objects.get(user=team_member).token
    assert new != old
    assert new in response.content.decode()
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_turning_the_feed_off_on_the_page(client, team_member):
    old = token_of(team_member)
    client.force_login(team_member)

    response = client.post(PAGE, {"action": "revoke"}, follow=True)

    assert b'data-testid="create-feed"' in response.content
    assert not CalendarToken.objects.filter(user=team_member).exists()
    assert feed(client, old).status_code == 404


@pytest.mark.parametrize("data", [{}, {"action": "explode"}])
def test_an_unknown_page_action_is_a_400(client, team_member, data):
    token = token_of(team_member)
    client.force_login(team_member)

    assert client.post(PAGE, data).status_code == 400
    assert CalendarToken.objects.get(user=team_member).token == token


# --- the token API ----------------------------------------------------------------------------
TOKEN_API = "/api/v1/calendar-token/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def test_the_api_gives_my_feed_making_a_token_if_needed(client, team_member, project):
    first = api(team_member).get(TOKEN_API)
    again = api(team_member).get(TOKEN_API)

    assert first.status_code == 200
    token = CalendarToken.objects.get(user=team_member).token
    assert first.json()["token"] == again.json()["token"] == token
    assert first.json()["feed_url"] == f"http://testserver/calendar/{token}.ics"
    template = first.json()["project_feed_url"]
    assert template == f"http://testserver/calendar/{token}/projects/{{project_id}}.ics"
    assert feed(client, token, project).status_code == 200


def test_the_api_replaces_the_token(client, team_member):
    old = token_of(team_member)

    response = api(team_member).post(TOKEN_API)

    assert response.status_code == 201
    new = response.json()["token"]
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_the_api_revokes_the_token(client, team_member):
    old = token_of(team_member)

    response = api(team_member).delete(TOKEN_API)

    assert response.status_code == 204
    assert not CalendarToken.objects.filter(user=team_member).exists()
    assert feed(client, old).status_code == 404
    assert api(team_member).delete(TOKEN_API).status_code == 204


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_the_token_api_requires_sign_in(method):
    assert getattr(api(), method)(TOKEN_API).status_code == 401
    assert not CalendarToken.objects.exists()


def test_each_person_has_their_own_token(team_member, colleague):
    mine = api(team_member).get(TOKEN_API).json()["token"]
    theirs = api(colleague).get(TOKEN_API).json()["token"]

    assert mine != theirs
    assert CalendarToken.objects.get(token=mine).user == team_member


def test_membership_role_does_not_matter_for_a_personal_feed(client, project):
    lead = ProjectMembershipFactory(project=project, role=TeamRole.ACCOUNT_LEAD).user
    review = ReviewMeetingFactory(project=project)
    review.attendees.set([lead])

    assert set(events(feed(client, lead))) == {review_uid(review)}
