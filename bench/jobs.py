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
    from insights.tasks import kpis_rollup
    from monitoring.tasks import review_reminders, reviews_overdue

    def timed(*jobs, again: bool = False) -> float | tuple[float, float]:
        """Seconds for `jobs`; with `again`, also for a second run at once (nothing new)."""
        with transaction.atomic():
            runs = []
            for _ in range(2 if again else 1):
                started = time.perf_counter()
                for job in jobs:
                    job()
                runs.append(round(time.perf_counter() - started, 3))
            transaction.set_rollback(True)
        return tuple(runs) if again else runs[0]

    connection.ensure_connection()
    reminders_first, reminders_again = timed(review_reminders, again=True)
    figures = {
        "kpi_rollup": timed(kpis_rollup),
        # The first run sends every reminder of the next 24 hours (none sent yet); the sweep
        # runs every five minutes, when it finds what the previous run sent.
        "reminder_sweep": reminders_first,
        "reminder_sweep_again": reminders_again,
        "overdue_sweep": timed(tasks_overdue_sweep, reviews_overdue),
    }
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    main()
