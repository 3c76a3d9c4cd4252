import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task
def ping() -> str:
    """Answer 'pong' from a worker: proves the broker and a worker are wired."""
    return "pong"


@shared_task
def heartbeat() -> str:
    """Record that beat and a worker are alive; scheduled by CELERY_BEAT_SCHEDULE."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    logger.info("heartbeat at %s", now)
    return now


@shared_task(acks_late=True)
def deferred_tasks_replay() -> int:
    """Publish the work that could not be enqueued while Redis was away (every minute)."""
    from .background import deferred_tasks_replay as replay

    count = replay()
    if count:
        logger.info("deferred tasks published: %d", count)
    return count
