"""监控评估 of the scale portfolio: the risk register, and the reviews planned in
`plans.reviews_plan` with their minutes, facts, attendees and action items."""

import datetime
import random
from collections import Counter

from demo.monitoring.texts import (
    ACTIONS,
    AGENDA,
    IMPACT_WEIGHTS,
    LOCATIONS,
    MINUTES,
    PROBABILITY_WEIGHTS,
    RISKS,
)
from demo.scale.bulk import insert
from demo.scale.plans import Clock, Plan
from monitoring.models import ReviewActionItem, ReviewMeeting, Risk, RiskStatus, risk_level
from projects.models import IRON_TRIANGLE, Stage, TeamRole


def _risk_counts(plans: list[Plan], total: int, clock: Clock, rng) -> Counter[int]:
    """Risks per project, `total` in all, over the projects whose team is formed; a project
    longer under way since then has more."""
    formed = [plan for plan in plans if plan.entered(Stage.RESOURCE_ALLOCATION)]
    weights = [
        ((plan.closed_at or clock.midnight) - plan.entered(Stage.RESOURCE_ALLOCATION)).days + 10
        for plan in formed
    ]
    return Counter(plan.index for plan in rng.choices(formed, weights=weights, k=total))


def risks_create(plans: list[Plan], *, total: int, clock: Clock, rng: random.Random) -> list[Risk]:
    """Risks recorded once the team was formed, owned by team members; on a closed project all
    closed, on an open one some mitigating or closed since; reviewed at each review held."""
    counts = _risk_counts(plans, total, clock, rng)
    rows = []
    for plan in plans:
        count = counts.get(plan.index, 0)
        if not count:
            continue
        begin = plan.entered(Stage.RESOURCE_ALLOCATION)
        end = plan.closed_at or clock.midnight
        owners = [m.user for m in plan.team if m.role != TeamRole.OBSERVER]
        held = sorted(review.held_at for review in plan.reviews if review.held_at)
        picks = rng.sample(RISKS, min(count, len(RISKS)))
        picks += rng.choices(RISKS, k=count - len(picks))
        for category, title, description, mitigation in picks:
            probability = rng.choices(range(1, 6), weights=PROBABILITY_WEIGHTS)[0]
            impact = rng.choices(range(1, 6), weights=IMPACT_WEIGHTS)[0]
            status = RiskStatus.CLOSED
            if plan.is_open:
                status = rng.choices(list(RiskStatus), weights=(45, 35, 20))[0]
            created = clock.past(begin + (end - begin) * rng.uniform(0.02, 0.9))
            updated = created
            if status != RiskStatus.OPEN:
                updated = clock.past(created + (end - created) * rng.uniform(0.2, 0.95))
            seen = [moment for moment in held if moment >= created]
            rows.append(
                Risk(
                    project=plan.project,
                    title=title,
                    description=description,
                    category=category,
                    probability=probability,
                    impact=impact,
                    owner=rng.choice(owners),
                    mitigation=mitigation
                    if status != RiskStatus.OPEN or rng.random() < 0.5
                    else "",
                    status=status,
                    due_date=(created + datetime.timedelta(days=rng.randint(14, 60))).date(),
                    last_reviewed_on=seen[-1].date() if seen else None,
                    created_by=plan.owner,
                    created_at=created,
                    updated_at=updated,
                )
            )
    return insert(Risk, rows)


def _facts(plan: Plan, held: datetime.datetime, share: float, risks: list[Risk]) -> dict:
    """What the review started from, as it was then: goals and budget lower the further back,
    the risks open at the time."""
    stage = next(visit.stage for visit in reversed(plan.visits) if visit.start <= held)
    open_then = Counter(
        risk_level(risk.probability, risk.impact).value
        for risk in risks
        if risk.created_at <= held
        and not (risk.status == RiskStatus.CLOSED and risk.updated_at <= held)
    )
    return {
        "stage": stage.value,
        "goals": {goal.title: round(float(goal.current_value) * share, 2) for goal in plan.goals},
        "budget_actual": round(plan.budget_actual * share, 2),
        "open_risks_by_level": dict(open_then),
        "tasks_by_department": [],
    }


def reviews_create(
    plans: list[Plan], *, risks: list[Risk], clock: Clock, rng: random.Random
) -> list[ReviewMeeting]:
    """The planned reviews: held ones with minutes, decision and facts, and the one waiting;
    the owner and the iron triangle attend; most held reviews agreed an action or two."""
    risks_of: dict[int, list[Risk]] = {}
    for risk in risks:
        risks_of.setdefault(risk.project_id, []).append(risk)
    rows, attendees, with_actions = [], [], []
    for plan in plans:
        if not plan.reviews:
            continue
        project_risks = risks_of.get(plan.project.pk, [])
        execution = plan.entered(Stage.EXECUTION)
        leads = [m.user for m in plan.team if m.role in IRON_TRIANGLE]
        others = [m.user for m in plan.team if m.role == TeamRole.MEMBER]
        workers = [m.user for m in plan.team if m.role != TeamRole.OBSERVER]
        location = rng.choice(LOCATIONS)
        held_count = sum(1 for review in plan.reviews if review.held_at)
        previous = None
        number = 0
        for planned in plan.reviews:
            created = planned.scheduled_for - datetime.timedelta(days=rng.randint(2, 6))
            if previous is not None and previous.held_at < planned.scheduled_for:
                created = previous.held_at
            review = ReviewMeeting(
                project=plan.project,
                scheduled_for=planned.scheduled_for,
                duration_minutes=planned.duration,
                location=location,
                agenda=AGENDA,
                held_at=planned.held_at,
                decision=planned.decision,
                created_by=plan.owner,
                created_at=clock.past(max(created, execution)),
            )
            if planned.held_at:
                number += 1
                review.minutes, review.decision_note = rng.choice(MINUTES[planned.decision])
                share = 0.3 + 0.55 * number / held_count
                review.facts = _facts(plan, planned.held_at, share, project_risks)
                previous = planned
            rows.append(review)
            people = [plan.owner, *leads]
            if others and rng.random() < 0.3:
                people.append(rng.choice(others))
            attendees.append((review, people))
            if planned.held_at and rng.random() < 0.7:
                with_actions.append((review, workers or [plan.owner]))
    insert(ReviewMeeting, rows)
    Attendance = ReviewMeeting.attendees.through
    insert(
        Attendance,
        [
            Attendance(reviewmeeting_id=review.pk, user_id=user.pk)
            for review, people in attendees
            for user in people
        ],
    )
    items = []
    for review, workers in with_actions:
        day = review.held_at.date()
        for title in rng.sample(ACTIONS, rng.randint(1, 2)):
            items.append(
                ReviewActionItem(
                    review=review,
                    title=title,
                    owner=rng.choice(workers),
                    due_date=day + datetime.timedelta(days=rng.randint(5, 21)),
                    created_at=review.held_at,
                )
            )
    insert(ReviewActionItem, items)
    return rows
