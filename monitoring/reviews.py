"""监控评估: scheduling, preparing and holding review meetings.

Holding a review with a decision drives the cycle through `lifecycle.project_transition`:
continue → execution, adjust strategy → strategy (with new strategy revisions), close →
closure, escalate → the directors are told and the project is flagged. Pages, the API,
Celery sweeps and the demo all call these functions.
"""

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from collaboration.models import ActivityVerb, NotificationKind, Task, TaskStatus, overdue_task
from collaboration.notifications import notify
from collaboration.selectors import team_users
from collaboration.services import activity_record, task_save
from core.history import records_actor
from monitoring.models import (
    CADENCE_INTERVAL,
    ReviewActionItem,
    ReviewDecision,
    ReviewMeeting,
    RiskStatus,
)
from projects.access import can_edit_project
from projects.lifecycle import GateNotMet, TransitionError, project_transition, stage_policies
from projects.models import Project, ReviewCadence, Stage

# Where each decision sends a project that is in Monitoring & evaluation.
DECISION_TARGET = {
    ReviewDecision.CONTINUE: Stage.EXECUTION,
    ReviewDecision.ADJUST_STRATEGY: Stage.STRATEGY,
    ReviewDecision.CLOSE: Stage.CLOSURE,
}
# How far ahead a review may be planned: beyond it a date is a typo, not a plan.
MAX_AHEAD = datetime.timedelta(days=730)
# Stages in which a review runs on the cycle's schedule (the cadence).
REVIEWED_STAGES = (Stage.EXECUTION, Stage.MONITORING)


# --- who may -----------------------------------------------------------------------------------
def can_manage_reviews(user: User, project: Project) -> bool:
    """Schedule, prepare and hold reviews: the project's owner and directors."""
    return can_edit_project(user, project)


def project_member_ids(project: Project) -> set[int]:
    return set(team_users(project).values_list("pk", flat=True))


# --- scheduling --------------------------------------------------------------------------------
def _review_check(review: ReviewMeeting, attendees: list[User] | None, *, is_new: bool) -> None:
    errors: dict[str, str] = {}
    if not review.project.is_open:
        errors["scheduled_for"] = _("A closed project has no more reviews.")
    if review.is_held:
        errors["scheduled_for"] = _("This review has been held; its schedule is history.")
    elif review.scheduled_for and review.scheduled_for > timezone.now() + MAX_AHEAD:
        errors["scheduled_for"] = _("A review can be scheduled at most two years ahead.")
    elif review.scheduled_for and review.scheduled_for < timezone.now():
        before = None if is_new else ReviewMeeting.objects.filter(pk=review.pk).first()
        if before is None or before.scheduled_for != review.scheduled_for:
            errors["scheduled_for"] = _("A review cannot be scheduled in the past.")
    if attendees is not None:
        members = project_member_ids(review.project)
        outsiders = [person for person in attendees if person.pk not in members]
        if outsiders:
            errors["attendees"] = _("Only members of the project's team can attend: %(names)s.") % {
                "names": ", ".join(person.display_name for person in outsiders)
            }
    if errors:
        raise ValidationError(errors)


@records_actor
@transaction.atomic
def review_schedule(
    *, review: ReviewMeeting, actor: User, attendees: Iterable[User] | None = None
) -> ReviewMeeting:
    """Create or reschedule a review; attendees must be on the project's team."""
    project = review.project
    if not can_manage_reviews(actor, project):
        raise PermissionDenied
    # The project lock serialises this with the next-review sweep, so the two never both add
    # the upcoming review.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    is_new = review.pk is None
    attendees = list(attendees) if attendees is not None else None
    if is_new and attendees is None:
        attendees = []
    _review_check(review, attendees, is_new=is_new)
    moved = is_new or (
        ReviewMeeting.objects.filter(pk=review.pk)
        .exclude(scheduled_for=review.scheduled_for)
        .exists()
    )
    if is_new:
        review.created_by = actor
        if not review.agenda.strip():
            # The meeting starts from the facts when nobody wrote an agenda.
            review.agenda = review_agenda_draft(review_brief(project))
    review.save()
    if attendees is not None:
        review.attendees.set(attendees)
    if moved:
        activity_record(
            project=project,
            actor=actor,
            verb=ActivityVerb.REVIEW_SCHEDULED,
            data={"scheduled_for": review.scheduled_for.isoformat(), "review": review.pk},
        )
    return review


