"""`GET /healthz`: can this instance reach its database and its broker, and is background work
being done? Answers within about a second whatever else is stuck: the database query gives up
after half a second, the Redis ping too, and a broker known to be away (the circuit breaker of
core.background) is not pinged at all."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .background import breaker

# No worker seen for this long: background work is not being done.
WORKER_SILENT_SECONDS = 120


def database_state() -> dict:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = 500")
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def broker_state() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        # No REDIS_URL: Celery runs tasks in process, there is no broker to be down.
        return {"ok": True, "kind": "in-process"}
    if breaker.is_open():
        return {"ok": False, "kind": "redis", "error": "recently unreachable"}
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "kind": "redis", "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "kind": "redis"}


def heartbeats_state() -> dict:
    """The latest sign of life of a worker and of beat, with its age in seconds."""
    from .models import Heartbeat

    now = timezone.now()
    state = {}
    for kind in Heartbeat.Kind.values:
        latest = Heartbeat.objects.filter(kind=kind).order_by("-seen_at").first()
        state[kind] = (
            {
                "seen": latest.seen_at.isoformat(),
                "age_seconds": int((now - latest.seen_at).total_seconds()),
            }
            if latest
            else {"seen": None, "age_seconds": None}
        )
    return state


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_state()
    broker = broker_state()
    body = {"database": database, "broker": broker}
    if database["ok"] and broker["kind"] == "redis":
        body |= heartbeats_state()
    worker_age = body.get("worker", {}).get("age_seconds")
    worker_silent = broker["kind"] == "redis" and (
        worker_age is None or worker_age > WORKER_SILENT_SECONDS
    )
    if not database["ok"]:
        status, code = "down", 503
    elif not broker["ok"] or worker_silent:
        # The pages still work; background work waits (in PostgreSQL) until a worker runs.
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status} | body, status=code)
