import datetime
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from collaboration.models import (
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    Notification,
    NotificationKind,
    Task,
    TaskStatus,
)
from customers.models import Customer
from monitoring.models import (
    ReviewActionItem,
    ReviewDecision,
    ReviewMeeting,
    Risk,
    RiskLevel,
    RiskStatus,
)
from monitoring.reviews import DECISION_TARGET, REVIEWED_STAGES, review_brief
from projects.lifecycle import evaluate_gate
from projects.models import (
    OPEN_STAGES,
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Outcome,
    Project,
    ProjectMembership,
    ResourceAllocation,
    Stage,
    StageTransition,
    Strategy,
    TransitionKind,
)

# The demo seeded once for the session, put back for this module (tests/seeded_demo.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_projects_cover_every_stage_and_outcome():
    stages = Counter(Project.objects.values_list("stage", flat=True))
    outcomes = set(Project.objects.filter(stage=Stage.CLOSED).values_list("outcome", flat=True))

    assert 40 <= Project.objects.count() <= 60
    assert Customer.objects.count() >= 12
    assert all(stages[stage] >= 6 for stage in Stage)
    assert outcomes == set(Outcome.values)


def test_each_open_stage_has_three_projects_with_gate_met_and_three_without():
    gates = Counter(
        (project.stage, evaluate_gate(project).can_advance)
        for project in Project.objects.exclude(stage=Stage.CLOSED)
    )

    for stage in OPEN_STAGES:
        assert gates[(stage, True)] >= 3, stage
        assert gates[(stage, False)] >= 3, stage


def test_demo_history_includes_loops_back_to_strategy():
    loops = StageTransition.objects.filter(
        kind="loop", from_stage=Stage.MONITORING, to_stage=Stage.STRATEGY
    )

    assert loops.values("project").distinct().count() >= 2


def team() -> dict[int, set[int]]:
    """Project id → ids of its active team members."""
    members: dict[int, set[int]] = defaultdict(set)
    for project, user in ProjectMembership.objects.filter(left_on__isnull=True).values_list(
        "project", "user"
    ):
        members[project].add(user)
    return members


def test_reviews_were_held_with_each_decision():
    held = ReviewMeeting.objects.filter(held_at__isnull=False)

    assert set(held.values_list("decision", flat=True)) == set(ReviewDecision.values)


def test_every_project_that_reached_execution_has_reviews_and_those_past_it_held_some():
    reached = set(
        StageTransition.objects.filter(to_stage=Stage.EXECUTION).values_list("project", flat=True)
    )
    left = set(
        StageTransition.objects.filter(from_stage=Stage.EXECUTION).values_list("project", flat=True)
    )
    reviewed = set(ReviewMeeting.objects.values_list("project", flat=True))
    held = set(ReviewMeeting.objects.exclude(held_at=None).values_list("project", flat=True))

    assert len(reached) >= 20
    assert reached <= reviewed
    assert left <= held
    assert reviewed <= reached  # no reviews before the cycle reaches execution


def test_held_reviews_have_bilingual_minutes_team_attendees_and_facts():
    members = team()
    now = timezone.now()
    held = ReviewMeeting.objects.filter(held_at__isnull=False).select_related("project")

    for review in held.prefetch_related("attendees"):
        assert review.project.created_at < review.scheduled_for < review.held_at <= now
        assert review.created_at <= review.scheduled_for
        assert review.minutes and review.agenda
        attendees = {user.pk for user in review.attendees.all()}
        assert attendees and attendees <= members[review.project_id]
        assert {"goals", "budget_actual", "open_risks_by_level"} <= set(review.facts)
    minutes = " ".join(held.values_list("minutes", flat=True))
    assert "客户" in minutes and "customer" in minutes


def test_action_items_are_owned_by_the_team_and_some_became_tasks_due_with_them():
    members = team()
    items = ReviewActionItem.objects.select_related("review", "task")

    assert items.count() >= 50
    assert 0 < items.filter(task__isnull=False).count() < items.count()
    for item in items:
        assert item.owner_id in members[item.review.project_id]
        assert item.due_date >= timezone.localtime(item.review.held_at).date()
        if item.task:
            assert item.task.assignee_id == item.owner_id
            assert item.task.due_date == item.due_date


