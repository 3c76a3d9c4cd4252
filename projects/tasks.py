"""Background work of the cycle: reminders, overdue alerts, stuck projects, next reviews.

Scheduled in settings.CELERY_BEAT_SCHEDULE. Each task is idempotent (the unique notification
row, the project lock for scheduling), acknowledged late so a lost worker's run is redone,
and logs what it did.
"""

import logging

from celery import shared_task

from .imports import import_batches_prune
from .kpi_runs import kpi_run_execute
from .kpis import portfolio_rollup, project_snapshots_rollup

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def kpis_rollup() -> int:
    """Snapshot every open project, then the portfolio, for today (a re-run replaces the day)."""
    projects = project_snapshots_rollup()
    portfolio_rollup()
    return projects.written


@shared_task(acks_late=True)
def kpis_recompute(run_id: int) -> str:
    """A director's on-demand recompute (projects/kpi_runs.py); redelivery after done is a no-op."""
    run = kpi_run_execute(run_id=run_id)
    logger.info("KPI run %s: %s, %d projects", run.pk, run.status, run.projects_done)
    return run.status


@shared_task(acks_late=True)
def import_previews_prune() -> int:
    """Delete import previews nobody confirmed within a day (daily)."""
    return import_batches_prune()
