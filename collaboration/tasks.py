"""Background work of collaboration: e-mailing notifications and the overdue-task sweep."""

from celery import shared_task

from .notifications import notification_email_send, tasks_overdue_notify


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    """E-mail one notification; running it again never sends a second copy."""
    return notification_email_send(notification_id=notification_id)


@shared_task
def tasks_overdue_sweep() -> int:
    """Notify assignees of newly overdue tasks (scheduled hourly; repeats add nothing)."""
    return tasks_overdue_notify()
