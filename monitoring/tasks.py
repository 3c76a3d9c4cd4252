"""Background work of monitoring: review reminders and scheduling, overdue reviews, stuck
projects. Scheduled in settings.CELERY_BEAT_SCHEDULE; each task is idempotent and acknowledged
late."""

import logging

from celery import shared_task

from monitoring.alerts import projects_stuck_notify, review_reminders_send, reviews_overdue_notify
from monitoring.reviews import reviews_schedule_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def review_reminders() -> int:
    """Remind attendees 24 hours and 1 hour before each review (every five minutes)."""
    return review_reminders_send()


@shared_task(acks_late=True)
def reviews_overdue() -> int:
    """Tell owners about reviews past due and not held (hourly; once per review and day)."""
    return reviews_overdue_notify()


@shared_task(acks_late=True)
def projects_stuck() -> int:
    """Tell owners, then directors, about projects past their stage's norm (hourly)."""
    return projects_stuck_notify()


@shared_task(acks_late=True)
def reviews_schedule_next() -> int:
    """Schedule the next review of every project on a cadence that has none (hourly)."""
    count = reviews_schedule_due()
    logger.info("next reviews scheduled: %d", count)
    return count
