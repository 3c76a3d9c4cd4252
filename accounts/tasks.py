"""Background work of accounts: expired sessions, tokens and old sign-in logs (daily)."""

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def sign_ins_prune() -> int:
    """Delete expired sessions and API tokens, and sign-in logs older than
    SIGN_IN_LOG_RETENTION_DAYS (daily). Lockouts (AccessAttempt) stay: django-axes expires them
    itself."""
    import datetime

    from axes.models import AccessFailureLog, AccessLog
    from django.conf import settings
    from django.contrib.sessions.models import Session

    from accounts.api_tokens import api_tokens_prune_expired

    cutoff = timezone.now() - datetime.timedelta(days=settings.SIGN_IN_LOG_RETENTION_DAYS)
    deleted = Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
    for log in (AccessLog, AccessFailureLog):
        deleted += log.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted + api_tokens_prune_expired()
