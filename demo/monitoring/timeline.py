"""Step 2 of the demo's reviews and risks: their dates, along the project's history once that
has been spread over the past months. Demo data only: the application never back-dates these."""

import datetime
import random
from bisect import bisect_right
from collections import Counter, defaultdict

from django.utils import timezone

from collaboration.models import Activity, ActivityVerb, Notification, NotificationKind, TaskStatus
from core.history import history_rewrite
from demo.monitoring.work import demo_random
from monitoring.models import ReviewActionItem, ReviewDecision, ReviewMeeting, Risk, RiskStatus
from monitoring.reviews import DECISION_TARGET
from projects.models import Project, Stage, StageTransition

# Each stage transition's time when it was made, and its time once spread over the past.
Moves = list[tuple[datetime.datetime, datetime.datetime]]


def _office(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """The same day at a usual meeting time."""
    day = timezone.localtime(moment).date()
    clock = datetime.time(*rng.choice([(9, 30), (10, 0), (14, 0), (15, 30), (16, 0)]))
    return timezone.make_aware(datetime.datetime.combine(day, clock))


def _triggered(review: ReviewMeeting, transition: StageTransition) -> bool:
    """Whether holding `review` made `transition`, the next one in the project's history."""
    target = DECISION_TARGET.get(ReviewDecision(review.decision))
    return transition.from_stage == Stage.MONITORING and transition.to_stage == target


def _meeting(review: ReviewMeeting, start: datetime.datetime, rng: random.Random) -> None:
    review.scheduled_for = start
    review.held_at = start + datetime.timedelta(
        minutes=review.duration_minutes + rng.randint(0, 20)
    )


def monitoring_timeline(
    *,
    project: Project,
    moves: Moves,
    overdue: bool = False,
    next_review_in: datetime.timedelta | None = None,
) -> None:
    """Put the project's reviews and risks on its history, once that has been spread over the
    past: `moves` holds each stage transition's time when it was made and its time now. The
    pending review is `overdue`, or ahead by `next_review_in` (a few days if not given)."""
    project.refresh_from_db()
    rng = demo_random(project, "review-dates")
    now = timezone.now()
    reviews = list(project.reviews.order_by("id"))
    held = _held_date(project, reviews, moves, rng, now, overdue=overdue)
    _pending_date(project, reviews, held, rng, now, overdue, next_review_in)
    previous = None
    for review in sorted(reviews, key=lambda r: r.scheduled_for):
        # Scheduled when the review before it was held, or a few days ahead of the first one.
        if previous is not None and previous.held_at < review.scheduled_for:
            review.created_at = previous.held_at
        else:
            earlier = review.scheduled_for - datetime.timedelta(days=rng.randint(2, 5))
            review.created_at = max(project.created_at, earlier)
        previous = review if review.held_at else previous
    ReviewMeeting.objects.bulk_update(reviews, ["scheduled_for", "held_at", "created_at"])
    history_rewrite(
        ReviewMeeting,
        [r.pk for r in reviews],
        ["scheduled_for", "held_at", "created_at"],
        created_at=True,
    )
    risks = _risks_date(project, held, rng, now)
    _facts_date(project, held, risks)
    _action_items_date(held, rng, timezone.localdate())
    _feed_date(project, reviews, held, risks)


def _held_date(project, reviews, moves: Moves, rng, now, *, overdue) -> list[ReviewMeeting]:
    """Held reviews in the stage they were held in: a decision that moved the project just
    before its transition (which then follows the meeting), the others spread over the stage."""
    transitions = list(project.transitions.order_by("created_at", "id"))
    bounds = [project.created_at, *(new for _, new in moves), now]
    made = [old for old, _ in moves]
    held = sorted((r for r in reviews if r.held_at), key=lambda r: r.held_at)
    by_window: dict[int, list[ReviewMeeting]] = defaultdict(list)
    for review in held:
        by_window[bisect_right(made, review.held_at)].append(review)
    for window in sorted(by_window):
        group = by_window[window]
        start, end = bounds[window], bounds[window + 1]
        if window < len(transitions) and _triggered(group[-1], transitions[window]):
            decided, transition = group.pop(), transitions[window]
            said = timezone.localtime(decided.scheduled_for).strftime("%Y-%m-%d")
            # On the day the project moved, at a meeting time; the transition follows it.
            meeting = _office(end, rng)
            limit = bounds[window + 2] - datetime.timedelta(days=1)
            if not start + datetime.timedelta(days=2) < meeting < limit:
                meeting = end - datetime.timedelta(hours=3)
            _meeting(decided, meeting, rng)
            # The transition's note names the meeting's date.
            transition.created_at = decided.held_at + datetime.timedelta(minutes=rng.randint(2, 9))
            transition.note = transition.note.replace(
                said, timezone.localtime(meeting).strftime("%Y-%m-%d")
            )
            StageTransition.objects.filter(pk=transition.pk).update(
                created_at=transition.created_at, note=transition.note
            )
            bounds[window + 1] = transition.created_at
            end = meeting - datetime.timedelta(days=1)
        elif window == len(transitions):
            # Leave room after the last review held for the next one, overdue or not.
            end = now - datetime.timedelta(days=rng.randint(3, 6) if overdue else 1)
        if end <= start:
            end = start + (bounds[window + 1] - start) / 2
        for index, review in enumerate(group, start=1):
            moment = start + (end - start) * index / (len(group) + 1)
            meeting = _office(moment, rng)
            _meeting(review, meeting if start < meeting < end else moment, rng)
    if transitions and project.stage_entered_at != transitions[-1].created_at:
        Project.objects.filter(pk=project.pk).update(stage_entered_at=transitions[-1].created_at)
    return sorted(held, key=lambda r: r.held_at)


def _pending_date(project, reviews, held, rng, now, overdue, next_review_in) -> None:
    """The review waiting: ahead on the cadence, or past and not held (overdue)."""
    project.refresh_from_db(fields=["stage_entered_at"])
    after = max([project.stage_entered_at, *(r.held_at for r in held)])
    for review in (r for r in reviews if r.held_at is None):
        if overdue:
            moment = _office(now - datetime.timedelta(days=rng.randint(2, 5)), rng)
            if not after + datetime.timedelta(hours=2) < moment < now:
                moment = after + (now - after) / 2
        elif next_review_in is not None:
            moment = now + next_review_in
        else:
            moment = _office(now + datetime.timedelta(days=rng.randint(2, 6)), rng)
        review.scheduled_for = moment


def _risks_date(project, held, rng, now) -> list[Risk]:
    """Risks recorded once the team was formed, some updated later; reviewed at each review."""
    formed = project.transitions.filter(to_stage=Stage.RESOURCE_ALLOCATION).order_by("created_at")
    begin = formed.values_list("created_at", flat=True).first() or project.created_at
    closed = project.transitions.filter(to_stage=Stage.CLOSED).values_list("created_at", flat=True)
    end = closed.first() or now
    updated = set(
        project.activities.filter(verb=ActivityVerb.RISK_UPDATED).values_list(
            "data__risk", flat=True
        )
    )
    risks = list(project.risks.order_by("id"))
    for risk in risks:
        risk.created_at = begin + (end - begin) * rng.uniform(0.02, 0.9)
        risk.updated_at = risk.created_at
        if risk.pk in updated:
            risk.updated_at += (end - risk.created_at) * rng.uniform(0.2, 0.95)
        risk.due_date = (risk.created_at + datetime.timedelta(days=rng.randint(14, 60))).date()
        seen = [r.held_at for r in held if r.held_at >= risk.created_at]
        risk.last_reviewed_on = timezone.localtime(seen[-1]).date() if seen else None
    Risk.objects.bulk_update(risks, ["created_at", "updated_at", "due_date", "last_reviewed_on"])
    history_rewrite(
        Risk, [r.pk for r in risks], ["created_at", "due_date", "last_reviewed_on"], created_at=True
    )
    return risks


def _facts_date(project, held, risks) -> None:
    """What each held review started from, as it was then: goals and budget lower the further
    back, the risks open at the time; so the next review shows what changed since."""
    goals = {goal.title: float(goal.current_value or 0) for goal in project.goals.all()}
    spent = float(sum(a.actual_cost or 0 for a in project.allocations.all()))
    for index, review in enumerate(held, start=1):
        share = 0.3 + 0.55 * index / len(held)
        open_then = Counter(
            risk.level
            for risk in risks
            if risk.created_at <= review.held_at
            and not (risk.status == RiskStatus.CLOSED and risk.updated_at <= review.held_at)
        )
        review.facts = {
            **review.facts,
            "goals": {title: round(value * share, 2) for title, value in goals.items()},
            "budget_actual": round(spent * share, 2),
            "open_risks_by_level": dict(open_then),
        }
    ReviewMeeting.objects.bulk_update(held, ["facts"])


def _action_items_date(held, rng, today: datetime.date) -> None:
    """Agreed at the meeting, due one to three weeks later; done work was due by today. The
    tasks made from them follow (`demo.teamwork` dates them from the action)."""
    items = []
    for review in held:
        day = timezone.localtime(review.held_at).date()
        for item in review.action_items.select_related("task"):
            item.created_at = review.held_at
            item.due_date = day + datetime.timedelta(days=rng.randint(5, 21))
            if item.task and item.task.status == TaskStatus.DONE:
                item.due_date = min(item.due_date, today)
            items.append(item)
    ReviewActionItem.objects.bulk_update(items, ["created_at", "due_date"])


def _feed_date(project, reviews, held, risks) -> None:
    """Feed rows and alerts about reviews and risks at the time of what they report."""
    by_review = {review.pk: review for review in reviews}
    by_risk = {risk.pk: risk for risk in risks}
    recorded: dict[int, str] = {}
    verbs = [
        ActivityVerb.REVIEW_SCHEDULED,
        ActivityVerb.REVIEW_HELD,
        ActivityVerb.REVIEW_CANCELLED,
        ActivityVerb.RISK_RECORDED,
        ActivityVerb.RISK_UPDATED,
    ]
    activities = list(project.activities.filter(verb__in=verbs).order_by("id"))
    aborted = (
        project.transitions.filter(to_stage=Stage.CLOSURE)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    for activity in activities:
        review = by_review.get(activity.data.get("review"))
        risk = by_risk.get(activity.data.get("risk"))
        if activity.verb == ActivityVerb.REVIEW_SCHEDULED:
            # A review called off with its project was scheduled at the last one held.
            activity.created_at = review.created_at if review else held[-1].held_at
            if review:
                activity.data["scheduled_for"] = review.scheduled_for.isoformat()
        elif activity.verb == ActivityVerb.REVIEW_HELD:
            activity.created_at = review.held_at
        elif activity.verb == ActivityVerb.REVIEW_CANCELLED:
            # Called off by the owner just before the aborted project went to closure.
            activity.created_at = (aborted or held[-1].held_at) - datetime.timedelta(minutes=5)
        elif activity.verb == ActivityVerb.RISK_RECORDED:
            activity.created_at = risk.created_at
            recorded[risk.pk] = activity.data.get("level")
        else:
            activity.created_at = risk.updated_at
    Activity.objects.bulk_update(activities, ["created_at", "data"])
    alerts = list(
        project.notifications.filter(
            kind__in=[NotificationKind.ESCALATED, NotificationKind.RISK_SERIOUS]
        )
    )
    for alert in alerts:
        if alert.kind == NotificationKind.ESCALATED:
            alert.created_at = by_review[alert.data["review"]].held_at
        else:
            risk = by_risk[alert.data["risk"]]
            first = recorded.get(risk.pk) == alert.data.get("level")
            alert.created_at = risk.created_at if first else risk.updated_at
    Notification.objects.bulk_update(alerts, ["created_at"])
    escalations = [r for r in held if r.decision == ReviewDecision.ESCALATE]
    if project.escalated_at and escalations:
        Project.objects.filter(pk=project.pk).update(escalated_at=escalations[-1].held_at)
        history_rewrite(Project, [project.pk], ["escalated_at"])
