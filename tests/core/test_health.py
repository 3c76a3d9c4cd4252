import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_ok_with_database_and_redis(client, require_redis):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "kind": "redis"}


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
