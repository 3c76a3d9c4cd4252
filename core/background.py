"""Hand work to Celery only once the data it reads is committed — and never fail a request
because the broker is away."""

import logging
from functools import partial

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task: Task, args: tuple, kwargs: dict) -> None:
    try:
        task.apply_async(args, kwargs)
    except Exception:
        # Redis unreachable (or refusing): the page or API call still succeeds. Everything
        # we enqueue is also found by a periodic sweep (pending e-mails, reminders, alerts),
        # so the work is done late rather than lost.
        logger.exception("could not enqueue %s%r; a sweep will pick it up", task.name, args)


def enqueue(task: Task, *args, **kwargs) -> None:
    """Send `task` when the current transaction commits (at once outside a transaction).

    A worker that starts before the commit would not see the rows the task is about, and
    a rolled-back request must not leave a task behind.
    """
    transaction.on_commit(partial(_send, task, args, kwargs))
