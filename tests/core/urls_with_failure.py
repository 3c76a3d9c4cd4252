from django.core.exceptions import PermissionDenied
from django.urls import path

from salescycle.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a deliberate failure for the 500 page test")


def forbid(request):
    raise PermissionDenied


urlpatterns = [path("fail/", fail), path("forbid/", forbid), *site_urlpatterns]
