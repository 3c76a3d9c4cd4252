"""Running the periodic sweeps in process: `manage.py run_sweeps`, and without Redis (the
embedded demo, where no beat runs) a page load every few minutes."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PAGE_LOAD_INTERVAL_SECONDS = 300
_CACHE_KEY = "sweeps:page-load"


def sweeps_run() -> dict[str, object]:
    """Run every sweep of settings.SWEEPS now, in this process; one failing spares the rest."""
    results: dict[str, object] = {}
    for name in settings.SWEEPS:
        try:
            # Imported by name: a management command has not loaded the task modules yet.
            results[name] = import_string(name).run()
        except Exception as error:  # logged; the next run tries again
            logger.exception("sweep %s failed", name)
            results[name] = error
    return results


class SweepOnPageLoadMiddleware:
    """Without Redis there is no beat: run the sweeps after a response, at most every five
    minutes (`cache.add` lets one request win)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SWEEP_ON_PAGE_LOAD and cache.add(_CACHE_KEY, 1, PAGE_LOAD_INTERVAL_SECONDS):
            sweeps_run()
        return response
