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
