"""Gunicorn's settings for SalesCycle (`make serve`, the Dockerfile, docker compose, the
benchmark). Every value can be overridden from the environment.

Threads, not only processes: with three synchronous workers, three requests waiting on one
stuck thing (a row lock, a hanging Redis) held the whole server (issue 15). With `gthread`, each
of WEB_CONCURRENCY processes serves GUNICORN_THREADS requests at once, so a slow request holds
one thread; PostgreSQL's lock_timeout and the broker's circuit breaker bound how long it waits.
The database pool (DATABASE_POOL_MAX, 10 by default) is per process and covers the threads.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request still running after this long is killed with its worker (then restarted).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
# A request line (the URL with its query) up to 8 KB, gunicorn's most, not its default 4 KB:
# long filter combinations are answered by the app (a 400 in JSON), not refused by the server.
limit_request_line = 8190
