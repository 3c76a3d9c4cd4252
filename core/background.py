"""Hand work to Celery only once the data it reads is committed."""

from functools import partial

from celery import Task
from django.db import transaction


def enqueue(task: Task, *args, **kwargs) -> None:
    """Send `task` when the current transaction commits (at once outside a transaction).

    A worker that starts before the commit would not see the rows the task is about, and
    a rolled-back request must not leave a task behind.
    """
    transaction.on_commit(partial(task.delay, *args, **kwargs))