@records_actor
@transaction.atomic
def review_cancel(*, review: ReviewMeeting, actor: User) -> None:
    """Call off a review that has not been held; a held review is history and stays."""
    if not can_manage_reviews(actor, review.project):
        raise PermissionDenied
    locked = ReviewMeeting.objects.select_for_update().get(pk=review.pk)
    if locked.is_held:
        raise ValidationError({"scheduled_for": _("A held review cannot be cancelled.")})
    activity_record(
        project=review.project,
        actor=actor,
        verb=ActivityVerb.REVIEW_CANCELLED,
        data={"scheduled_for": locked.scheduled_for.isoformat()},
    )
    locked.delete()


@records_actor
@transaction.atomic
def review_prepare(*, review: ReviewMeeting, actor: User) -> ReviewMeeting:
    """Save the agenda and the minutes taken so far, before a decision."""
    if not can_manage_reviews(actor, review.project):
        raise PermissionDenied
    if review.is_held:
        raise ValidationError({"minutes": _("This review has been held already.")})
    review.save(update_fields=["agenda", "minutes"])
    return review


@records_actor
def review_next_schedule(
    *, project: Project, after: datetime.datetime | None = None, actor: User | None = None
) -> ReviewMeeting | None:
    """Schedule the project's next review from its cadence, unless one is already waiting.

    Runs after a review is held and from the hourly sweep; the project row lock makes the two
    agree on one next review instead of two.
    """
    with transaction.atomic():
        review = _next_review_plan(project=project, after=after, actor=actor)
        if review is not None:
            _review_scheduled_record(review, actor=actor)
    return review


def _review_scheduled_record(review: ReviewMeeting, *, actor: User | None) -> None:
    activity_record(
        project=review.project,
        actor=actor,
        verb=ActivityVerb.REVIEW_SCHEDULED,
        data={
            "scheduled_for": review.scheduled_for.isoformat(),
            "review": review.pk,
            "automatic": True,
        },
    )


def _next_review_plan(
    *, project: Project, after: datetime.datetime | None, actor: User | None
) -> ReviewMeeting | None:
    """The next review on the cadence, created without its line in the feed (inside the
    caller's transaction, which the project row lock needs)."""
    interval = CADENCE_INTERVAL.get(ReviewCadence(project.review_cadence))
    if interval is None:
        return None
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.stage not in REVIEWED_STAGES or locked.review_cadence != project.review_cadence:
        return None
    now = timezone.now()
    # A review still waiting — ahead, or overdue and to be held or cancelled — is the
    # next one; the cadence does not pile another on top.
    if locked.reviews.pending().exists():
        return None
    last = locked.reviews.order_by("-scheduled_for").first()
    moment = after or (last.scheduled_for if last else now)
    when = moment + interval
    while when < now + datetime.timedelta(hours=1):
        when += interval
    review = ReviewMeeting.objects.create(
        project=locked,
        scheduled_for=when,
        duration_minutes=last.duration_minutes if last else 60,
        location=last.location if last else "",
        created_by=actor,
    )
    members = project_member_ids(locked)
    if last is not None:
        review.attendees.set(
            [pk for pk in last.attendees.values_list("pk", flat=True) if pk in members]
        )
    else:
        review.attendees.set(members)
    return review


def reviews_schedule_due() -> int:
    """Give every project reviewed on a cadence that has no review waiting its next one."""
    waiting_review = ReviewMeeting.objects.pending().filter(project=OuterRef("pk"))
    waiting = (
        Project.objects.filter(stage__in=REVIEWED_STAGES)
        .exclude(review_cadence=ReviewCadence.NONE)
        .exclude(Exists(waiting_review))
    )
    return sum(1 for project in waiting if review_next_schedule(project=project))


# --- the brief: what changed since the last review -----------------------------------------------
@dataclass
class GoalChange:
    title: str
    unit: str
    target: float
    then: float | None
    now: float

    @property
    def progress_then(self) -> int | None:
        if self.then is None or not self.target:
            return None
        return max(0, min(100, int(self.then * 100 / self.target)))

    @property
    def progress_now(self) -> int:
        return max(0, min(100, int(self.now * 100 / self.target))) if self.target else 0


