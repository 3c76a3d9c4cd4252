import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task
def ping() -> str:
    """Answer 'pong' from a worker: proves the broker and a worker are wired."""
    return "pong"


@shared_task(bind=True)
def heartbeat(self) -> str:
    """Record that a worker is alive (every 30 s, sent by beat, which records itself as it
    sends: core.signals); /healthz reads the age."""
    from .models import Heartbeat

    Heartbeat.record(Heartbeat.Kind.WORKER, self.request.hostname or "worker")
    return timezone.now().isoformat()


@shared_task(acks_late=True)
def deferred_tasks_replay() -> int:
    """Publish the work that could not be enqueued while Redis was away (every minute)."""
    from .background import deferred_tasks_replay as replay

    count = replay()
    if count:
        logger.info("deferred tasks published: %d", count)
    return count


@shared_task(acks_late=True)
def sign_ins_prune() -> int:
    """Delete expired sessions and API tokens, and sign-in logs older than
    SIGN_IN_LOG_RETENTION_DAYS (daily). Lockouts (AccessAttempt) stay: django-axes expires them
    itself."""
    import datetime

    from axes.models import AccessFailureLog, AccessLog
    from django.conf import settings
    from django.contrib.sessions.models import Session

    from .api_tokens import api_tokens_prune_expired

    cutoff = timezone.now() - datetime.timedelta(days=settings.SIGN_IN_LOG_RETENTION_DAYS)
    deleted = Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
    for log in (AccessLog, AccessFailureLog):
        deleted += log.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted + api_tokens_prune_expired()
