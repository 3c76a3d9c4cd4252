from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from salescycle.urls import (  # noqa: F401  (the site's error handlers, read from this module)
    handler400,
    handler403,
    handler404,
    handler500,
)
from salescycle.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


def forbid(request):
    raise PermissionDenied


def post(request):
    """A plain Django view, CSRF-protected by the middleware (DRF views check it themselves)."""
    return HttpResponse("posted")


urlpatterns = [
    path("fail/", fail),
    path("forbid/", forbid),
    path("api/fail/", fail),
    path("api/forbid/", forbid),
    path("api/post/", post),
    *site_urlpatterns,
]
