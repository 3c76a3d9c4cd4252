"""How much of the site a held row lock takes, by gunicorn worker class (README, Reliability).

Serves the 1,000-project benchmark database (`make bench` seeds it) with gunicorn twice — three
synchronous workers, then `gunicorn.conf.py` (threads) — holds one project's row lock from
another connection for `--seconds`, and meanwhile sends 6 clients at that project's stage
transition and 6 clients reading other pages. Prints, per configuration, the reads answered
and the slowest read. `python tools/lock_stall.py`.
"""

import argparse
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import Session, gunicorn, server_env, subjects_find  # noqa: E402


def run(url: str, redis: str, port: int, *, threads: bool, seconds: float) -> dict:
    env = server_env(url, redis) | ({} if threads else {"GUNICORN_THREADS": "1"})
    subjects = subjects_find(url)
    reads, slowest, writes = [0], [0.0], {}
    with gunicorn(env, port=port, workers=3):
        manager = Session(port, subjects.manager)
        director = Session(port, subjects.director)
        locker = psycopg.connect(url)
        locker.execute(
            "SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [subjects.manager_project]
        )
        stop = time.monotonic() + seconds

        def write(session: Session) -> None:
            while time.monotonic() < stop:
                body = urllib.parse.urlencode(
                    {"to_stage": "closure", "csrfmiddlewaretoken": session.cookies["csrftoken"]}
                )
                status = session.request(
                    "POST",
                    f"/projects/{subjects.manager_project}/transition/",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )[0]
                writes[status] = writes.get(status, 0) + 1

        def read(session: Session) -> None:
            while time.monotonic() < stop:
                started = time.monotonic()
                if session.get("/projects/?stage=execution")[0] == 200:
                    reads[0] += 1
                slowest[0] = max(slowest[0], time.monotonic() - started)

        workers = [threading.Thread(target=write, args=(manager.clone(),)) for _ in range(6)]
        workers += [threading.Thread(target=read, args=(director.clone(),)) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        locker.rollback()
        locker.close()
    return {"reads": reads[0], "slowest_read_s": round(slowest[0], 2), "writes": writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/sc_bench_1000"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    for threads in (False, True):
        result = run(
            args.database_url, args.redis_url, args.port, threads=threads, seconds=args.seconds
        )
        name = "gthread 3 × 4 (gunicorn.conf.py)" if threads else "3 workers × 1 thread"
        print(f"{name}: {result}", flush=True)


if __name__ == "__main__":
    main()
