"""Rate limits: API requests per person and per address (DRF throttles), and failed sign-ins
per address across usernames — the password spraying that django-axes, which counts per
username and address, does not see.

The counters live in the cache (Redis). A cache that is away lets requests through — a limit
is not worth an outage — and, like the broker, is skipped for a while after one failure."""

import functools
import logging
import time

import redis
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .background import Breaker

logger = logging.getLogger(__name__)

CACHE_ERRORS = (redis.RedisError, OSError)
cache_breaker = Breaker()


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as DRF's throttles read it (NUM_PROXIES aware)."""
    return BaseThrottle().get_ident(request)


class _Throttle(SimpleRateThrottle):
    """A DRF throttle whose rate is read from the settings at each request (so it follows
    `override_settings`), and which lets the request through when the cache is away."""

    setting: str

    def get_rate(self) -> str | None:
        return getattr(settings, self.setting)

    def allow_request(self, request, view) -> bool:
        if cache_breaker.is_open():
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("throttle skipped: the cache is away")
            cache_breaker.trip()
            return True


class UserThrottle(_Throttle):
    """Requests per signed-in person (per address for the anonymous), `API_RATE_PER_USER`."""

    scope = "user"
    setting = "API_RATE_PER_USER"

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(_Throttle):
    """Requests per address whoever signs in from it, `API_RATE_PER_ADDRESS`."""

    scope = "address"
    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- failed sign-ins per address -----------------------------------------------------------------
def _window() -> tuple[str, int]:
    """The current fixed window's number and the seconds left in it."""
    seconds = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    now = int(time.time())
    return str(now // seconds), seconds - now % seconds


def _failures_key(address: str, window: str) -> str:
    return f"sign-in-failures:{address}:{window}"


def sign_in_failures(address: str) -> tuple[int, int]:
    """(failed sign-ins from `address` in this window, seconds until the window ends)."""
    window, left = _window()
    if cache_breaker.is_open():
        return 0, left
    try:
        return int(cache.get(_failures_key(address, window)) or 0), left
    except CACHE_ERRORS:
        cache_breaker.trip()
        return 0, left


def sign_in_failure_record(address: str) -> None:
    """Count one failed sign-in from `address` (the password was wrong, whoever was named)."""
    window, left = _window()
    key = _failures_key(address, window)
    if cache_breaker.is_open():
        return
    try:
        cache.add(key, 0, left + 1)
        cache.incr(key)
    except CACHE_ERRORS:
        cache_breaker.trip()


def _failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None:
        sign_in_failure_record(client_address(request))


user_login_failed.connect(_failed, dispatch_uid="sign-in-failures-per-address")


class SignInLimitMiddleware:
    """Refuse sign-in attempts (the page and the token endpoint) from an address that failed
    `SIGN_IN_FAILURES_PER_ADDRESS` times in the window: 429 with Retry-After."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _sign_in_paths():
            failures, left = sign_in_failures(client_address(request))
            if failures >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
                return _refused(request, left)
        return self.get_response(request)


@functools.cache
def _sign_in_paths() -> frozenset[str]:
    return frozenset({reverse("login"), reverse("api:token")})


def _refused(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = _("Too many failed sign-ins from your network. Try again in %(minutes)d minutes.") % {
        "minutes": max(1, round(retry_after / 60))
    }
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
