from django.conf import settings
from django.urls import path

from . import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
if settings.SERVER_TIMING:
    urlpatterns.append(path("_bench/floor", views.floor, name="bench_floor"))
