"""The page cache: a signed-in person's pages kept for a minute, dropped on any write.

What a page shows depends on who asks, so a page is kept per person — with their language, the
day, their CSRF secret (the forms on it carry a token made from it) and the full URL — under a
*generation*: one counter in the cache that every write moves on, which makes every kept page
unreachable at once. Writes are:

- any request that is not GET/HEAD/OPTIONS, whatever it changed (deletes, many-to-many changes
  and `update()` included, which send no post_save);
- any background job (Celery's task_postrun) and any in-process sweep;
- any model saved anywhere else (post_save, after the commit: a shell, a command), except
  sessions and the sign-in log, which change on every sign-in and show on no page. Not
  post_delete or m2m_changed: a receiver for every model would turn off Django's fast deletes
  (a cascade would load each row); deletes outside a request or a job are at most a page
  lifetime late.

A kept page is at most PAGE_CACHE_SECONDS old (60 by default), so what depends on the clock —
"overdue", days in a stage — is at most that late. Not kept: anything but a 200 HTML or JSON
answer to a signed-in GET, a response setting a cookie, a page carrying flash messages (they are
shown once), htmx fragments, and requests sent with `Cache-Control: no-cache` (a hard reload; the
benchmark's per-page timings). On by default where Redis is the cache (production), off with the
in-process cache of the embedded demo and in the test suite (PAGE_CACHE_SECONDS=0), where
tests/core/test_page_cache.py turns it on.
"""

import hashlib
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CACHED_TYPES = ("text/html", "application/json")
# Written on every sign-in or request; no page shows them.
IGNORED_APPS = frozenset({"sessions", "axes", "django_celery_beat", "django_celery_results"})


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Started from the clock: a counter lost (evicted, flushed) never comes back to a number
        # under which pages are still kept.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY) or time.time_ns()
    return int(value)


def invalidate() -> None:
    """Something was written: no page kept until now will be served again."""
    if not enabled():
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no counter (evicted, flushed): start one past any earlier
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:  # the cache being down must not fail the write
        logger.exception("page cache: could not move the generation on")


def page_key(request: HttpRequest, current: int) -> str | None:
    """The key of this request's page, or None when it must not be served from the cache."""
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    if getattr(request, "htmx", False) or "no-cache" in request.headers.get("Cache-Control", ""):
        return None
    # The secret the CSRF middleware uses: a malformed cookie gets a new one, and a page kept
    # under the old cookie would carry tokens that no longer validate.
    csrf = request.META.get("CSRF_COOKIE")
    if not csrf or csrf != request.COOKIES.get(settings.CSRF_COOKIE_NAME) or _has_messages(request):
        return None
    parts = [
        request.scheme,
        request.get_host(),
        str(request.user.pk),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.get_full_path(),
        request.headers.get("Accept", ""),
        csrf,
    ]
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"page-cache:{current}:{digest}"


def _has_messages(request: HttpRequest) -> bool:
    """Flash messages waiting in the cookie or the session (Django's fallback storage)."""
    return "messages" in request.COOKIES or "_messages" in getattr(request, "session", {})


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    """The cookies of the outer middleware are not set yet: a view that wrote the session or
    queued a message would set one."""
    session = getattr(request, "session", None)
    return (
        not (session is not None and session.modified)
        and not len(messages.get_messages(request))
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith(CACHED_TYPES)
        and "no-store" not in response.get("Cache-Control", "")
    )


class PageCacheMiddleware:
    """Serve a kept page when there is one; keep a page that may be kept; move the generation
    on after any request that may have written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            try:
                return self.get_response(request)
            finally:
                invalidate()
        try:
            key = page_key(request, generation())
            kept = cache.get(key) if key is not None else None
        except Exception:  # the cache being down costs speed, never the page
            logger.exception("page cache: not read")
            key = kept = None
        if kept is not None:
            status, content, headers = kept
            response = HttpResponse(content, status=status, headers=dict(headers))
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if key is not None and _keepable(request, response):
            response["X-Page-Cache"] = "miss"
            kept = (response.status_code, response.content, list(response.items()))
            try:
                cache.set(key, kept, settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("page cache: not kept")
        return response


def invalidate_on_write(sender, **kwargs) -> None:
    """Receiver of post_save: once the write is committed."""
    if sender._meta.app_label in IGNORED_APPS or not enabled():
        return
    transaction.on_commit(invalidate)


def invalidate_after_job(**kwargs) -> None:
    """Receiver of Celery's task_postrun: a job may write with update() (no signal)."""
    invalidate()