def test_every_move_out_of_monitoring_follows_a_review_that_decided_it():
    """Loops to strategy came from "adjust strategy", loops to execution from "continue" and
    the advance to closure from "close": the latest review held before, just before."""
    decided = {target: decision for decision, target in DECISION_TARGET.items()}
    moves = StageTransition.objects.filter(from_stage=Stage.MONITORING).exclude(
        kind=TransitionKind.ABORT
    )

    assert moves.filter(to_stage=Stage.STRATEGY).count() >= 5
    assert moves.filter(to_stage=Stage.EXECUTION).exists()
    assert moves.filter(to_stage=Stage.CLOSURE).count() >= 10
    for move in moves:
        review = (
            ReviewMeeting.objects.filter(project=move.project_id, held_at__lte=move.created_at)
            .order_by("-held_at")
            .first()
        )
        assert review is not None, move.project_id
        assert review.decision == decided[move.to_stage]
        assert move.created_at - review.held_at < datetime.timedelta(hours=1)
        assert timezone.localtime(review.scheduled_for).strftime("%Y-%m-%d") in move.note


def test_open_projects_under_review_have_upcoming_and_some_overdue_reviews():
    upcoming = ReviewMeeting.objects.upcoming()
    overdue = ReviewMeeting.objects.overdue()

    assert upcoming.values("project").distinct().count() >= 4
    assert overdue.values("project").distinct().count() >= 3
    pending = ReviewMeeting.objects.pending()
    assert not pending.exclude(project__stage__in=REVIEWED_STAGES).exists()
    for project in Project.objects.filter(stage__in=REVIEWED_STAGES):
        # One review waits, or the latest one decided to close and the project is about to.
        latest = project.reviews.filter(held_at__isnull=False).order_by("-held_at").first()
        about_to_close = latest is not None and latest.decision == ReviewDecision.CLOSE
        assert project.reviews.pending().count() == (0 if about_to_close else 1), project.name


def test_projects_whose_latest_review_escalated_are_flagged():
    flagged = set()
    for project in Project.objects.filter(reviews__held_at__isnull=False).distinct():
        latest = project.reviews.filter(held_at__isnull=False).order_by("-held_at").first()
        assert project.is_escalated == (latest.decision == ReviewDecision.ESCALATE)
        if project.is_escalated:
            flagged.add(project.pk)
            assert project.escalated_at == latest.held_at
    assert len(flagged) >= 2
    # The directors heard of every escalation, also those a later review resolved.
    alerted = set(
        Notification.objects.filter(kind=NotificationKind.ESCALATED).values_list(
            "project", flat=True
        )
    )
    assert alerted >= flagged and len(alerted) >= 3


def test_the_next_review_starts_from_what_changed_since_the_last_one():
    changed = 0
    for review in ReviewMeeting.objects.upcoming().select_related("project"):
        brief = review_brief(review.project, before=review)
        assert brief.since is not None
        assert brief.budget_actual_then is not None
        changed += any(goal.then is not None and goal.then < goal.now for goal in brief.goals)
    assert changed >= 3


def test_every_project_has_3_to_10_risks_owned_by_its_team():
    members = team()
    counts = Counter(Risk.objects.values_list("project", flat=True))

    for project in Project.objects.all():
        assert 3 <= counts[project.pk] <= 10, project.name
    for risk in Risk.objects.select_related("project"):
        assert risk.owner_id in members[risk.project_id]
        assert risk.title  # in the project's language: see the last test
        assert risk.project.created_at <= risk.created_at <= risk.updated_at <= timezone.now()
        assert risk.due_date is not None


def test_risks_cover_the_matrix_every_level_categories_and_statuses():
    risks = Risk.objects.all()
    levels = Counter(risks.values_list("level", flat=True))

    assert set(levels) == set(RiskLevel.values)
    assert levels[RiskLevel.CRITICAL] >= 3
    assert len(set(risks.values_list("probability", "impact"))) >= 20
    assert len(set(risks.values_list("category", flat=True))) >= 6
    assert set(risks.values_list("status", flat=True)) == set(RiskStatus.values)
    closed = risks.filter(project__stage=Stage.CLOSED)
    assert not closed.exclude(status=RiskStatus.CLOSED).exists()


