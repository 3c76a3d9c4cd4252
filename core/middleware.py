import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from .errors import LOCK_TIMEOUT_MESSAGE, is_lock_timeout


class UserLanguageMiddleware:
    """Serve a signed-in user in the language saved on their profile.

    LocaleMiddleware has already picked a language from the cookie or the browser; a
    signed-in user's saved preference wins over both, on every device.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` (settings.PERMISSIONS_POLICY) with every response: the app uses
    no camera, microphone, location, payment or USB, so no page — nor anything injected into
    one — may ask for them. Placed before WhiteNoise, it covers static files too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response


class PrivateCacheMiddleware:
    """Mark every response to a signed-in person `Cache-Control: private, no-store`.

    Pages, htmx fragments, API answers and exports hold what this person may see: no shared
    proxy may keep them, and the browser must not either (the back button after signing out,
    a shared computer). A response that says how it may be cached (a calendar feed, /healthz)
    keeps its own header. The user is read after the view ran, so an API request signed in
    by a token (DRF authenticates inside the view and sets request.user) counts too. Static
    files never get here: WhiteNoise, earlier in the chain, answers them with long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response and self._signed_in(request):
            response["Cache-Control"] = "private, no-store"
        return response

    def _signed_in(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return (user is not None and user.is_authenticated) or "Authorization" in request.headers


class ServerTimingMiddleware:
    """Report each response's server time and SQL query count (`SERVER_TIMING=true`).

    Adds `Server-Timing: app;dur=<ms>, db;dur=<ms>;desc="<n> queries"` and `X-Queries: <n>`, for
    the benchmark (`make bench`) and for anyone reading the browser's network panel. Placed first,
    it times the whole middleware stack; counting works with DEBUG off (no query log kept).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        total, database = (time.perf_counter() - started) * 1000, counter.seconds * 1000
        response["Server-Timing"] = (
            f'app;dur={total:.2f}, db;dur={database:.2f};desc="{counter.count} queries"'
        )
        response["X-Queries"] = str(counter.count)
        return response


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class FormLineBreaksMiddleware:
    """Read a submitted form's line breaks as they were typed.

    A browser sends every line break of a form as CR LF (HTML's form submission algorithm), so
    saving a form unchanged turned each stored "\\n" into "\\r\\n" — every save of a text
    rewrote it, and the history said so. Undoing that here, once, covers every form, present
    and future; JSON bodies (the API) are left as the client wrote them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            submitted = request.POST
            if any("\r" in value for _key, values in submitted.lists() for value in values):
                normalised = submitted.copy()
                for key, values in submitted.lists():
                    normalised.setlist(key, [_lf(value) for value in values])
                normalised._mutable = False
                request.POST = normalised
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Send the messages a view queued during an htmx request back with its fragment.

    A full page shows them in its messages region; an htmx save swaps in only a fragment, so
    the region comes along as an out-of-band swap — the same confirmation either way, in the
    same place. A response that makes the browser load another page (HX-Redirect, HX-Location,
    HX-Refresh) or a redirect leaves them queued for that page. Placed after MessageMiddleware
    and HtmxMiddleware, so that it reads the messages before they are stored again.
    """

    PAGE_LOADS = ("HX-Redirect", "HX-Location", "HX-Refresh")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self._swaps_a_fragment(request, response):
            return response
        queued = list(messages.get_messages(request))
        if queued:
            region = render_to_string(
                "components/messages.html", {"messages": queued, "oob": True}, request=request
            )
            response.content += region.encode(response.charset)
        return response

    def _swaps_a_fragment(self, request: HttpRequest, response: HttpResponse) -> bool:
        htmx = getattr(request, "htmx", None)
        return (
            bool(htmx)
            and not htmx.history_restore_request
            and not response.streaming
            and not 300 <= response.status_code < 400
            and response.get("Content-Type", "").startswith("text/html")
            and not any(header in response for header in self.PAGE_LOADS)
        )


def _lf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


class LockTimeoutMiddleware:
    """A page or htmx fragment whose write waited too long for a row lock (PostgreSQL's
    lock_timeout, set on every connection) answers 409 — someone else is changing the same
    project — instead of a 500 or a page that hangs. The API's answer is its exception
    handler's (core.errors.api_exception_handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_lock_timeout(exception):
            return None
        message = str(LOCK_TIMEOUT_MESSAGE)
        if getattr(request, "htmx", False):
            # Whatever the fragment was (a card, a row, a form), it stays as it was; the reason
            # arrives in the messages region (HtmxMessagesMiddleware's out-of-band swap).
            messages.error(request, message)
            return HttpResponse(status=409, headers={"HX-Reswap": "none"})
        return render(request, "409.html", {"message": message}, status=409)
