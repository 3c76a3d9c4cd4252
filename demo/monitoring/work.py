"""Step 1 of the demo's reviews and risks: through the services, while the project is driven
through the cycle."""

import datetime
import random

from django.utils import timezone

from collaboration.models import ActivityVerb
from collaboration.services import activity_record
from demo.monitoring.texts import (
    ACTIONS,
    AGENDA,
    IMPACT_WEIGHTS,
    LOCATIONS,
    MINUTES,
    PROBABILITY_WEIGHTS,
    RISKS,
)
from monitoring.models import ReviewActionItem, ReviewDecision, ReviewMeeting, Risk, RiskStatus
from monitoring.reviews import (
    action_item_add,
    action_items_to_tasks,
    review_brief,
    review_cancel,
    review_hold,
    review_prepare,
    review_schedule,
)
from monitoring.risks import risk_save
from projects.models import IRON_TRIANGLE, Project, ProjectMembership, TeamRole


def demo_random(project: Project, purpose: str) -> random.Random:
    """A generator of its own per project and purpose: the same demo in any order."""
    return random.Random(f"{purpose}:{project.name}")


def _team(project: Project) -> list[ProjectMembership]:
    return list(
        project.memberships.active()
        .exclude(role=TeamRole.OBSERVER)
        .select_related("user")
        .order_by("id")
    )


# --- reviews, while the project is driven through the cycle -----------------------------------
def review_next(project: Project, rng: random.Random) -> ReviewMeeting:
    """The project's next review: the one waiting, or one scheduled for tomorrow."""
    waiting = project.reviews.pending().order_by("scheduled_for").first()
    if waiting is not None:
        return waiting
    team = _team(project)
    attendees = [m.user for m in team if m.role in (TeamRole.OWNER, *IRON_TRIANGLE)]
    others = [m.user for m in team if m.user not in attendees]
    if others and rng.random() < 0.5:
        attendees.append(rng.choice(others))
    return review_schedule(
        review=ReviewMeeting(
            project=project,
            scheduled_for=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=rng.choice([45, 60, 60, 90]),
            location=rng.choice(LOCATIONS).for_project(project),
            agenda=AGENDA.for_project(project),
        ),
        actor=project.owner,
        attendees=attendees,
    )


def review_held(project: Project, decision: str, rng: random.Random) -> Project:
    """Hold the next review with `decision`, its action items recorded and some turned into
    tasks; the decision moves the project where it says. Returns the project as it is now."""
    review = review_next(project, rng)
    if not review.agenda:
        review.agenda = AGENDA.for_project(project)
        review_prepare(review=review, actor=project.owner)
    team = _team(project)
    for title in rng.sample(ACTIONS, rng.randint(1, 3)):
        action_item_add(
            item=ReviewActionItem(
                review=review,
                title=title.for_project(project),
                owner=rng.choice(team).user,
                due_date=timezone.localdate() + datetime.timedelta(days=rng.randint(5, 21)),
            ),
            actor=project.owner,
        )
    if rng.random() < 0.6:
        action_items_to_tasks(review=review, actor=project.owner)
    minutes, note = rng.choice(MINUTES[decision])
    review_hold(
        review=ReviewMeeting.objects.select_related("project").get(pk=review.pk),
        actor=project.owner,
        decision=decision,
        minutes=minutes.for_project(project),
        decision_note=note.for_project(project),
    )
    return Project.objects.get(pk=project.pk)


def review_close_decided(project: Project, rng: random.Random) -> None:
    """Record the next review as held with the decision Close, and leave the project where it
    is: a demo project waiting at a met monitoring gate, the advance to closure its owner's
    next click. `review_hold` would take that step at once, and no service records a decision
    without acting on it (nor should one), so the row and its feed line are written here."""
    review = review_next(project, rng)
    minutes, note = rng.choice(MINUTES[ReviewDecision.CLOSE])
    review.facts = review_brief(project, before=review).as_facts()
    review.held_at = timezone.now()
    review.decision = ReviewDecision.CLOSE
    review.minutes, review.decision_note = minutes.for_project(project), note.for_project(project)
    review.agenda = review.agenda or AGENDA.for_project(project)
    review.save()
    activity_record(
        project=project,
        actor=project.owner,
        verb=ActivityVerb.REVIEW_HELD,
        data={"decision": ReviewDecision.CLOSE, "review": review.pk},
    )


def reviews_call_off(project: Project) -> None:
    """A project aborted in execution has no next review: its owner calls the meeting off."""
    for review in project.reviews.pending().select_related("project").order_by("id"):
        review_cancel(review=review, actor=project.owner)


# --- risks ---------------------------------------------------------------------------------------
def risks_seed(project: Project, *, closing: bool = False) -> None:
    """Three to ten risks owned by the team, through `risk_save`: some mitigated or closed since
    they were recorded, a few grown worse; on a project about to close, all closed."""
    rng = demo_random(project, "risks")
    owners = [m.user for m in _team(project)]
    for category, title, description, mitigation in rng.sample(RISKS, rng.randint(3, 10)):
        probability = rng.choices(range(1, 6), weights=PROBABILITY_WEIGHTS)[0]
        impact = rng.choices(range(1, 6), weights=IMPACT_WEIGHTS)[0]
        status = (
            RiskStatus.CLOSED if closing else rng.choices(list(RiskStatus), weights=(45, 35, 20))[0]
        )
        first = probability
        if status != RiskStatus.OPEN:
            first = min(5, probability + rng.randint(0, 1))  # mitigation made it less likely
        elif probability > 1 and rng.random() < 0.2:
            first = probability - 1  # it grew more likely since it was recorded
        risk = risk_save(
            risk=Risk(
                project=project,
                title=title.for_project(project),
                description=description.for_project(project),
                category=category,
                probability=first,
                impact=impact,
                owner=rng.choice(owners),
                mitigation=mitigation.for_project(project)
                if status != RiskStatus.OPEN or rng.random() < 0.5
                else "",
                due_date=timezone.localdate() + datetime.timedelta(days=rng.randint(10, 60)),
            ),
            actor=project.owner,
        )
        if (first, RiskStatus.OPEN) != (probability, status):
            risk.probability, risk.status = probability, status
            risk_save(risk=risk, actor=project.owner)
