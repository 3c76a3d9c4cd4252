"""The review pages (监控评估): who may see and do what, bad input next to the field, the
agenda → minutes → decision flow with htmx, decisions that move the stage, action items that
become tasks, printable minutes, the portfolio's week and overdue lists, and query counts that
do not grow with the rows shown."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboration.models import NotificationKind, Task, TaskStatus
from collaboration.notifications import notify
from monitoring.models import ReviewActionItem, ReviewDecision, ReviewMeeting
from projects.models import Project, ReviewCadence, Stage, Strategy, StrategyStatus, TeamRole
from tests.factories import (
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewActionItemFactory,
    ReviewMeetingFactory,
    RiskFactory,
    TaskFactory,
    UserFactory,
)
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db


HX = {"HTTP_HX_REQUEST": "true"}


def soon(days: int = 3, hour: int = 10) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def form_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def url(name: str, review: ReviewMeeting) -> str:
    return reverse(f"monitoring:{name}", args=[review.project_id, review.pk])


def people(request, who: str):
    return None if who == "anonymous" else request.getfixturevalue(who)


def sign_in(client, request, who: str) -> None:
    user = people(request, who)
    if user is not None:
        client.force_login(user)


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def section(html: str, testid: str) -> str:
    """The markup of the element with data-testid=`testid` up to the next card."""
    start = html.index(f'data-testid="{testid}"')
    end = html.find('<section class="card"', start)
    return html[start : end if end != -1 else None]


@pytest.fixture
def review(project):
    return ReviewMeetingFactory(project=project, scheduled_for=soon())


@pytest.fixture
def monitoring(manager):
    """A project in Monitoring & evaluation the way it gets there: strategy, tasks, a weekly
    cadence and its next review scheduled (the execution gate), now to be reviewed."""
    project = ProjectFactory(owner=manager, stage=Stage.MONITORING, name="Grid dispatch")
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    fill_gate(project, Stage.STRATEGY)
    fill_gate(project, Stage.EXECUTION)
    return fresh(project)


def hold(client, review: ReviewMeeting, decision: str, **extra):
    data = {"hold-decision": decision, "hold-decision_note": "Agreed in the room."}
    return client.post(url("review_hold", review), data, **extra)


# --- who sees and does what ----------------------------------------------------------------
READ_PAGES = ["review_list", "review_detail", "review_minutes"]


def read_url(name: str, review: ReviewMeeting) -> str:
    if name == "review_list":
        return reverse("monitoring:review_list", args=[review.project_id])
    return url(name, review)


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("director", 200),
        ("team_member", 200),
        ("observer", 200),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_review_pages_are_read_by_the_team_and_hidden_from_others(
    client, request, review, name, who, status
):
    sign_in(client, request, who)

    response = client.get(read_url(name, review))

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_portfolio_page_requires_sign_in(client):
    response = client.get(reverse("monitoring:portfolio_reviews"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


WRITES = [
    ("get", lambda r: reverse("monitoring:review_create", args=[r.project_id]), {}),
    ("post", lambda r: reverse("monitoring:review_create", args=[r.project_id]), {}),
    ("get", lambda r: url("review_edit", r), {}),
    ("post", lambda r: url("review_prepare", r), {"step": "agenda", "agenda-agenda": "x"}),
    ("post", lambda r: url("review_action_add", r), {}),
    ("post", lambda r: url("review_actions_to_tasks", r), {}),
    ("post", lambda r: url("review_hold", r), {"hold-decision": "continue"}),
    ("post", lambda r: url("review_delete", r), {}),
]


@pytest.mark.parametrize(("method", "target", "data"), WRITES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("team_member", 403), ("observer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_the_owner_and_directors_schedule_prepare_and_hold(
    client, request, review, method, target, data, who, status
):
    sign_in(client, request, who)

    response = getattr(client, method)(target(review), data)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    review = fresh(review)
    assert not review.is_held and review.agenda == "Progress against the goals."
    assert ReviewMeeting.objects.count() == 1


def test_member_sees_the_review_but_no_forms(client, review, team_member):
    client.force_login(team_member)

    html = client.get(url("review_detail", review)).content.decode()

    assert 'data-testid="review-agenda"' in html
    assert 'data-testid="hold-form"' not in html
    assert 'data-testid="save-agenda"' not in html
    assert 'data-testid="edit-review"' not in html


@pytest.mark.parametrize("who", ["manager", "director"])
def test_owner_and_director_see_the_flow_forms(client, request, review, who):
    sign_in(client, request, who)

    html = client.get(url("review_detail", review)).content.decode()

    for testid in ["save-agenda", "save-minutes", "save-action", "hold-form", "edit-review"]:
        assert f'data-testid="{testid}"' in html


# --- scheduling --------------------------------------------------------------------------------
def test_a_new_review_opens_with_an_agenda_drafted_from_the_facts(client, manager, project):
    GoalFactory(project=project, title="Sign the pilot")
    client.force_login(manager)

    response = client.get(reverse("monitoring:review_create", args=[project.pk]))

    form = response.context["form"]
    assert "Sign the pilot" in form.initial["agenda"]
    assert "1. Progress against the goals" in response.content.decode()


def test_owner_schedules_a_review_with_attendees(client, manager, project, team_member):
    client.force_login(manager)
    when = soon(5)

    response = client.post(
        reverse("monitoring:review_create", args=[project.pk]),
        {
            "reviews-scheduled_for": form_time(when),
            "reviews-duration_minutes": "45",
            "reviews-location": "https://meet.example.com/grid",
            "reviews-attendees": [manager.pk, team_member.pk],
            "reviews-agenda": "",
        },
    )

    review = ReviewMeeting.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.scheduled_for == when and review.duration_minutes == 45
    assert set(review.attendees.all()) == {manager, team_member}
    # Left empty, the agenda is drafted from what changed since the last review.
    assert review.agenda.startswith("1. ")


@pytest.mark.parametrize(
    ("field", "change", "message"),
    [
        (
            "scheduled_for",
            lambda d, p: d.update({"reviews-scheduled_for": form_time(soon(-2))}),
            "cannot be scheduled in the past",
        ),
        (
            "scheduled_for",
            lambda d, p: d.update({"reviews-scheduled_for": ""}),
            "This field is required",
        ),
        (
            "attendees",
            lambda d, p: d.update({"reviews-attendees": [UserFactory(username="stranger").pk]}),
            "Only members of the project&#x27;s team can attend",
        ),
        (
            "duration_minutes",
            lambda d, p: d.update({"reviews-duration_minutes": "1"}),
            "greater than or equal to 5",
        ),
    ],
    ids=["past-date", "no-date", "attendee-not-on-team", "too-short"],
)
@pytest.mark.parametrize("origin", ["review_page", "project_page"])
def test_bad_schedule_shows_the_error_next_to_the_field_and_saves_nothing(
    client, manager, project, field, change, message, origin
):
    client.force_login(manager)
    data = {
        "reviews-scheduled_for": form_time(soon()),
        "reviews-duration_minutes": "60",
        "reviews-location": "",
        "reviews-agenda": "Pipeline",
    }
    change(data, project)
    target = reverse("monitoring:review_create", args=[project.pk])
    if origin == "project_page":
        target += "?from=project"

    response = client.post(target, data)

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(rf'id="id_reviews-{field}_error">([^<]*)<', html)
    assert error and message in error.group(1)
    assert not ReviewMeeting.objects.exists()
    if origin == "project_page":
        assert 'id="project-page"' in html and "<details open>" in html


def test_owner_moves_a_review_and_changes_who_attends(client, manager, review, team_member):
    review.attendees.set([manager])
    client.force_login(manager)
    later = soon(9, hour=15)

    response = client.post(
        url("review_edit", review),
        {
            "reviews-scheduled_for": form_time(later),
            "reviews-duration_minutes": "90",
            "reviews-location": "Room 3",
            "reviews-attendees": [team_member.pk],
            "reviews-agenda": review.agenda,
        },
    )

    assert response.status_code == 302
    review = fresh(review)
    assert (review.scheduled_for, review.duration_minutes, review.location) == (
        later,
        90,
        "Room 3",
    )
    assert list(review.attendees.all()) == [team_member]


def test_owner_cancels_a_review_not_held_but_never_a_held_one(client, manager, review):
    held = ReviewMeetingFactory(
        project=review.project,
        scheduled_for=soon(-3),
        held_at=soon(-3),
        decision=ReviewDecision.CONTINUE,
    )
    client.force_login(manager)

    assert client.post(url("review_delete", held)).status_code == 404
    assert client.post(url("review_delete", review)).status_code == 302
    assert list(ReviewMeeting.objects.all()) == [held]


# --- the review page: brief, agenda → minutes & actions → decision --------------------------
def test_a_review_to_come_shows_what_changed_since_the_last_one(client, manager, project):
    goal = GoalFactory(project=project, title="Sign the pilot", target=100, current_value=20)
    ReviewMeetingFactory(
        project=project,
        scheduled_for=soon(-14),
        held_at=soon(-14),
        decision=ReviewDecision.CONTINUE,
        facts={"goals": {goal.title: 10}, "budget_actual": 0},
    )
    review = ReviewMeetingFactory(project=project, scheduled_for=soon())
    TaskFactory(project=project, due_date=timezone.localdate() - datetime.timedelta(days=2))
    TaskFactory(project=project, status=TaskStatus.BLOCKED, blocked_reason="Waiting")
    RiskFactory(project=project, title="Competitor undercuts", probability=5, impact=5)
    client.force_login(manager)

    html = client.get(url("review_detail", review)).content.decode()

    brief = section(html, "review-brief")
    assert "Since the last review" in brief
    goals = section(html, "brief-goals")
    assert "Sign the pilot" in goals and "10%" in goals and "20%" in goals
    assert "days in stage" in section(html, "brief-stage-age")
    tasks = section(html, "brief-tasks")
    assert re.search(r'<td class="num">1</td><td class="num">1</td>', tasks)
    assert "Competitor undercuts" in section(html, "brief-risks")


def test_a_held_review_shows_the_facts_it_started_from(client, manager, project):
    held = ReviewMeetingFactory(
        project=project,
        scheduled_for=soon(-1),
        held_at=soon(-1),
        decision=ReviewDecision.CONTINUE,
        facts={
            "stage": Stage.EXECUTION,
            "goals": {"Sign the pilot": 40},
            "budget_actual": 1200,
            "open_risks_by_level": {"high": 2},
            "tasks_by_department": [{"department": "Delivery", "overdue": 3, "blocked": 0}],
        },
    )
    client.force_login(manager)

    html = client.get(url("review_detail", held)).content.decode()

    facts = section(html, "review-brief")
    assert "Facts at the review" in facts
    for text in ["Execution", "Sign the pilot", "High: 2", "Delivery", "1,200"]:
        assert text in facts
    assert 'data-testid="hold-form"' not in html


@pytest.mark.parametrize("step", ["agenda", "minutes"])
def test_htmx_saves_a_step_and_gets_just_its_panel(client, manager, review, step):
    client.force_login(manager)

    response = client.post(
        url("review_prepare", review),
        {"step": step, f"{step}-{step}": "Decide on the pilot scope."},
        **HX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section class="card review-step" id="review-{step}"')
    assert "<html" not in html and "Saved." in html
    assert getattr(fresh(review), step) == "Decide on the pilot scope."


def test_without_javascript_a_step_posts_and_comes_back(client, manager, review):
    client.force_login(manager)

    response = client.post(
        url("review_prepare", review), {"step": "minutes", "minutes-minutes": "Pilot agreed."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#review-minutes"
    assert fresh(review).minutes == "Pilot agreed."


def test_an_unknown_step_is_not_found(client, manager, review):
    client.force_login(manager)
    response = client.post(url("review_prepare", review), {"step": "decision"})
    assert response.status_code == 404


def test_action_items_become_tasks_in_one_click(client, manager, review, team_member):
    client.force_login(manager)
    due = timezone.localdate() + datetime.timedelta(days=10)
    for title, owner in [("Send the revised offer", team_member), ("Book the demo", manager)]:
        response = client.post(
            url("review_action_add", review),
            {"action-title": title, "action-owner": owner.pk, "action-due_date": due},
            **HX,
        )
        assert response.status_code == 200 and title in response.content.decode()

    response = client.post(url("review_actions_to_tasks", review), **HX)

    assert response.status_code == 200
    tasks = {task.title: task for task in Task.objects.filter(project=review.project)}
    assert tasks["Send the revised offer"].assignee == team_member
    assert tasks["Book the demo"].assignee == manager
    assert {task.due_date for task in tasks.values()} == {due}
    html = response.content.decode()
    for item in ReviewActionItem.objects.filter(review=review):
        assert item.task_id is not None
        assert f'data-testid="action-task-{item.pk}"' in html
    # A second click creates nothing new.
    client.post(url("review_actions_to_tasks", review))
    assert Task.objects.filter(project=review.project).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action-owner": "stranger", "action-due_date": "+3"}, "owner", "must be on the project"),
        ({"action-due_date": "-3"}, "due_date", "cannot be in the past"),
        ({"action-title": ""}, "title", "This field is required"),
    ],
    ids=["owner-not-on-team", "due-in-the-past", "no-title"],
)
def test_bad_action_item_shows_the_error_next_to_the_field(
    client, manager, review, data, field, message
):
    stranger = UserFactory(username="stranger")
    client.force_login(manager)
    today = timezone.localdate()
    posted = {"action-title": "Call the CFO", "action-owner": manager.pk, "action-due_date": today}
    for key, value in data.items():
        if value == "stranger":
            value = stranger.pk
        elif value in ("+3", "-3"):
            value = today + datetime.timedelta(days=int(value))
        posted[key] = value

    response = client.post(url("review_action_add", review), posted, **HX)

    error = re.search(rf'id="id_action-{field}_error">([^<]*)<', response.content.decode())
    assert error and message in error.group(1)
    assert not ReviewActionItem.objects.exists()


# --- holding the review -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "stage", "moved"),
    [
        (ReviewDecision.CONTINUE, Stage.EXECUTION, "The project moved to Execution."),
        (ReviewDecision.ADJUST_STRATEGY, Stage.STRATEGY, "The project moved to Strategy"),
        (ReviewDecision.CLOSE, Stage.CLOSURE, "The project moved to Closure."),
    ],
)
def test_holding_a_review_in_monitoring_moves_the_project(
    client, manager, monitoring, decision, stage, moved
):
    review = monitoring.reviews.get()
    client.force_login(manager)

    response = hold(client, review, decision)

    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert fresh(monitoring).stage == stage
    review = fresh(review)
    assert (review.is_held, review.decision) == (True, decision)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert moved in html
    assert f'data-testid="review-state-{review.pk}" data-state="held"' in html
    assert 'data-testid="decision-text"' in html


def test_adjusting_the_strategy_opens_a_new_revision(client, manager, monitoring):
    client.force_login(manager)

    hold(client, monitoring.reviews.get(), ReviewDecision.ADJUST_STRATEGY)

    draft = Strategy.objects.get(project=monitoring, status=StrategyStatus.DRAFT)
    assert draft.revision == 2


def test_continue_schedules_the_next_review_from_the_cadence(client, manager, monitoring):
    assert monitoring.review_cadence == ReviewCadence.WEEKLY
    client.force_login(manager)

    response = hold(client, monitoring.reviews.get(), ReviewDecision.CONTINUE)

    upcoming = monitoring.reviews.upcoming().get()
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Next review:" in notice for notice in notices)
    assert upcoming.scheduled_for > timezone.now()


def test_escalating_flags_the_project_and_tells_the_directors(client, manager, director, review):
    client.force_login(manager)

    hold(client, review, ReviewDecision.ESCALATE)

    project = fresh(review.project)
    assert project.escalated_at is not None and project.stage == Stage.EXECUTION
    html = client.get(url("review_detail", review)).content.decode()
    assert 'data-testid="project-escalated"' in html
    assert "The directors have been told" in html
    assert (
        'data-testid="project-escalated"' in client.get(project.get_absolute_url()).content.decode()
    )
    # The director's notification leads to the review page.
    client.force_login(director)
    notices = client.get(reverse("collaboration:notification_list")).content.decode()
    assert f'href="{review.get_absolute_url()}"' in notices


def test_holding_through_htmx_reloads_the_whole_page(client, manager, review):
    client.force_login(manager)

    response = hold(client, review, ReviewDecision.CONTINUE, **HX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == review.get_absolute_url()
    assert fresh(review).is_held


@pytest.mark.parametrize(
    ("decision", "message"),
    [("", "Choose the decision of the review."), ("postpone", "Choose one of the listed")],
    ids=["missing", "unknown"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_holding_without_a_valid_decision_shows_the_error_and_holds_nothing(
    client, manager, review, decision, message, htmx
):
    client.force_login(manager)

    response = hold(client, review, decision, **(HX if htmx else {}))

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'id="id_hold-decision_error">([^<]*)<', html)
    assert error and message in error.group(1)
    assert ("<html" in html) is not htmx
    assert not fresh(review).is_held


def test_a_decision_the_cycle_refuses_is_shown_on_the_decision(client, manager, project):
    """Adjusting the strategy needs the project in execution or monitoring."""
    Project.objects.filter(pk=project.pk).update(stage=Stage.STRATEGY)
    review = ReviewMeetingFactory(project=project, scheduled_for=soon())
    client.force_login(manager)

    response = hold(client, review, ReviewDecision.ADJUST_STRATEGY)

    error = re.search(r'id="id_hold-decision_error">([^<]*)<', response.content.decode())
    assert error and "Strategy" in error.group(1)
    assert not fresh(review).is_held


# --- the project page ---------------------------------------------------------------------------
def test_project_page_lists_reviews_and_posts_to_the_review_pages(client, manager, review):
    overdue = ReviewMeetingFactory(project=review.project, scheduled_for=soon(-2))
    client.force_login(manager)

    html = client.get(review.project.get_absolute_url()).content.decode()

    reviews = section(html, "section-reviews")
    assert f'href="{review.get_absolute_url()}"' in reviews
    assert f'data-testid="review-state-{overdue.pk}" data-state="overdue"' in reviews
    create = reverse("monitoring:review_create", args=[review.project_id])
    assert f'action="{create}?from=project"' in reviews
    assert 'id="id_reviews-scheduled_for"' in reviews
    assert f'action="{url("review_hold", review)}?from=project"' in reviews
    assert f'data-testid="record-review-{review.pk}"' in reviews


def test_quick_hold_from_the_project_page_comes_back_to_it(client, manager, monitoring):
    review = monitoring.reviews.get()
    client.force_login(manager)

    response = client.post(
        url("review_hold", review) + "?from=project",
        {"hold-decision": ReviewDecision.CLOSE, "hold-minutes": "Won on value."},
    )

    assert response["Location"] == f"{monitoring.get_absolute_url()}#section-reviews"
    assert fresh(monitoring).stage == Stage.CLOSURE
    assert fresh(review).minutes == "Won on value."


def test_quick_hold_without_decision_comes_back_with_the_error(client, manager, review):
    client.force_login(manager)

    response = client.post(url("review_hold", review) + "?from=project", {"hold-decision": ""})

    assert response.status_code == 302
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    assert notices == ["Choose the decision of the review."]
    assert not fresh(review).is_held


def test_scheduling_from_the_project_page_comes_back_to_it(client, manager, project):
    client.force_login(manager)

    response = client.post(
        reverse("monitoring:review_create", args=[project.pk]) + "?from=project",
        {"reviews-scheduled_for": form_time(soon()), "reviews-duration_minutes": "60"},
    )

    assert response["Location"] == f"{project.get_absolute_url()}#section-reviews"
    assert ReviewMeeting.objects.filter(project=project).count() == 1


# --- minutes, list and calendar, portfolio -----------------------------------------------------
def test_printable_minutes_hold_the_whole_meeting(client, manager, project, team_member):
    review = ReviewMeetingFactory(
        project=project,
        scheduled_for=soon(-1),
        held_at=soon(-1),
        decision=ReviewDecision.CONTINUE,
        agenda="Pilot results",
        minutes="The pilot met its targets.",
        decision_note="Proceed to the full rollout.",
    )
    review.attendees.set([manager, team_member])
    ReviewActionItemFactory(
        review=review,
        title="Send the rollout plan",
        owner=team_member,
        due_date=datetime.date(2031, 5, 6),
    )
    client.force_login(team_member)

    html = client.get(url("review_minutes", review)).content.decode()

    for text in [
        project.code,
        project.customer.name,
        "Pilot results",
        "The pilot met its targets.",
        "Continue",
        "Proceed to the full rollout.",
        "Send the rollout plan",
        "2031-05-06",
        team_member.display_name,
        manager.display_name,
    ]:
        assert text in html
    assert 'class="review-minutes-sheet"' in html


def test_review_list_marks_overdue_reviews_and_counts_attendees(
    client, manager, project, team_member
):
    overdue = ReviewMeetingFactory(project=project, scheduled_for=soon(-3))
    upcoming = ReviewMeetingFactory(project=project, scheduled_for=soon(4))
    upcoming.attendees.set([manager, team_member])
    client.force_login(manager)

    html = client.get(reverse("monitoring:review_list", args=[project.pk])).content.decode()

    assert f'data-testid="review-state-{overdue.pk}" data-state="overdue"' in html
    assert f'data-testid="review-state-{upcoming.pk}" data-state="scheduled"' in html
    assert 'class="row-overdue"' in html
    # Latest first: the upcoming review, then the overdue one.
    assert re.findall(r'data-testid="attendee-count">(\d+)<', html) == ["2", "0"]


def test_the_calendar_shows_the_month_asked_for(client, manager, project):
    moment = timezone.make_aware(datetime.datetime(2031, 3, 10, 10, 0))
    review = ReviewMeetingFactory(project=project, scheduled_for=moment)
    list_url = reverse("monitoring:review_list", args=[project.pk])
    client.force_login(manager)

    march = client.get(list_url, {"month": "2031-03"}).content.decode()
    this_month = client.get(list_url, {"month": "not-a-month"})

    assert f'data-testid="calendar-review-{review.pk}"' in march
    assert "?month=2031-02" in march and "?month=2031-04" in march
    assert this_month.status_code == 200
    assert this_month.context["month"] == timezone.localdate().replace(day=1)
    assert f'data-testid="calendar-review-{review.pk}"' not in this_month.content.decode()


def test_portfolio_shows_this_weeks_and_overdue_reviews_of_visible_projects(
    client, manager, project
):
    today = timezone.localdate()
    monday = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=today.weekday()), datetime.time())
    )
    this_week = ReviewMeetingFactory(
        project=project, scheduled_for=monday + datetime.timedelta(days=3, hours=10)
    )
    overdue = ReviewMeetingFactory(
        project=project, scheduled_for=monday - datetime.timedelta(days=5)
    )
    next_month = ReviewMeetingFactory(project=project, scheduled_for=soon(40))
    hidden = ReviewMeetingFactory(scheduled_for=monday - datetime.timedelta(days=5))
    client.force_login(manager)

    html = client.get(reverse("monitoring:portfolio_reviews")).content.decode()

    overdue_part = section(html, "reviews-overdue")
    week_part = section(html, "reviews-this-week")
    assert f'data-testid="portfolio-review-{overdue.pk}"' in overdue_part
    assert f'data-testid="review-state-{overdue.pk}" data-state="overdue"' in overdue_part
    assert f'data-testid="portfolio-review-{this_week.pk}"' in week_part
    assert f'data-testid="portfolio-review-{overdue.pk}"' not in week_part
    assert project.code in week_part and project.owner.display_name in week_part
    for absent in (next_month, hidden):
        assert f'data-testid="portfolio-review-{absent.pk}"' not in html


def test_directors_see_every_projects_overdue_reviews(client, director):
    overdue = ReviewMeetingFactory(scheduled_for=soon(-2))
    client.force_login(director)

    html = client.get(reverse("monitoring:portfolio_reviews")).content.decode()

    assert f'data-testid="portfolio-review-{overdue.pk}"' in section(html, "reviews-overdue")


# --- query counts -------------------------------------------------------------------------------
def _queries(client, target: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(target)
    assert response.status_code == 200
    return len(context.captured_queries)


def _review_with_rows(project: Project, rows: int) -> ReviewMeeting:
    """A project with `rows` of everything a review page lists."""
    memberships = [ProjectMembershipFactory(project=project) for _ in range(rows)]
    members = [membership.user for membership in memberships]
    reviews = [
        ReviewMeetingFactory(project=project, scheduled_for=soon(n - rows // 2))
        for n in range(rows)
    ]
    for review in reviews:
        review.attendees.set(members)
    for n, membership in enumerate(memberships):
        ReviewActionItemFactory(review=reviews[-1], owner=membership.user)
        GoalFactory(project=project)
        RiskFactory(project=project, owner=project.owner, probability=1 + n % 5)
        TaskFactory(
            project=project,
            assignee=membership.user,
            department=membership.department,
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    return reviews[-1]


@pytest.mark.parametrize("page", ["review_list", "review_detail", "review_minutes", "portfolio"])
def test_review_pages_run_the_same_queries_for_1_and_12_rows(client, manager, page):
    counts = []
    for rows in (1, 12):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        viewer = UserFactory(username=f"viewer-{rows}")
        ProjectMembershipFactory(project=project, user=viewer)
        review = _review_with_rows(project, rows)
        client.force_login(viewer)
        target = {
            "review_list": reverse("monitoring:review_list", args=[project.pk]),
            "review_detail": url("review_detail", review),
            "review_minutes": url("review_minutes", review),
            "portfolio": reverse("monitoring:portfolio_reviews"),
        }[page]
        _queries(client, target)  # warm caches (session, content types, stage policies)
        counts.append(_queries(client, target))

    assert counts[0] == counts[1], counts


def test_owner_review_page_runs_the_same_queries_for_1_and_12_rows(client, manager):
    """The owner's page also renders the forms (owners of actions, the decision)."""
    counts = []
    for rows in (1, 12):
        project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
        review = _review_with_rows(project, rows)
        client.force_login(manager)
        _queries(client, url("review_detail", review))
        counts.append(_queries(client, url("review_detail", review)))

    assert counts[0] == counts[1]


def test_notifications_about_a_review_link_to_it(client, manager, review):
    notify(
        recipients=[manager],
        kind=NotificationKind.REVIEW_OVERDUE,
        event_key=f"test:{review.pk}",
        project=review.project,
        data={"review": review.pk},
    )
    client.force_login(manager)

    html = client.get(reverse("collaboration:notification_list")).content.decode()

    assert f'href="{review.get_absolute_url()}"' in html
