"""SERVER_TIMING: each response reports its server time and SQL query count (the benchmark reads
them); the minimal floor view exists only with it on."""

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from core.middleware import ServerTimingMiddleware

pytestmark = pytest.mark.django_db


def test_it_counts_the_queries_and_times_the_response():
    def view(request):
        list(User.objects.all())
        User.objects.filter(username="nobody").exists()
        return HttpResponse("ok")

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Queries"] == "2"
    timing = re.fullmatch(
        r'app;dur=([\d.]+), db;dur=([\d.]+);desc="2 queries"', response["Server-Timing"]
    )
    assert timing and float(timing.group(1)) >= float(timing.group(2)) >= 0


def test_no_query_is_counted_as_none():
    response = ServerTimingMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response["X-Queries"] == "0"


def test_off_by_default_no_header_and_no_floor_view(client, member):
    client.force_login(member)
    response = client.get("/")
    assert "Server-Timing" not in response and "X-Queries" not in response
    assert client.get("/_bench/floor").status_code == 404