@dataclass
class ReviewBrief:
    """The facts a review starts from, and what they were at the last held review."""

    since: str | None  # ISO time of the last held review
    stage: str
    days_in_stage: int
    norm_days: int | None
    goals: list[GoalChange] = field(default_factory=list)
    tasks_by_department: list[dict] = field(default_factory=list)
    risks_new: list[dict] = field(default_factory=list)
    risks_changed: list[dict] = field(default_factory=list)
    open_risks_by_level: dict[str, int] = field(default_factory=dict)
    budget_planned: float = 0
    budget_actual: float = 0
    budget_actual_then: float | None = None

    @property
    def over_norm(self) -> bool:
        return self.norm_days is not None and self.days_in_stage > self.norm_days

    @property
    def budget_burn(self) -> int | None:
        if not self.budget_planned:
            return None
        return int(self.budget_actual * 100 / self.budget_planned)

    def as_facts(self) -> dict:
        """What the next review compares with (JSON-safe)."""
        return {
            "stage": self.stage,
            "goals": {goal.title: goal.now for goal in self.goals},
            "budget_actual": self.budget_actual,
            "open_risks_by_level": self.open_risks_by_level,
            "tasks_by_department": self.tasks_by_department,
        }

    def as_dict(self) -> dict:
        data = asdict(self)
        data["over_norm"] = self.over_norm
        data["budget_burn"] = self.budget_burn
        for goal, change in zip(data["goals"], self.goals, strict=True):
            goal["progress_then"] = change.progress_then
            goal["progress_now"] = change.progress_now
        return data


def _number(value: Decimal | None) -> float:
    return float(value or 0)


