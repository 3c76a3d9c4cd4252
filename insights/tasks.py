"""Background work of insights: the daily KPI rollup and a director's on-demand recompute.
Scheduled in settings.CELERY_BEAT_SCHEDULE; idempotent, acknowledged late."""

import logging

from celery import shared_task

from insights.kpi_runs import kpi_run_execute
from insights.kpis import portfolio_rollup, project_snapshots_rollup

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def kpis_rollup() -> int:
    """Snapshot every open project, then the portfolio, for today (a re-run replaces the day)."""
    projects = project_snapshots_rollup()
    portfolio_rollup()
    return projects.written


@shared_task(acks_late=True)
def kpis_recompute(run_id: int) -> str:
    """A director's on-demand recompute (insights/kpi_runs.py); redelivery after done is a no-op."""
    run = kpi_run_execute(run_id=run_id)
    logger.info("KPI run %s: %s, %d projects", run.pk, run.status, run.projects_done)
    return run.status
