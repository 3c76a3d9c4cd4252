"""The sweeps that keep the cycle on time: review reminders, overdue reviews, stuck projects.

Each sweep can run late, twice, or on two workers at once: a notification exists once per
(recipient, kind, event_key) — a unique row in the database — so a repeat adds nothing.
"""

import datetime
import logging

from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import User
from collaboration.models import Notification, NotificationKind
from collaboration.notifications import NOTIFY_BATCH, Notice, batched, notify, notify_many
from monitoring.models import ReviewMeeting
from projects.models import OPEN_STAGES, Project, StagePolicy

logger = logging.getLogger(__name__)

# Reminder windows: how long before a review each reminder goes out. A sweep that runs late
# sends only the nearest window still ahead (no "tomorrow" reminder ten minutes before).
REMINDER_WINDOWS = (("1h", datetime.timedelta(hours=1)), ("24h", datetime.timedelta(hours=24)))


def _when(review: ReviewMeeting) -> str:
    return timezone.localtime(review.scheduled_for).strftime("%Y-%m-%d %H:%M")


def reminder_event_key(review: ReviewMeeting, window: str) -> str:
    # The time is part of the key: a review moved to another day is reminded of again.
    return f"review:{review.pk}:{window}:{review.scheduled_for:%Y%m%dT%H%M}"


def review_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind attendees (the owner when none are named) 24 hours and 1 hour before a review."""
    now = now or timezone.now()
    notices = []
    nearer = now
    for window, lead in REMINDER_WINDOWS:
        reviews = (
            # upcoming(): not held, on a project still open (the one rule of ReviewQuerySet).
            ReviewMeeting.objects.upcoming(now)
            .filter(scheduled_for__gt=nearer, scheduled_for__lte=now + lead)
            .select_related("project__owner")
            .prefetch_related("attendees")
        )
        notices += [
            Notice(
                recipients=list(review.attendees.all()) or [review.project.owner],
                kind=NotificationKind.REVIEW_REMINDER,
                event_key=reminder_event_key(review, window),
                project=review.project,
                data={"review": review.pk, "window": window, "scheduled_for": _when(review)},
            )
            for review in reviews
        ]
        nearer = now + lead
    # Every five minutes: the reviews already reminded of are skipped in one query.
    sent = len(notify_many(notices))
    logger.info("review reminders: %d sent", sent)
    return sent


def reviews_overdue_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell owners about reviews past their time and not held: once per review and day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    already = Notification.objects.filter(
        recipient=OuterRef("project__owner"),
        kind=NotificationKind.REVIEW_OVERDUE,
        event_key=Concat(
            Value(f"overdue:{today.isoformat()}:review:"), Cast(OuterRef("pk"), CharField())
        ),
    )
    reviews = (
        ReviewMeeting.objects.overdue(now).exclude(Exists(already)).select_related("project__owner")
    )
    notices = (
        Notice(
            recipients=[review.project.owner],
            kind=NotificationKind.REVIEW_OVERDUE,
            event_key=f"overdue:{today.isoformat()}:review:{review.pk}",
            project=review.project,
            data={"review": review.pk, "scheduled_for": _when(review)},
        )
        for review in reviews.iterator(chunk_size=NOTIFY_BATCH)
    )
    count = sum(len(notify_many(batch)) for batch in batched(notices, NOTIFY_BATCH))
    logger.info("overdue reviews: %d notices", count)
    return count


def projects_stuck_notify(*, now: datetime.datetime | None = None) -> int:
    """A project past its stage's norm tells its owner; at twice the norm, the directors.

    Once per project and stage visit: the key holds when the project entered the stage.
    """
    now = now or timezone.now()
    directors = list(User.objects.directors())
    count = 0
    # One query per stage (eight at most), however many projects there are.
    for policy in StagePolicy.objects.filter(stage__in=OPEN_STAGES, norm_days__gt=0):
        norm = datetime.timedelta(days=policy.norm_days)
        told = Notification.objects.filter(
            project=OuterRef("pk"),
            kind=NotificationKind.PROJECT_STUCK,
            created_at__gte=OuterRef("stage_entered_at"),
        )
        stuck = (
            Project.objects.filter(Q(stage=policy.stage) & Q(stage_entered_at__lt=now - norm))
            .annotate(
                owner_told=Exists(told.filter(recipient=OuterRef("owner"), data__twice=False)),
                directors_told=Exists(told.filter(data__twice=True)),
            )
            .exclude(owner_told=True, directors_told=True)
            .select_related("owner")
        )
        for project in stuck.iterator(chunk_size=500):
            days = (now - project.stage_entered_at).days
            visit = f"project:{project.pk}:{project.stage}:{project.stage_entered_at:%Y%m%d%H%M%S}"
            data = {"stage": project.stage, "days": days, "norm": policy.norm_days}
            if not project.owner_told:
                count += len(
                    notify(
                        recipients=[project.owner],
                        kind=NotificationKind.PROJECT_STUCK,
                        event_key=f"stuck:{visit}",
                        project=project,
                        data={**data, "twice": False},
                    )
                )
            if not project.directors_told and now - project.stage_entered_at > 2 * norm:
                count += len(
                    notify(
                        recipients=directors,
                        kind=NotificationKind.PROJECT_STUCK,
                        event_key=f"stuck2:{visit}",
                        project=project,
                        data={**data, "twice": True},
                    )
                )
    logger.info("stuck projects: %d notices", count)
    return count
