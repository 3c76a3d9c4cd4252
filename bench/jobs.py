"""Time the background jobs on the database in DATABASE_URL and print them as JSON.

Run by the benchmark in its own process (`python -m bench.jobs`): the full KPI rollup of today
(project snapshots, then the portfolio), the review-reminder sweep and the overdue sweeps (tasks
and reviews) — each the task Celery beat runs, called in process. Each runs in a transaction that
is rolled back, so every run of the benchmark times the same work on the same data.
"""

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescycle.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from collaboration.tasks import tasks_overdue_sweep
    from projects.tasks import kpis_rollup, review_reminders, reviews_overdue

    def timed(*jobs) -> float:
        with transaction.atomic():
            started = time.perf_counter()
            for job in jobs:
                job()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return round(elapsed, 3)

    connection.ensure_connection()
    figures = {
        "kpi_rollup": timed(kpis_rollup),
        "reminder_sweep": timed(review_reminders),
        "overdue_sweep": timed(tasks_overdue_sweep, reviews_overdue),
    }
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    main()