def review_brief(project: Project, *, before: ReviewMeeting | None = None) -> ReviewBrief:
    """What changed since the project's last held review (before `before`, if given)."""
    held = project.reviews.filter(held_at__isnull=False)
    if before is not None and before.pk:
        held = held.exclude(pk=before.pk).filter(scheduled_for__lte=before.scheduled_for)
    last = held.order_by("-held_at").first()
    facts = last.facts if last else {}
    since = last.held_at if last else None
    policy = stage_policies().get(project.stage)

    goals = [
        GoalChange(
            title=goal.title,
            unit=goal.unit,
            target=_number(goal.target),
            then=facts.get("goals", {}).get(goal.title),
            now=_number(goal.current_value),
        )
        for goal in project.goals.all()
    ]
    today = timezone.localdate()
    tasks = (
        project.tasks.values("department__code", "department__name_en", "department__name_zh")
        .annotate(
            overdue=Count(
                "pk",
                filter=overdue_task(today),
            ),
            blocked=Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
        )
        .filter(Q(overdue__gt=0) | Q(blocked__gt=0))
        .order_by("department__code")
    )
    risks_new: list[dict] = []
    risks_changed: list[dict] = []
    for risk in project.risks.filter(**({"updated_at__gt": since} if since else {})).order_by(
        "-score"
    )[:20]:
        row = {"title": risk.title, "level": risk.level, "score": risk.score, "status": risk.status}
        (risks_new if since is None or risk.created_at > since else risks_changed).append(row)
    open_by_level = dict(
        project.risks.exclude(status=RiskStatus.CLOSED)
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    budget = project.allocations.aggregate(planned=Sum("planned_cost"), actual=Sum("actual_cost"))
    return ReviewBrief(
        since=since.isoformat() if since else None,
        stage=project.stage,
        days_in_stage=project.days_in_stage,
        norm_days=policy.norm_days if policy else None,
        goals=goals,
        tasks_by_department=[
            {
                "department": row["department__code"] or "",
                "name_en": row["department__name_en"] or "",
                "name_zh": row["department__name_zh"] or "",
                "overdue": row["overdue"],
                "blocked": row["blocked"],
            }
            for row in tasks
        ],
        risks_new=risks_new,
        risks_changed=risks_changed,
        open_risks_by_level=open_by_level,
        budget_planned=_number(budget["planned"]),
        budget_actual=_number(budget["actual"]),
        budget_actual_then=facts.get("budget_actual"),
    )


def review_agenda_draft(brief: ReviewBrief) -> str:
    """An agenda that starts the meeting from the facts (the person may rewrite it)."""
    lines = [_("1. Progress against the goals")]
    for goal in brief.goals:
        lines.append(f"   - {goal.title}: {goal.progress_now}%")
    overdue = sum(row["overdue"] for row in brief.tasks_by_department)
    blocked = sum(row["blocked"] for row in brief.tasks_by_department)
    lines.append(
        _("2. Tasks: %(overdue)d overdue, %(blocked)d blocked")
        % {"overdue": overdue, "blocked": blocked}
    )
    lines.append(
        _("3. Risks: %(new)d new, %(changed)d changed since the last review")
        % {"new": len(brief.risks_new), "changed": len(brief.risks_changed)}
    )
    if brief.budget_burn is not None:
        lines.append(_("4. Budget: %(burn)d%% spent") % {"burn": brief.budget_burn})
    lines.append(_("5. Decision: continue, adjust strategy, escalate or close"))
    return "\n".join(lines)


# --- action items --------------------------------------------------------------------------------
@records_actor
@transaction.atomic
def action_item_add(*, item: ReviewActionItem, actor: User) -> ReviewActionItem:
    """Record an action agreed in the review, with its owner (a team member) and due date."""
    review = item.review
    if not can_manage_reviews(actor, review.project):
        raise PermissionDenied
    errors = {}
    if item.owner_id and item.owner_id not in project_member_ids(review.project):
        errors["owner"] = _("The owner of an action must be on the project's team.")
    if item.due_date and item.due_date < timezone.localdate():
        errors["due_date"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    item.save()
    return item


@records_actor
@transaction.atomic
def action_items_to_tasks(*, review: ReviewMeeting, actor: User) -> list[Task]:
    """Turn every action item of the review that has no task yet into a task, in one step."""
    if not can_manage_reviews(actor, review.project):
        raise PermissionDenied
    created = []
    for item in (
        review.action_items.select_for_update().filter(task__isnull=True).select_related("owner")
    ):
        task = task_save(
            task=Task(
                project=review.project,
                title=item.title,
                stage=review.project.stage if review.project.is_open else Stage.EXECUTION,
                assignee=item.owner,
                department=item.owner.department,
                due_date=item.due_date,
                start_date=min(timezone.localdate(), item.due_date),
            ),
            actor=actor,
        )
        item.task = task
        item.save(update_fields=["task"])
        created.append(task)
    return created


# --- holding a review ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HoldResult:
    review: ReviewMeeting
    moved_to: Stage | None
    awaiting_approval: bool
    next_review: ReviewMeeting | None


def _hold_check(review: ReviewMeeting, decision: str) -> None:
    errors = {}
    if review.is_held:
        errors["decision"] = _("This review has been held already.")
    elif not decision:
        errors["decision"] = _("Choose the decision of the review.")
    elif decision not in ReviewDecision.values:
        errors["decision"] = _("Choose one of the listed decisions.")
    elif not review.project.is_open:
        errors["decision"] = _("A closed project has no more reviews.")
    elif decision in (ReviewDecision.ADJUST_STRATEGY, ReviewDecision.CLOSE) and (
        review.project.stage not in REVIEWED_STAGES
    ):
        errors["decision"] = _(
            "This decision moves the project on from Execution or Monitoring & evaluation; "
            "it is in %(stage)s."
        ) % {"stage": Stage(review.project.stage).label}
    if errors:
        raise ValidationError(errors)


def _decision_move(project: Project, decision: str, *, actor: User, note: str):
    """Take the project where the decision says, through the lifecycle's one function."""
    target = DECISION_TARGET.get(ReviewDecision(decision))
    if target is None or project.stage == target:
        return None
    if decision == ReviewDecision.CONTINUE and project.stage != Stage.MONITORING:
        return None  # carrying on where the project is
    if project.stage == Stage.EXECUTION:
        # Adjusting or closing from execution passes through monitoring, as the cycle does.
        result = project_transition(project=project, to_stage=Stage.MONITORING, actor=actor)
        if result.awaiting_approval:
            return result
        project = result.project
    return project_transition(project=project, to_stage=target, actor=actor, note=note)


def _escalated_set(project: Project, moment: datetime.datetime | None) -> None:
    # Saved from a fresh row, one field, so that the history records this change alone.
    fresh = Project.objects.get(pk=project.pk)
    fresh.escalated_at = project.escalated_at = moment
    fresh.save(update_fields=["escalated_at"])


def _escalate(project: Project, review: ReviewMeeting, actor: User) -> None:
    _escalated_set(project, timezone.now())
    directors = User.objects.directors()
    notify(
        recipients=directors,
        kind=NotificationKind.ESCALATED,
        event_key=f"review:{review.pk}:escalated",
        project=project,
        actor=actor,
        data={"review": review.pk, "note": review.decision_note[:300]},
    )


@records_actor
@transaction.atomic
def review_hold(
    *,
    review: ReviewMeeting,
    actor: User,
    decision: str,
    minutes: str | None = None,
    decision_note: str = "",
) -> HoldResult:
    """Record the review as held with its decision, and let the decision drive the cycle.

    Everything happens in one transaction: if the lifecycle refuses the move (a gate unmet,
    an approval rule), nothing of the hold is kept and the error names what is missing.
    """
    project = review.project
    if not can_manage_reviews(actor, project):
        raise PermissionDenied
    # The row lock makes a double click or two people holding the same review at once
    # record one decision: the second finds it held.
    locked = ReviewMeeting.objects.select_for_update().select_related("project").get(pk=review.pk)
    _hold_check(locked, decision)
    locked.held_at = timezone.now()
    planned_for = locked.scheduled_for
    cadence_from = planned_for
    if timezone.localdate(locked.held_at) < timezone.localdate(planned_for):
        # Held before its day: the meeting took place now, so that is its time — the history
        # shows it. The cadence counts the next review from that day, at the hour the team
        # plans its reviews (not at the minute someone clicked). Held on its day or later, the
        # plan stands: minutes are often recorded after the meeting.
        locked.scheduled_for = locked.held_at
        cadence_from = timezone.localtime(planned_for).replace(
            *timezone.localdate(locked.held_at).timetuple()[:3]
        )
    locked.decision = decision
    locked.decision_note = (decision_note or "").strip()
    if minutes is not None:
        locked.minutes = minutes
    locked.facts = review_brief(project, before=locked).as_facts()
    locked.save()
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.REVIEW_HELD,
        data={"decision": decision, "review": locked.pk, "planned_for": planned_for.isoformat()},
    )
    if decision == ReviewDecision.ESCALATE:
        _escalate(project, locked, actor)
    elif project.escalated_at:
        _escalated_set(project, None)

    # Scheduled before the move: the execution gate asks for the next review. A decision to
    # close may call it off again (below), so its line in the feed waits for the outcome.
    next_review = _next_review_plan(project=project, after=cadence_from, actor=actor)
    may_call_off = DECISION_TARGET.get(ReviewDecision(decision)) == Stage.CLOSURE
    if next_review is not None and not may_call_off:
        _review_scheduled_record(next_review, actor=actor)
    note = _("Review of %(date)s decided: %(decision)s.") % {
        "date": timezone.localtime(locked.scheduled_for).strftime("%Y-%m-%d"),
        "decision": ReviewDecision(decision).label,
    }
    if locked.decision_note:
        note = f"{note} {locked.decision_note}"
    try:
        result = _decision_move(
            Project.objects.get(pk=project.pk), decision, actor=actor, note=note
        )
    except GateNotMet as error:
        unmet = "; ".join(criterion.label for criterion in error.unmet)
        raise ValidationError({"decision": f"{error.message} {unmet}"}) from None
    except TransitionError as error:
        raise ValidationError({"decision": error.message}) from None
    project.refresh_from_db()
    if project.stage == Stage.CLOSURE:
        # A project going to closure holds no more reviews: call off what the cadence planned.
        project.reviews.pending().delete()
        next_review = None
    elif next_review is not None and may_call_off:  # the move waits for approval
        _review_scheduled_record(next_review, actor=actor)
    review.held_at, review.decision = locked.held_at, locked.decision
    review.scheduled_for = locked.scheduled_for
    return HoldResult(
        review=locked,
        moved_to=Stage(result.project.stage) if result and result.transition else None,
        awaiting_approval=bool(result and result.awaiting_approval),
        next_review=next_review,
    )
