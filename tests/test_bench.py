"""The benchmark's quick mode (issue 7): every measurement at two small portfolio sizes, with the
app under gunicorn on the real PostgreSQL and Redis; it fails if a page errors or a query count
grows with the portfolio. No timing is asserted."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench.run import Measured, Page, SizeResult, Subjects, report

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_database_url() -> str:
    database = settings.DATABASES["default"]
    user, host, port = database["USER"] or "postgres", database["HOST"], database["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}_bench"


@pytest.mark.slow
def test_the_quick_benchmark_runs_every_measurement_without_errors(tmp_path):
    report_file = tmp_path / "report.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--database-url",
            bench_database_url(),
            "--redis-url",
            os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "--port",
            str(free_port()),
            "--report",
            str(report_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    text = report_file.read_text()
    for page in ("board", "director dashboard", "Gantt", "kanban", "API project list", "floor"):
        assert page in text
    pages = text.split("Mixed read workload")[0]
    assert "| errors |" not in pages and "queries grow" not in pages
    assert "full KPI rollup | " in text
    assert "| every page rendered |" in text
    # The fault scenario ran both outages, each phase answered, and the database was read back
    # (a server error, a lost or doubled comment or notification would have failed the run).
    phases = [line for line in text.splitlines() if "| before |" in line or "**during**" in line]
    assert len(phases) == 4
    for line in phases:
        requests, server_errors = line.split("|")[4], line.split("|")[9]
        assert int(requests) > 0 and server_errors.strip() == "**0**"
    assert "Read back, Redis stopped (SIGTERM):" in text
    assert "Read back, Redis frozen (SIGSTOP):" in text


def _result(size: int, counts: list[int], errors: list[str] | None = None) -> SizeResult:
    subjects = Subjects("d", "m", "u", 1, 1, 1)
    measured = []
    for index, count in enumerate(counts):
        row = Measured(Page(f"page {index}", "director", f"/{index}"), errors=errors or [])
        row.server_ms, row.client_ms, row.queries = [5.0, 6.0], [6.0, 7.0], {count}
        measured.append(row)
    return SizeResult(size, subjects, measured)


@pytest.mark.parametrize(
    ("small", "large", "errors", "failed"),
    [
        ([2, 9, 12], [2, 9, 12], None, []),
        ([2, 9, 12], [2, 9, 13], None, ["page 2 as director: queries [[12], [13]]"]),
        ([2, 9], [2, 9], ["HTTP 500"], ["page 0 as director: ['HTTP 500']"]),
    ],
)
def test_the_report_fails_on_growing_queries_and_errors(small, large, errors, failed):
    results = [_result(60, small), _result(180, large, errors)]
    text, failures = report(results, {"kpi_rollup": 0.1}, _load(), mode=_mode())
    assert failures[: len(failed)] == failed if failed else failures == []
    assert "| page 1 | director |" in text


def test_the_report_fails_on_errors_in_the_mixed_workload():
    results = [_result(60, [2]), _result(180, [2])]
    text, failures = report(results, {}, _load(errors=3), mode=_mode())
    assert failures == ["mixed workload: 3 errors"]
    assert "| every page rendered | 2 | 1 | **10.0** | 10 | **3** |" in text


def _load(errors: int = 0) -> dict:
    return {"clients": 2, "seconds": 1, "requests": 10, "errors": errors, "rps": 10.0}


def _mode():
    from bench.run import QUICK

    return QUICK
