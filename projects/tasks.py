"""Background work of the cycle: reminders, overdue alerts, stuck projects, next reviews.

Scheduled in settings.CELERY_BEAT_SCHEDULE. Each task is idempotent (the unique notification
row, the project lock for scheduling), acknowledged late so a lost worker's run is redone,
and logs what it did.
"""

import logging

from celery import shared_task

from .imports import import_batches_prune

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_previews_prune() -> int:
    """Delete import previews nobody confirmed within a day (daily)."""
    return import_batches_prune()
