"""Celery's signals that feed /healthz: a worker that starts and a beat that sends."""

import socket

from celery.signals import beat_init, before_task_publish, worker_ready


def _beat_sent(sender=None, **kwargs) -> None:
    from .models import Heartbeat

    if sender == "core.tasks.heartbeat":
        Heartbeat.record(Heartbeat.Kind.BEAT, socket.gethostname())


@beat_init.connect
def beat_started(sender=None, **kwargs) -> None:
    """In the beat process only: record it now and each time it sends the heartbeat."""
    from .models import Heartbeat

    Heartbeat.record(Heartbeat.Kind.BEAT, socket.gethostname())
    before_task_publish.connect(_beat_sent, weak=False, dispatch_uid="beat-heartbeat")


@worker_ready.connect
def worker_started(sender=None, **kwargs) -> None:
    from .models import Heartbeat

    Heartbeat.record(Heartbeat.Kind.WORKER, getattr(sender, "hostname", None) or "worker")
