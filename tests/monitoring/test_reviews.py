"""Review meetings: scheduling, the brief, action items, and decisions driving the cycle."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from collaboration.models import Activity, ActivityVerb, Notification, NotificationKind, Task
from monitoring.models import ReviewDecision, ReviewMeeting, RiskStatus
from monitoring.reviews import (
    action_item_add,
    action_items_to_tasks,
    review_agenda_draft,
    review_brief,
    review_hold,
    review_next_schedule,
    review_schedule,
    reviews_schedule_due,
)
from projects.lifecycle import GateNotMet, project_transition
from projects.models import (
    Project,
    ReviewCadence,
    Stage,
    StagePolicy,
    StageTransition,
    Strategy,
    StrategyStatus,
    TeamRole,
    TransitionKind,
)
from tests.factories import (
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    ReviewActionItemFactory,
    ReviewMeetingFactory,
    RiskFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db

NOW = timezone.now


def hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


@pytest.fixture
def team(manager, member):
    """A project in Monitoring & evaluation with a weekly cadence, its owner and a member."""
    project = ProjectFactory(
        owner=manager, stage=Stage.MONITORING, review_cadence=ReviewCadence.WEEKLY
    )
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return project


@pytest.fixture
def review(team, manager, member):
    meeting = ReviewMeetingFactory(project=team, scheduled_for=hours(-1))
    meeting.attendees.set([manager, member])
    return meeting


def hold(review, actor, decision, **kwargs):
    return review_hold(review=review, actor=actor, decision=decision, **kwargs)


# --- decisions drive the cycle ------------------------------------------------------------------
def test_continue_loops_back_to_execution(review, manager):
    result = hold(review, manager, ReviewDecision.CONTINUE, minutes="On track.")

    project = Project.objects.get(pk=review.project_id)
    assert project.stage == Stage.EXECUTION
    assert result.moved_to == Stage.EXECUTION
    row = project.transitions.get()
    assert (row.from_stage, row.to_stage, row.kind) == (
        Stage.MONITORING,
        Stage.EXECUTION,
        TransitionKind.LOOP,
    )
    assert str(ReviewDecision.CONTINUE.label) in row.note
    review.refresh_from_db()
    assert review.held_at and review.decision == ReviewDecision.CONTINUE
    assert review.minutes == "On track."


def test_adjust_strategy_loops_back_to_strategy_with_a_new_revision(review, manager):
    old = StrategyFactory(project=review.project)

    result = hold(review, manager, ReviewDecision.ADJUST_STRATEGY, decision_note="Price war.")

    project = Project.objects.get(pk=review.project_id)
    assert project.stage == Stage.STRATEGY and result.moved_to == Stage.STRATEGY
    old.refresh_from_db()
    assert old.status == StrategyStatus.SUPERSEDED
    revision = Strategy.objects.get(supersedes=old)
    assert revision.status == StrategyStatus.DRAFT and revision.revision == old.revision + 1
    assert "Price war." in project.transitions.get().note


def test_close_moves_the_project_to_closure(review, manager):
    result = hold(review, manager, ReviewDecision.CLOSE)

    project = Project.objects.get(pk=review.project_id)
    assert project.stage == Stage.CLOSURE and result.moved_to == Stage.CLOSURE
    assert project.transitions.get().kind == TransitionKind.ADVANCE
    assert result.next_review is None
    assert not project.reviews.upcoming().exists()


def test_closing_writes_no_feed_line_for_the_review_it_calls_off(review, manager):
    table = Activity._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        hold(review, manager, ReviewDecision.CLOSE)

    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "DELETE"))]
    feed = [sql for sql in writes if table in sql]
    assert feed and not [sql for sql in feed if "review_scheduled" in sql or "DELETE" in sql[:6]]
    assert not Activity.objects.filter(
        project=review.project, verb=ActivityVerb.REVIEW_SCHEDULED
    ).exists()


def test_a_close_waiting_for_approval_keeps_the_next_review_and_its_feed_line(review, manager):
    StagePolicy.objects.filter(stage=Stage.MONITORING).update(requires_approval=True)

    result = hold(review, manager, ReviewDecision.CLOSE)

    assert result.awaiting_approval and result.next_review is not None
    scheduled = Activity.objects.get(project=review.project, verb=ActivityVerb.REVIEW_SCHEDULED)
    assert scheduled.data["review"] == result.next_review.pk


def test_escalate_flags_the_project_and_tells_the_directors(review, manager, director):
    other_director = UserFactory(username="dirk-second-director", role="Director")

    result = hold(review, manager, ReviewDecision.ESCALATE, decision_note="Need a VP call.")

    project = Project.objects.get(pk=review.project_id)
    assert project.stage == Stage.MONITORING and result.moved_to is None
    assert project.is_escalated
    told = Notification.objects.filter(kind=NotificationKind.ESCALATED, project=project)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [director.username, other_director.username]
    )
    assert not StageTransition.objects.filter(project=project).exists()


def test_the_next_decision_clears_the_escalation_flag(review, manager):
    hold(review, manager, ReviewDecision.ESCALATE)
    following = review.project.reviews.upcoming().get()
    ReviewMeeting.objects.filter(pk=following.pk).update(scheduled_for=hours(-1))

    hold(following, manager, ReviewDecision.CONTINUE)

    assert not Project.objects.get(pk=review.project_id).is_escalated


def test_adjusting_from_execution_passes_through_monitoring(manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    fill_gate(project, Stage.EXECUTION)
    StrategyFactory(project=project)
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    hold(meeting, manager, ReviewDecision.ADJUST_STRATEGY)

    project.refresh_from_db()
    assert project.stage == Stage.STRATEGY
    assert list(project.transitions.values_list("from_stage", "to_stage")) == [
        (Stage.EXECUTION, Stage.MONITORING),
        (Stage.MONITORING, Stage.STRATEGY),
    ]


def test_continue_during_execution_keeps_the_stage(manager):
    project = ProjectFactory(
        owner=manager, stage=Stage.EXECUTION, review_cadence=ReviewCadence.FORTNIGHTLY
    )
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    result = hold(meeting, manager, ReviewDecision.CONTINUE)

    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION and result.moved_to is None
    assert not project.transitions.exists()


def test_a_gate_the_decision_cannot_pass_keeps_nothing_of_the_hold(manager):
    # Execution → monitoring needs a started task: without one, adjusting is refused whole.
    project = ProjectFactory(
        owner=manager, stage=Stage.EXECUTION, review_cadence=ReviewCadence.WEEKLY
    )
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        hold(meeting, manager, ReviewDecision.ADJUST_STRATEGY)

    assert "decision" in caught.value.message_dict
    assert "task started" in caught.value.message_dict["decision"][0]
    meeting.refresh_from_db()
    assert meeting.held_at is None and meeting.decision == ""
    assert project.reviews.count() == 1  # no next review left behind
    assert not project.activities.exists()


@pytest.mark.parametrize("stage", [Stage.INITIATION, Stage.STRATEGY])
@pytest.mark.parametrize("decision", [ReviewDecision.ADJUST_STRATEGY, ReviewDecision.CLOSE])
def test_moving_decisions_need_execution_or_monitoring(manager, stage, decision):
    project = ProjectFactory(owner=manager, stage=stage)
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    with pytest.raises(ValidationError) as caught:
        hold(meeting, manager, decision)

    assert "decision" in caught.value.message_dict
    meeting.refresh_from_db()
    assert meeting.held_at is None


@pytest.mark.parametrize("decision", ["", "postpone"])
def test_a_missing_or_unknown_decision_is_refused(review, manager, decision):
    with pytest.raises(ValidationError) as caught:
        hold(review, manager, decision)

    assert "decision" in caught.value.message_dict
    review.refresh_from_db()
    assert review.held_at is None


def test_a_review_is_held_once(review, manager):
    hold(review, manager, ReviewDecision.ESCALATE)

    with translation.override("en"), pytest.raises(ValidationError, match="held already"):
        hold(review, manager, ReviewDecision.CONTINUE)


def test_a_member_cannot_hold_a_review(review, member):
    with pytest.raises(PermissionDenied):
        hold(review, member, ReviewDecision.CONTINUE)
    review.refresh_from_db()
    assert review.held_at is None


def test_a_director_can_hold_any_review(review, director):
    hold(review, director, ReviewDecision.CONTINUE)
    assert Project.objects.get(pk=review.project_id).stage == Stage.EXECUTION


def test_holding_stores_the_facts_and_writes_the_feed(review, manager):
    GoalFactory(project=review.project, title="Licence revenue", current_value=100)

    hold(review, manager, ReviewDecision.ESCALATE)

    review.refresh_from_db()
    assert review.facts["goals"] == {"Licence revenue": 100.0}
    verbs = list(review.project.activities.values_list("verb", flat=True))
    assert "review_held" in verbs


# --- the next review ----------------------------------------------------------------------------
def test_holding_schedules_the_next_review_from_the_cadence(review, manager, member):
    result = hold(review, manager, ReviewDecision.ESCALATE)

    following = result.next_review
    assert following is not None
    assert following.scheduled_for == review.scheduled_for + datetime.timedelta(weeks=1)
    assert set(following.attendees.all()) == {manager, member}
    assert following.duration_minutes == review.duration_minutes


def test_a_late_hold_schedules_the_next_review_in_the_future(team, manager):
    # A weekly review held three weeks late: the next one is the first slot still ahead.
    late = ReviewMeetingFactory(project=team, scheduled_for=NOW() - datetime.timedelta(days=20))

    result = hold(late, manager, ReviewDecision.ESCALATE)

    assert result.next_review.scheduled_for > NOW()
    assert result.next_review.scheduled_for == late.scheduled_for + datetime.timedelta(weeks=3)


@pytest.mark.parametrize(
    ("cadence", "gap"),
    [
        (ReviewCadence.WEEKLY, datetime.timedelta(weeks=1)),
        (ReviewCadence.FORTNIGHTLY, datetime.timedelta(weeks=2)),
        (ReviewCadence.MONTHLY, datetime.timedelta(days=30)),
    ],
)
def test_each_cadence_sets_its_gap(manager, cadence, gap):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, review_cadence=cadence)
    start = hours(-2)

    following = review_next_schedule(project=project, after=start)

    assert following.scheduled_for == start + gap


def test_no_cadence_schedules_nothing(manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    assert review_next_schedule(project=project) is None
    assert not project.reviews.exists()


def test_an_upcoming_review_is_not_doubled(team):
    ReviewMeetingFactory(project=team, scheduled_for=hours(30))
    assert review_next_schedule(project=team) is None
    assert team.reviews.count() == 1


def test_the_sweep_schedules_the_missing_next_reviews_once(manager):
    waiting = ProjectFactory(owner=manager, stage=Stage.EXECUTION, review_cadence="weekly")
    ReviewMeetingFactory(
        project=waiting,
        scheduled_for=hours(-50),
        held_at=hours(-49),
        decision=ReviewDecision.CONTINUE,
    )
    covered = ProjectFactory(owner=manager, stage=Stage.MONITORING, review_cadence="monthly")
    ReviewMeetingFactory(project=covered, scheduled_for=hours(48))
    ProjectFactory(owner=manager, stage=Stage.STRATEGY, review_cadence="weekly")
    ProjectFactory(owner=manager, stage=Stage.EXECUTION)  # no cadence

    assert reviews_schedule_due() == 1
    assert reviews_schedule_due() == 0
    assert waiting.reviews.upcoming().count() == 1
    assert covered.reviews.count() == 1


# --- scheduling ------------------------------------------------------------------------------
def test_scheduling_records_the_review_and_the_feed(team, manager, member):
    meeting = review_schedule(
        review=ReviewMeeting(project=team, scheduled_for=hours(30), location="Room 3"),
        actor=manager,
        attendees=[member],
    )
    assert list(meeting.attendees.all()) == [member]
    assert meeting.created_by == manager
    assert team.activities.filter(verb="review_scheduled").count() == 1


def test_a_review_cannot_be_scheduled_in_the_past(team, manager):
    with pytest.raises(ValidationError) as caught:
        review_schedule(review=ReviewMeeting(project=team, scheduled_for=hours(-1)), actor=manager)
    assert "scheduled_for" in caught.value.message_dict
    assert not team.reviews.exists()


def test_attendees_must_be_on_the_team(team, manager, outsider):
    with pytest.raises(ValidationError) as caught:
        review_schedule(
            review=ReviewMeeting(project=team, scheduled_for=hours(30)),
            actor=manager,
            attendees=[manager, outsider],
        )
    assert outsider.display_name in caught.value.message_dict["attendees"][0]
    assert not team.reviews.exists()


def test_an_overdue_review_can_be_edited_without_moving_it(review, manager):
    review.agenda = "Only the agenda changes."
    review_schedule(review=review, actor=manager)
    review.refresh_from_db()
    assert review.agenda == "Only the agenda changes." and review.is_overdue


def test_a_member_cannot_schedule(team, member):
    with pytest.raises(PermissionDenied):
        review_schedule(review=ReviewMeeting(project=team, scheduled_for=hours(30)), actor=member)


def test_states_of_a_review(team):
    assert ReviewMeetingFactory(project=team, scheduled_for=hours(2)).state == "scheduled"
    assert ReviewMeetingFactory(project=team, scheduled_for=hours(-2)).state == "overdue"
    held = ReviewMeetingFactory(
        project=team, scheduled_for=hours(-2), held_at=hours(-1), decision="continue"
    )
    assert held.state == "held"
    assert [r.state for r in team.reviews.overdue()] == ["overdue"]
    assert [r.state for r in team.reviews.upcoming()] == ["scheduled"]


# --- the brief ----------------------------------------------------------------------------------
def test_the_brief_shows_what_changed_since_the_last_review(review, manager, member):
    goal = GoalFactory(
        project=review.project, title="Licence revenue", target=1000, current_value=200
    )
    ResourceAllocationFactory(
        project=review.project, kind="budget", planned_cost=1000, actual_cost=300
    )
    kept = RiskFactory(project=review.project, title="Kept", probability=2, impact=2)
    hold(review, manager, ReviewDecision.ESCALATE)

    # Between the reviews: the goal moves, a risk is raised and another one changes.
    goal.current_value = 500
    goal.save()
    RiskFactory(project=review.project, title="New", probability=5, impact=5)
    kept.status = RiskStatus.MITIGATING
    kept.save()
    TaskFactory(
        project=review.project,
        assignee=member,
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    brief = review_brief(review.project)

    review.refresh_from_db()
    assert brief.since == review.held_at.isoformat()
    [change] = brief.goals
    assert (change.then, change.now) == (200.0, 500.0)
    assert (change.progress_then, change.progress_now) == (20, 50)
    assert [risk["title"] for risk in brief.risks_new] == ["New"]
    assert [risk["title"] for risk in brief.risks_changed] == ["Kept"]
    assert brief.open_risks_by_level == {"low": 1, "critical": 1}
    assert brief.budget_burn == 30 and brief.budget_actual_then == 300.0
    assert sum(row["overdue"] for row in brief.tasks_by_department) == 1
    with translation.override("en"):
        assert "1 new" in review_agenda_draft(brief)


def test_the_first_brief_has_no_then(team):
    GoalFactory(project=team, title="Share", target=10, current_value=5)
    brief = review_brief(team)
    assert brief.since is None
    assert brief.goals[0].then is None and brief.goals[0].progress_now == 50


# --- action items -------------------------------------------------------------------------------
def test_action_items_become_tasks_in_one_step(review, manager, member):
    due = timezone.localdate() + datetime.timedelta(days=4)
    ReviewActionItemFactory(
        review=review, title="Send the revised quote", owner=member, due_date=due
    )
    ReviewActionItemFactory(review=review, title="Book the CFO", owner=manager, due_date=due)

    created = action_items_to_tasks(review=review, actor=manager)

    assert sorted(task.title for task in created) == ["Book the CFO", "Send the revised quote"]
    quote = Task.objects.get(title="Send the revised quote")
    assert quote.assignee == member and quote.due_date == due and quote.project == review.project
    assert all(item.task_id for item in review.action_items.all())
    assert action_items_to_tasks(review=review, actor=manager) == []


def test_an_action_owner_must_be_on_the_team(review, manager, outsider):
    from monitoring.models import ReviewActionItem

    item = ReviewActionItem(review=review, title="X", owner=outsider, due_date=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        action_item_add(item=item, actor=manager)
    assert "owner" in caught.value.message_dict
    assert not review.action_items.exists()


def test_a_member_cannot_turn_actions_into_tasks(review, member):
    ReviewActionItemFactory(review=review, owner=member)
    with pytest.raises(PermissionDenied):
        action_items_to_tasks(review=review, actor=member)


def test_a_pending_review_is_cancelled_with_a_feed_line(team, manager):
    from monitoring.reviews import review_cancel

    meeting = ReviewMeetingFactory(project=team, scheduled_for=hours(30))
    review_cancel(review=meeting, actor=manager)
    assert not team.reviews.exists()
    assert team.activities.filter(verb="review_cancelled").count() == 1


def test_a_held_review_cannot_be_cancelled(review, manager, member):
    from monitoring.reviews import review_cancel

    hold(review, manager, ReviewDecision.ESCALATE)
    with pytest.raises(ValidationError):
        review_cancel(review=review, actor=manager)
    with pytest.raises(PermissionDenied):
        review_cancel(review=review.project.reviews.upcoming().get(), actor=member)
    assert ReviewMeeting.objects.filter(pk=review.pk).exists()


def test_a_review_scheduled_without_agenda_gets_the_drafted_one(team, manager):
    meeting = review_schedule(
        review=ReviewMeeting(project=team, scheduled_for=hours(30)), actor=manager
    )
    with translation.override("en"):
        assert meeting.agenda.startswith("1.")


def test_closing_from_execution_passes_through_monitoring_and_leaves_no_review(manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    fill_gate(project, Stage.EXECUTION)
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    result = hold(meeting, manager, ReviewDecision.CLOSE)

    project.refresh_from_db()
    assert project.stage == Stage.CLOSURE and result.moved_to == Stage.CLOSURE
    assert result.next_review is None
    assert not project.reviews.pending().exists()


@pytest.mark.parametrize("stage", [Stage.GOAL_SETTING, Stage.STRATEGY, Stage.CLOSURE])
def test_continue_before_or_after_the_reviewed_stages_keeps_the_stage(manager, stage):
    project = ProjectFactory(owner=manager, stage=stage)
    meeting = ReviewMeetingFactory(project=project, scheduled_for=hours(-2))

    result = hold(meeting, manager, ReviewDecision.CONTINUE)

    project.refresh_from_db()
    assert project.stage == stage and result.moved_to is None
    meeting.refresh_from_db()
    assert meeting.is_held


def test_a_review_more_than_two_years_ahead_is_refused(team, manager):
    with pytest.raises(ValidationError) as caught:
        review_schedule(
            review=ReviewMeeting(project=team, scheduled_for=hours(24 * 800)), actor=manager
        )
    assert "scheduled_for" in caught.value.message_dict
    assert not team.reviews.exists()


def test_a_closed_projects_pending_review_is_neither_overdue_nor_upcoming(manager):
    closed = ProjectFactory(owner=manager, stage=Stage.CLOSED, outcome="lost")
    ReviewMeetingFactory(project=closed, scheduled_for=hours(-5))
    ReviewMeetingFactory(project=closed, scheduled_for=hours(5))
    assert not ReviewMeeting.objects.overdue().exists()
    assert not ReviewMeeting.objects.upcoming().exists()


def test_an_overdue_review_is_the_next_one_until_held_or_cancelled(team):
    ReviewMeetingFactory(project=team, scheduled_for=hours(-30))
    assert review_next_schedule(project=team) is None
    assert reviews_schedule_due() == 0
    assert team.reviews.count() == 1


# --- a reopened project is reviewed again ---------------------------------------------------------
def test_a_reopened_project_needs_a_new_review_to_close_again(review, manager, director):
    hold(review, manager, ReviewDecision.CLOSE)
    fill_gate(review.project, Stage.CLOSURE)
    project_transition(
        project=Project.objects.get(pk=review.project_id), to_stage=Stage.CLOSED, actor=manager
    )
    project_transition(
        project=Project.objects.get(pk=review.project_id),
        to_stage=Stage.MONITORING,
        actor=director,
        note="The customer asked for a second phase",
    )

    # The review that closed the project before does not close it again.
    with pytest.raises(GateNotMet) as refused:
        project_transition(
            project=Project.objects.get(pk=review.project_id), to_stage=Stage.CLOSURE, actor=manager
        )
    assert [c.code for c in refused.value.unmet] == ["review_decided_close"]
    assert Project.objects.get(pk=review.project_id).stage == Stage.MONITORING

    again = ReviewMeetingFactory(project=review.project, scheduled_for=hours(-0.5))
    result = hold(again, manager, ReviewDecision.CLOSE)

    assert result.moved_to == Stage.CLOSURE
    assert Project.objects.get(pk=review.project_id).stage == Stage.CLOSURE
