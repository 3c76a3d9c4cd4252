"""Does a Celery worker with gossip on survive Redis going away at its worst moment? (README,
Reliability: Workers and heartbeat.)

Starts a private `redis-server` and a `celery -A salescycle worker --pool=solo` with gossip and
mingle on (Celery's defaults), then `--stops` times: waits until the worker's gossip has bound
its queue (it has just reconnected and its event loop has not polled yet), stops Redis, starts
it again. Prints whether the worker is still running and how many times its log says
"Unrecoverable error" and "Error on restarting Gossip". `--unguarded` runs kombu's own Redis
transport instead of core.broker's. Needs DATABASE_URL for the worker's heartbeat only (an
error logged without it). `python tools/worker_flap.py [--stops 20] [--unguarded]`.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
UNGUARDED = "from salescycle.settings import *  # noqa: F403\nCELERY_BROKER_TRANSPORT = None\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_start(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def gossip_bound(port: int, seconds: float = 30) -> bool:
    client = redis.Redis(port=port, socket_timeout=0.5)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.exists("_kombu.binding.celeryev"):
                return True
        except redis.RedisError:
            pass
        time.sleep(0.001)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=20)
    parser.add_argument("--unguarded", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="worker-flap-"))
    settings = "salescycle.settings"
    if args.unguarded:
        (workdir / "unguarded_settings.py").write_text(UNGUARDED)
        settings = "unguarded_settings"
    port = free_port()
    server = redis_start(port)
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": settings,
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "PYTHONPATH": f"{workdir}:{ROOT}",
        "DEBUG": "false",
        "DATABASE_POOL": "false",
    }
    env.setdefault("SECRET_KEY", "worker-flap-only-secret-key-that-is-long-enough-for-checks")
    log_path = workdir / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salescycle", "worker", "--loglevel=INFO"]
            + ["--pool=solo", "-Q", "worker-flap"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        done = 0
        for _ in range(args.stops):
            if not gossip_bound(port) or worker.poll() is not None:
                break
            server.terminate()
            server.wait()
            time.sleep(0.5)
            server = redis_start(port)
            done += 1
        time.sleep(3)
        alive = worker.poll() is None
    finally:
        worker.terminate()
        worker.wait()
        server.terminate()
        server.wait()
    text = log_path.read_text()
    print(f"transport: {'kombu redis' if args.unguarded else 'core.broker'}; stops: {done}")
    print(f"worker running afterwards: {alive}")
    print(f"'Unrecoverable error': {text.count('Unrecoverable error')}")
    print(f"'Error on restarting Gossip': {text.count('Error on restarting Gossip')}")
    print(f"log: {log_path}")


if __name__ == "__main__":
    main()
