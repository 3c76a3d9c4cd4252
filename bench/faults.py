"""The fault scenario: a mixed workload with writes while Redis goes away and comes back.

A private `redis-server` on a free port is the broker and the cache of a gunicorn server and a
real Celery worker (the portfolio's database is shared with the rest of the benchmark). Clients
cycle through what people open most, one request in ten a write (a comment on a project, every
other one mentioning a team member); in the middle Redis is stopped (SIGTERM: connections are
refused) or frozen (SIGSTOP: connections hang) for a phase, then started again or thawed. Each
phase — before, during, after — is reported: requests/s, p95, server errors (5xx), requests
with no answer (refused, reset, timed out). Afterwards the database is read back: every
acknowledged comment is there once, and every mention made one notification.
"""

import dataclasses
import http.client
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from contextlib import contextmanager

import psycopg

from bench.run import HOST, MIX, PYTHON, ROOT, Session, Subjects, gunicorn

MARK = "bench-fault"  # written into every comment, so they are counted back


@dataclasses.dataclass
class Sample:
    at: float
    ms: float
    status: int  # 0: no answer (refused, reset, timed out)
    write: bool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of our own, so stopping it disturbs nothing else on the machine."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the private redis-server did not start")

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


@contextmanager
def celery_worker(env: dict):
    """A real worker on every queue the app routes to (its own process, as in production)."""
    process = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "salescycle", "worker", "--loglevel=WARNING"]
        + ["--concurrency=2", "--without-gossip", "--without-mingle", "-Q", "celery,mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def write_project(url: str, subjects: Subjects) -> int:
    """Where the comments go: an open project of the manager that no measured page shows, so
    the comments left behind change no page's query count in a later run."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            """SELECT p.id FROM projects_project p JOIN core_user u ON u.id = p.owner_id
            WHERE u.username = %s AND p.stage <> 'closed' AND p.id NOT IN (%s, %s)
            ORDER BY p.id LIMIT 1""",
            [subjects.manager, subjects.manager_project, subjects.busy_project],
        ).fetchone()
    return row[0] if row else subjects.manager_project


def mention_target(url: str, project: int, owner: str) -> str:
    """A member of `project`'s team other than its owner, to be @mentioned."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            """SELECT u.username FROM collaboration_projectmembership m
            JOIN core_user u ON u.id = m.user_id
            WHERE m.project_id = %s AND m.left_on IS NULL AND u.is_active AND u.username <> %s
            ORDER BY u.id LIMIT 1""",
            [project, owner],
        ).fetchone()
    return row[0] if row else owner


def counted(url: str, run_id: str) -> dict:
    with psycopg.connect(url) as connection:
        comments = connection.execute(
            "SELECT count(*), count(DISTINCT body) FROM collaboration_comment WHERE body LIKE %s",
            [f"%{MARK} {run_id} %"],
        ).fetchone()
        notified = connection.execute(
            """SELECT count(*) FROM collaboration_notification n
            JOIN collaboration_comment c ON n.event_key = 'comment:' || c.id::text
            WHERE c.body LIKE %s AND n.kind = %s""",
            [f"%{MARK} {run_id} %", "mentioned"],
        ).fetchone()
    return {"comments": comments[0], "distinct": comments[1], "notified": notified[0]}


class Workload:
    """`clients` threads cycling through the read mix, every tenth request a comment."""

    def __init__(
        self, port: int, sessions: dict[str, Session], subjects: Subjects, target: tuple[int, str]
    ):
        self.port, self.subjects = port, subjects
        self.project, self.mention = target
        self.sessions = sessions
        self.samples: list[Sample] = []
        self.acknowledged: list[str] = []  # comment bodies the server said it saved
        self.lock = threading.Lock()
        self.paths = []
        for role, path, weight in MIX:
            path = f"/projects/{subjects.manager_project}/" if path == "project" else path
            self.paths += [(role, path)] * weight

    def run(self, clients: int, seconds: float, run_id: str, *, on_tick=None) -> None:
        stop = time.monotonic() + seconds
        own = [{role: s.clone() for role, s in self.sessions.items()} for _ in range(clients)]
        counter = iter(range(10**9))

        def client(index: int) -> None:
            position = index * 7
            while time.monotonic() < stop:
                position += 1
                if position % 10 == 0:
                    self._write(own[index]["manager"], run_id, next(counter))
                else:
                    role, path = self.paths[position % len(self.paths)]
                    self._read(own[index][role], path)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        while on_tick and any(t.is_alive() for t in threads):
            on_tick()
            time.sleep(0.2)
        for thread in threads:
            thread.join()

    def _timed(self, session: Session, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            status, headers, body = session.request(method, path, **kwargs)
        except (http.client.HTTPException, OSError):
            status, headers, body = 0, {}, b""
        return status, headers, body, started

    def _record(self, started: float, status: int, *, write: bool) -> None:
        now = time.perf_counter()
        with self.lock:
            self.samples.append(Sample(time.monotonic(), (now - started) * 1000, status, write))

    def _read(self, session: Session, path: str) -> None:
        status, _headers, _body, started = self._timed(session, "GET", path)
        self._record(started, status, write=False)

    def _write(self, session: Session, run_id: str, number: int) -> None:
        project = self.project
        mention = f"@{self.mention} " if number % 2 else ""
        body = f"{mention}{MARK} {run_id} {number} "
        form = urllib.parse.urlencode(
            {"body": body, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
        )
        status, _headers, _body, started = self._timed(
            session,
            "POST",
            f"/projects/{project}/comments/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self._record(started, status, write=True)
        if status == 302:  # saved; a refusal re-renders the form with 400
            with self.lock:
                self.acknowledged.append(body)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] if values else float("nan")


def phase_summary(samples: list[Sample], start: float, end: float) -> dict:
    inside = [s for s in samples if start <= s.at < end]
    seconds = max(end - start, 1e-9)
    answered = [s for s in inside if 0 < s.status < 500]
    return {
        "seconds": round(seconds, 1),
        "requests": len(inside),
        "rps": round(len(answered) / seconds, 1),
        "p95_ms": round(_p95([s.ms for s in inside]), 1),
        "max_ms": round(max((s.ms for s in inside), default=float("nan")), 1),
        "writes": sum(s.write for s in inside),
        "server_errors": sum(s.status >= 500 for s in inside),
        "no_answer": sum(s.status == 0 for s in inside),
        "reads": sum(not s.write for s in inside),
    }


def scenario(
    env: dict,
    subjects: Subjects,
    url: str,
    *,
    port: int,
    workers: int,
    clients: int,
    phase: float,
    outage: str | None,
    sessions_for,
) -> dict:
    """One run on a fresh private Redis: `phase` seconds before, during (Redis stopped when
    `outage` is "stop", frozen when "freeze") and after: the phases and the counts read back."""
    redis = RedisServer()
    redis.start()
    env = env | {"REDIS_URL": redis.url}
    run_id = f"{int(time.time())}-{outage or 'steady'}"
    try:
        with gunicorn(env, port=port, workers=workers), celery_worker(env):
            sessions = sessions_for(port)
            project = write_project(url, subjects)
            workload = Workload(
                port,
                sessions,
                subjects,
                (project, mention_target(url, project, subjects.manager)),
            )
            begin = time.monotonic()
            marks = {"down": begin + phase, "up": begin + 2 * phase}
            state = {"down": False, "up": False}

            def tick() -> None:
                now = time.monotonic()
                if outage and not state["down"] and now >= marks["down"]:
                    redis.freeze() if outage == "freeze" else redis.stop()
                    state["down"] = True
                if outage and state["down"] and not state["up"] and now >= marks["up"]:
                    redis.thaw() if outage == "freeze" else redis.start()
                    state["up"] = True

            workload.run(clients, 3 * phase, run_id, on_tick=tick)
            end = time.monotonic()
            time.sleep(min(phase, 10))  # let the worker catch up before counting
    finally:
        redis.stop()
    phases = {
        "before": phase_summary(workload.samples, begin, marks["down"]),
        "during": phase_summary(workload.samples, marks["down"], marks["up"]),
        "after": phase_summary(workload.samples, marks["up"], end),
    }
    mentions = sum(1 for body in workload.acknowledged if body.startswith("@"))
    return {
        "phases": phases,
        "acknowledged": len(workload.acknowledged),
        "mentions": mentions,
        "stored": counted(url, run_id),
    }


OUTAGES = {"stop": "stopped (SIGTERM)", "freeze": "frozen (SIGSTOP)"}
TARGET_DURING_P95_MS = 1_000  # issue 15: the p95 while Redis is out


def report_lines(outages: dict[str, dict], *, clients: int) -> list[str]:
    lines = [
        "",
        f"Faults: the mixed workload with 10 % writes (comments, half with an @mention), "
        f"{clients} clients, a real Celery worker; a private Redis stopped or frozen for the "
        "middle phase, then started again or thawed.",
        "",
        "| Redis | phase | seconds | requests | requests/s | p95 ms | max ms | writes | 5xx "
        "| no answer |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, outage in outages.items():
        for name, row in outage["phases"].items():
            during = name == "during"
            lines.append(
                f"| {OUTAGES[kind] if during else ''} | {'**' + name + '**' if during else name} "
                f"| {row['seconds']} | {row['requests']} | {row['rps']} | {row['p95_ms']} | "
                f"{row['max_ms']} | {row['writes']} | **{row['server_errors']}** | "
                f"{row['no_answer']} |"
            )
    lines.append("")
    for kind, outage in outages.items():
        stored = outage["stored"]
        lines.append(
            f"Read back, Redis {OUTAGES[kind]}: {outage['acknowledged']} comments acknowledged, "
            f"{stored['comments']} stored ({stored['distinct']} distinct); "
            f"{outage['mentions']} mentions acknowledged, {stored['notified']} notifications."
        )
    for kind, outage in outages.items():
        during = outage["phases"]["during"]["p95_ms"]
        met = "met" if during < TARGET_DURING_P95_MS else "**not met**"
        lines.append(
            f"Target p95 < {TARGET_DURING_P95_MS:,} ms while Redis is {OUTAGES[kind]}, "
            f"{clients} clients: {during:,} ms, {met}."
        )
    return lines


def failures_of(kind: str, outage: dict) -> list[str]:
    """Server errors, and acknowledged writes lost or doubled (timings are reported only)."""
    failures = []
    for name, row in outage["phases"].items():
        if row["server_errors"]:
            failures.append(f"Redis {kind}, {name}: {row['server_errors']} server errors")
    stored = outage["stored"]
    if stored["comments"] != outage["acknowledged"] or stored["distinct"] != stored["comments"]:
        failures.append(f"Redis {kind}: {outage['acknowledged']} comments acknowledged, {stored}")
    if stored["notified"] != outage["mentions"]:
        failures.append(
            f"Redis {kind}: {outage['mentions']} mentions, {stored['notified']} notified"
        )
    return failures
