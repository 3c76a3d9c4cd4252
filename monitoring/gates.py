"""Monitoring's part of the gates: the exit criteria that read reviews.

Registered with projects' gate registry from `MonitoringConfig.ready`.
"""

from django.db.models import Exists, Q, Subquery
from django.utils.translation import gettext_lazy

from projects.gates import Criterion, GateFacts
from projects.models import Stage, TransitionKind

from .models import ReviewDecision, ReviewMeeting


def _has_next_review(facts: GateFacts) -> bool:
    return facts.project.reviews.upcoming().exists()


def _latest_held_review(facts: GateFacts) -> ReviewMeeting | None:
    """The latest review held in this run of the cycle: a reopened project is judged on reviews
    held after its last reopening, not on the one that closed it."""
    project = facts.project
    reopenings = project.transitions.filter(kind=TransitionKind.REOPEN)
    last_reopened = reopenings.order_by("-created_at").values("created_at")[:1]
    return (
        project.reviews.filter(held_at__isnull=False)
        .filter(Q(held_at__gt=Subquery(last_reopened)) | ~Exists(reopenings))
        .order_by("-held_at")
        .first()
    )


def _latest_review_decided_close(facts: GateFacts) -> bool:
    review = facts.memo("latest_held_review", _latest_held_review)
    return bool(review and review.decision == ReviewDecision.CLOSE)


GATE_CRITERIA: dict[Stage, list[Criterion]] = {
    Stage.EXECUTION: [
        Criterion(
            "next_review_scheduled",
            gettext_lazy("Next review scheduled"),
            gettext_lazy("Schedule the next review meeting."),
            lambda f: f.memo("has_next_review", _has_next_review),
            position=30,
        ),
    ],
    Stage.MONITORING: [
        Criterion(
            "review_decided_close",
            gettext_lazy("The latest review decided to close"),
            gettext_lazy(
                "Hold a review and record the decision Close; for Continue or Adjust strategy, "
                "loop back instead. After a reopening only a review held since counts."
            ),
            _latest_review_decided_close,
            position=10,
        ),
    ],
}
