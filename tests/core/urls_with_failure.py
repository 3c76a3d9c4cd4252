from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes

from core.errors import Refused
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


class Overbooked(Refused):
    """A refusal of some app, with a status and a body of its own (core knows neither)."""

    status_code = 422

    def as_response_data(self) -> dict:
        return {"detail": self.message, "seats": 0}


@api_view(["POST"])
@permission_classes([])
def refuse(request):
    raise Overbooked("No seats left.")


@api_view(["POST"])
@permission_classes([])
def refuse_whole_request(request):
    """A service's ValidationError that names no field."""
    raise ValidationError("Not on a holiday.")


urlpatterns = [
    path("api/refuse/", refuse),
    path("api/refuse-whole-request/", refuse_whole_request),
    path("fail/", fail),
    path("forbid/", forbid),
    path("api/fail/", fail),
    path("api/forbid/", forbid),
    path("api/post/", post),
    *site_urlpatterns,
]
