"""Running the periodic sweeps in process: `manage.py run_sweeps`, and without Redis (the
embedded demo, where no beat runs) in a background thread of the server process.

No page pays for them: a page load at most every five minutes *starts* the short sweeps
(PAGE_LOAD_SWEEPS: reminders, overdue notices, pending e-mails…) in a daemon thread after its
response is built, and the daily ones (DAILY_SWEEPS: the full KPI rollup) once a day in the same
thread. One run at a time per process; a failing sweep is logged and spares the others.
"""

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PAGE_LOAD_INTERVAL_SECONDS = 300
DAILY_SECONDS = 24 * 3600
_CACHE_KEY = "sweeps:page-load"
_DAILY_KEY = "sweeps:daily"
_running = threading.Lock()


def sweeps_run(names: list[str] | None = None) -> dict[str, object]:
    """Run the sweeps named (every one of settings.SWEEPS by default) now, in this thread."""
    results: dict[str, object] = {}
    for name in settings.SWEEPS if names is None else names:
        try:
            # Imported by name: a management command has not loaded the task modules yet.
            sweep = import_string(name)
            results[name] = getattr(sweep, "run", sweep)()
        except Exception as error:  # logged; the next run tries again
            logger.exception("sweep %s failed", name)
            results[name] = error
    return results


def _in_background(names: list[str]) -> None:
    try:
        sweeps_run(names)
    finally:
        connection.close()  # this thread's own connection
        _running.release()


def sweeps_start_in_background(*, daily: bool) -> threading.Thread | None:
    """Start the page-load sweeps (and the daily ones when `daily`) in a daemon thread; None
    when a run is still going in this process."""
    if not _running.acquire(blocking=False):
        return None
    names = list(settings.PAGE_LOAD_SWEEPS) + (list(settings.DAILY_SWEEPS) if daily else [])
    thread = threading.Thread(target=_in_background, args=(names,), name="sweeps", daemon=True)
    thread.start()
    return thread


class SweepOnPageLoadMiddleware:
    """Without Redis there is no beat: a page load starts the sweeps in the background, at
    most every five minutes (`cache.add` lets one request win), the daily ones once a day."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SWEEP_ON_PAGE_LOAD and cache.add(_CACHE_KEY, 1, PAGE_LOAD_INTERVAL_SECONDS):
            sweeps_start_in_background(daily=cache.add(_DAILY_KEY, 1, DAILY_SECONDS))
        return response
