"""Hand work to Celery only once the data it reads is committed — and never make a request wait
on the broker.

A request that enqueues work publishes it after its transaction commits. If Redis does not
answer (refused, or hanging: the broker's sockets time out after about a second), the work is
written to PostgreSQL as a `DeferredTask` instead, and a *circuit breaker* opens: for the next
BROKER_BREAKER_SECONDS this process does not try Redis at all, so no other request pays the
timeout. `deferred_tasks_replay` (a beat job every minute, and part of `manage.py run_sweeps`)
publishes what was deferred once Redis answers again. Our tasks are idempotent (notifications
and e-mails carry exactly-once keys), so work replayed after a publish that did in fact reach
Redis is harmless.

Recording only on failure, not every enqueue (an outbox): the outbox would cost a write and a
delete on every request that enqueues, to cover a crash in the instant between the commit and
the publish — which the periodic sweeps (pending e-mails, reminders, alerts) already cover.
"""

import logging
import threading
import time
from functools import partial

import redis
from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a broker that is away raises while publishing (a task that fails when run in process,
# without Redis, is not one of them: it is logged, not deferred).
BROKER_ERRORS = (OperationalError, redis.RedisError, OSError)


class Breaker:
    """Open for `seconds` after a failure: callers skip the broker instead of waiting on it."""

    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + settings.BROKER_BREAKER_SECONDS

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = Breaker()


def publish(task_name: str, args: list | tuple, kwargs: dict) -> bool:
    """Send one task to the broker at once; False (and the breaker tripped) if it is away."""
    # The project's Celery app (salescycle.celery), current once settings are loaded.
    from celery import current_app as app

    if breaker.is_open():
        return False
    try:
        # No retries here: the transport's socket timeouts bound the one attempt.
        app.send_task(task_name, args=list(args), kwargs=kwargs, retry=False)
    except BROKER_ERRORS:
        logger.warning(
            "broker unavailable: %s deferred for %ss", task_name, settings.BROKER_BREAKER_SECONDS
        )
        breaker.trip()
        return False
    return True


def _send(task: Task, args: tuple, kwargs: dict) -> None:
    if task.app.conf.task_always_eager:
        # No broker (the embedded demo): the task runs here; its failure is logged, the sweeps
        # retry what matters (pending e-mails, reminders).
        try:
            task.apply_async(args, kwargs)
        except Exception:
            logger.exception("task %s%r failed in process", task.name, args)
        return
    if not publish(task.name, args, kwargs):
        from .models import DeferredTask

        DeferredTask.objects.create(name=task.name, args=list(args), kwargs=kwargs)


def enqueue(task: Task, *args, **kwargs) -> None:
    """Send `task` when the current transaction commits (at once outside a transaction).

    A worker that starts before the commit would not see the rows the task is about, and
    a rolled-back request must not leave a task behind.
    """
    transaction.on_commit(partial(_send, task, args, kwargs))


def deferred_tasks_replay(batch: int = 500) -> int:
    """Publish deferred work, oldest first; stop at the first failure (Redis still away)."""
    from .models import DeferredTask

    breaker.reset()  # asked to try: try once, whatever an earlier failure said
    published = 0
    while True:
        with transaction.atomic():
            rows = list(
                DeferredTask.objects.select_for_update(skip_locked=True).order_by("pk")[:batch]
            )
            if not rows:
                return published
            for row in rows:
                if not publish(row.name, row.args, row.kwargs):
                    DeferredTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                    return published
                row.delete()
                published += 1
