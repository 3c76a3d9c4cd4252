import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Heartbeat
from tests.processes import PrivateRedis

pytestmark = pytest.mark.django_db


def _beat(kind: str, seconds_ago: int) -> None:
    Heartbeat.objects.create(
        kind=kind,
        hostname=f"{kind}@test",
        seen_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def test_healthz_ok_with_database_redis_and_a_live_worker(client, require_redis):
    _beat("worker", 20)
    _beat("beat", 10)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "kind": "redis"}
    assert body["worker"]["age_seconds"] in (20, 21)
    assert body["beat"]["age_seconds"] in (10, 11)


@pytest.mark.parametrize("seconds_ago", [None, 121, 3600])
def test_healthz_is_degraded_when_no_worker_was_seen_for_two_minutes(
    client, require_redis, seconds_ago
):
    if seconds_ago is not None:
        _beat("worker", seconds_ago)

    body = client.get(reverse("healthz")).json()

    assert body["status"] == "degraded"
    assert body["worker"]["age_seconds"] == seconds_ago


def test_healthz_answers_within_a_second_while_redis_hangs(client, settings):
    server = PrivateRedis()
    try:
        server.freeze()
        settings.CELERY_BROKER_URL = server.url
        started = time.monotonic()
        body = client.get(reverse("healthz")).json()
        seconds = time.monotonic() - started
    finally:
        server.stop()
    assert seconds < 1, f"/healthz took {seconds:.2f} s"
    assert body["status"] == "degraded" and body["broker"]["error"] == "TimeoutError"


def test_healthz_degraded_when_redis_unreachable(client, settings):
    # Nothing listens on port 1: a real refused connection, not a mock.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"] == "ConnectionError"


def test_healthz_reports_in_process_broker_without_redis(client, settings):
    settings.CELERY_BROKER_URL = "memory://"

    body = client.get(reverse("healthz")).json()

    assert body["status"] == "ok"
    assert body["broker"]["kind"] == "in-process"


def test_healthz_needs_no_sign_in_and_is_not_cached(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405
