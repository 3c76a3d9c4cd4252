"""On-demand KPI recompute: a director starts a run, Celery does it, the page follows it."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.background import enqueue
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from insights.models import KpiRun, KpiRunStatus
from projects.models import Project

logger = logging.getLogger(__name__)

ACTIVE = (KpiRunStatus.QUEUED, KpiRunStatus.RUNNING)


def kpi_run_start(*, actor: User) -> KpiRun:
    """Start a recompute of today's snapshots, or return the run already under way."""
    if not actor.is_director:
        raise PermissionDenied
    from insights.tasks import kpis_recompute

    with transaction.atomic():
        # A second press while a run is under way waits on the lock of that run and then
        # returns it. (Two first presses in the same instant can still start two runs; both
        # upsert the same day, so the second only repeats the work.)
        active = KpiRun.objects.select_for_update().filter(status__in=ACTIVE).first()
        if active is not None:
            return active
        run = KpiRun.objects.create(started_by=actor)
        enqueue(kpis_recompute, run.pk)
    return run


def kpi_run_execute(*, run_id: int) -> KpiRun:
    """Do run `run_id`: snapshot every open project, then the portfolio; record the outcome."""
    with transaction.atomic():
        # A redelivered message (acks_late) finds the run finished and leaves it alone.
        run = KpiRun.objects.select_for_update().get(pk=run_id)
        if not run.is_active:
            return run
        run.status = KpiRunStatus.RUNNING
        run.projects_total = Project.objects.open().count()
        run.save(update_fields=["status", "projects_total"])
    try:
        rollup = project_snapshots_rollup()
        portfolio_rollup()
    except Exception as error:
        logger.exception("KPI run %s failed", run.pk)
        run.status = KpiRunStatus.FAILED
        run.error = f"{type(error).__name__}: {error}"
    else:
        # Skipped projects are named in the run; the rest of the company's figures stand.
        run.status = KpiRunStatus.DONE
        run.projects_done = rollup.written
        run.error = rollup.summary()
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "projects_done", "error", "finished_at"])
    return run


def kpi_run_latest() -> KpiRun | None:
    """The most recent run, for the Recompute button's status line."""
    return KpiRun.objects.select_related("started_by").first()
