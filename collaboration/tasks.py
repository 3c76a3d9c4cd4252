"""Background work of collaboration: e-mailing notifications and the overdue-task sweep."""

import datetime
import logging

from celery import shared_task

from .notifications import (
    notification_email_send,
    notifications_email_flush,
    notifications_prune,
    tasks_overdue_notify,
)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    """E-mail one notification; running it again never sends a second copy."""
    sent = notification_email_send(notification_id=notification_id)
    logger.info("notification %s e-mailed: %s", notification_id, sent)
    return sent


@shared_task(acks_late=True)
def tasks_overdue_sweep() -> int:
    """Remind assignees of overdue tasks (hourly; once per task and day)."""
    count = tasks_overdue_notify()
    logger.info("overdue tasks: %d notices", count)
    return count


@shared_task(acks_late=True)
def notifications_prune_sweep() -> int:
    """Delete read notifications past their retention (daily)."""
    count = notifications_prune()
    logger.info("old read notifications deleted: %d", count)
    return count


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def notifications_email_sweep() -> int:
    """Send e-mails whose enqueue failed or got lost (every minute, at the mail server's
    rate)."""
    # Two minutes' grace: the normal path (a task enqueued on commit) goes first.
    count = notifications_email_flush(older_than=datetime.timedelta(minutes=2))
    logger.info("pending e-mails sent: %d", count)
    return count