def test_high_and_critical_risks_alerted_their_owner():
    alerts = Notification.objects.filter(kind=NotificationKind.RISK_SERIOUS)
    alerted = {(n.data["risk"], n.recipient_id) for n in alerts}

    serious = Risk.objects.filter(level__in=[RiskLevel.HIGH, RiskLevel.CRITICAL])
    assert serious.exists()
    for risk in serious:
        assert (risk.pk, risk.owner_id) in alerted, risk.title


def test_seeding_again_duplicates_nothing():
    models = (Project, ReviewMeeting, ReviewActionItem, Risk, StageTransition, Notification)

    def counts():
        return [model.objects.count() for model in models]

    before = counts()

    call_command("seed_demo", stdout=StringIO())

    assert counts() == before


# --- seeding writes through the services, so their audit trail is there --------------------------
def test_stage_records_are_recorded_as_made_by_the_projects_owner():
    for model in (Goal, ResourceAllocation, Strategy):
        created = model.history.filter(history_type="+")

        assert created.exists(), model.__name__
        assert not created.exclude(history_user_id=F("project__owner_id")).exists(), model.__name__


def test_every_task_that_moved_has_its_status_change_in_the_feed():
    moved = Task.objects.exclude(status=TaskStatus.TODO)
    lines = Activity.objects.filter(task=OuterRef("pk"), verb=ActivityVerb.TASK_STATUS)

    assert moved.exists()
    assert not moved.filter(~Exists(lines)).exists()


def test_a_project_aborted_in_execution_had_its_review_called_off_by_its_owner_first():
    cancelled = Activity.objects.filter(verb=ActivityVerb.REVIEW_CANCELLED).select_related(
        "project"
    )

    assert cancelled.exists()
    for line in cancelled:
        closure = line.project.transitions.get(to_stage=Stage.CLOSURE)
        assert line.actor_id == line.project.owner_id
        assert line.created_at < closure.created_at
        assert not line.project.reviews.pending().exists()


# --- one language per project ------------------------------------------------------------------
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Three Latin words in a row: a phrase, not a name or a code ("MES", "POC", "@member2", "ERP").
LATIN_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")
# Every text the demo writes, as (model, project path, fields).
DEMO_TEXTS = [
    (Project, "pk", ["name", "background"]),
    (Feasibility, "project", ["market_research", "customer_needs", "competitors"]),
    (Goal, "project", ["title", "achievable", "relevant"]),
    (ResourceAllocation, "project", ["description"]),
    (Strategy, "project", ["summary", "actions"]),
    (Task, "project", ["title", "description", "blocked_reason"]),
    (Comment, "project", ["body"]),
    (Interaction, "project", ["summary", "next_step"]),
    (ProjectMembership, "project", ["responsibilities"]),
    (ReviewMeeting, "project", ["location", "agenda", "minutes", "decision_note"]),
    (ReviewActionItem, "review__project", ["title"]),
    (Risk, "project", ["title", "description", "mitigation"]),
    (ClosureReport, "project", ["reason", "summary", "went_well", "to_improve", "recommendations"]),
    (Lesson, "project", ["text"]),
    (StageTransition, "project", ["note"]),
]


def demo_texts() -> dict[int, list[str]]:
    """Every demo text by the id of its project."""
    texts = defaultdict(list)
    for model, path, fields in DEMO_TEXTS:
        for project, *values in model.objects.values_list(path, *fields):
            texts[project] += [value for value in values if value]
    return texts


def test_each_demo_project_is_written_in_its_owners_language_only():
    languages = dict(Project.objects.values_list("pk", "owner__language"))
    texts = demo_texts()

    assert set(languages.values()) == {"zh-hans", "en"}
    for project, language in languages.items():
        assert len(texts[project]) > 20
        for text in texts[project]:
            if language == "en":
                assert not CJK.search(text), (project, text)
            else:
                assert not LATIN_PHRASE.search(text), (project, text)
