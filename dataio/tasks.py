"""Background work of import and export: import previews nobody confirmed are deleted (daily)."""

from celery import shared_task

from dataio.imports import import_batches_prune


@shared_task(acks_late=True)
def import_previews_prune() -> int:
    """Delete import previews nobody confirmed within a day (daily)."""
    return import_batches_prune()
